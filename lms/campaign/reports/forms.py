"""Forms for assigning training and setting certification targets."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.campaign.reports.labels import UNIT_KIND_LABELS

REQUIRED = _l("Please fill this in.")

AUDIENCE_CHOICES = [SelectChoice("", _l("Everyone the program or course is for")),
                    SelectChoice("civil-servant", _l("Civil servants")),
                    SelectChoice("citizen", _l("Citizens")),
                    SelectChoice("both", _l("Citizens and civil servants"))]
AUDIENCE_HELP = _l("Only these people are counted and shown the training. A program can only "
                   "go to the audience its file declares.")


class AssignmentForm(FlaskForm):
    subject = SelectField(_l("Course or program"), validators=[InputRequired(REQUIRED)])
    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=32)],
                       description=_l("Everyone in this unit and in the units below it. "
                                      "Leave it empty to list people instead."),
                       render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    people = TextAreaField(_l("Or these people (mobile numbers or email addresses)"),
                           validators=[Optional(), Length(max=20000)],
                           description=_l("One per line. Leave it empty when you give a unit."),
                           render_kw={"rows": 4, "autocapitalize": "off"})
    audience = SelectField(_l("Who must do it"), choices=AUDIENCE_CHOICES, default="",
                           description=AUDIENCE_HELP)
    due_on = DateField(_l("Due date"), validators=[InputRequired(_l("Choose a date."))])


class TargetForm(FlaskForm):
    unit = StringField(_l("Unit code"), validators=[InputRequired(REQUIRED), Length(max=32)],
                       description=_l("The target counts everyone in this unit and below."),
                       render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    program = SelectField(_l("Program"), validators=[InputRequired(REQUIRED)])
    audience = SelectField(_l("Who counts"), choices=AUDIENCE_CHOICES, default="",
                           description=AUDIENCE_HELP)
    kind = RadioField(_l("Target"), default="percent", choices=[
        SelectChoice("percent", _l("A percentage of the people")),
        SelectChoice("count", _l("A number of people"))])
    value = IntegerField(_l("Number or percentage"),
                         validators=[InputRequired(REQUIRED),
                                     NumberRange(1, 100_000_000, _l("Enter a number above 0."))],
                         render_kw={"inputmode": "numeric"})
    deadline = DateField(_l("Deadline"), validators=[InputRequired(_l("Choose a date."))])


class UnitForm(FlaskForm):
    """Lengths and numbers are checked by the import's rules (unit_changes), not here."""
    code = StringField(_l("Unit code"), description=_l("Short and unique, as in the unit list "
                                                       "file, e.g. HN-BD. It cannot change later."),
                       render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    name = StringField(_l("Unit name"), render_kw={"autocomplete": "off"})
    kind = SelectField(_l("Kind"), default="commune",
                       choices=[SelectChoice(k, v) for k, v in UNIT_KIND_LABELS.items()])
    parent_code = StringField(_l("Under the unit (code)"),
                              render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    expected_residents = StringField(
        _l("Expected adult residents"), description=_l("Leave it empty if you do not know. "
                                                       "Percentage targets for citizens count "
                                                       "against this number."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    expected_civil_servants = StringField(
        _l("Expected civil servants"), description=_l("Percentage targets for civil servants "
                                                      "count against this number."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
