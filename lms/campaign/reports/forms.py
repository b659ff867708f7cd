"""Forms for assigning training and setting certification targets."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

REQUIRED = _l("Please fill this in.")


class AssignmentForm(FlaskForm):
    subject = SelectField(_l("Course or program"), validators=[InputRequired(REQUIRED)])
    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=32)],
                       description=_l("Everyone in this unit and in the units below it. "
                                      "Leave it empty to list people instead."),
                       render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    people = TextAreaField(_l("People"), validators=[Optional(), Length(max=20000)],
                           description=_l("Mobile numbers or email addresses, one per line."),
                           render_kw={"rows": 4, "autocapitalize": "off"})
    due_on = DateField(_l("Due date"), validators=[InputRequired(_l("Choose a date."))])


class TargetForm(FlaskForm):
    unit = StringField(_l("Unit code"), validators=[InputRequired(REQUIRED), Length(max=32)],
                       description=_l("The target counts everyone in this unit and below."),
                       render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    program = SelectField(_l("Program"), validators=[InputRequired(REQUIRED)])
    audience = SelectField(_l("Who counts"), choices=[
        SelectChoice("citizen", _l("Citizens")),
        SelectChoice("civil-servant", _l("Civil servants"))])
    kind = RadioField(_l("Target"), default="percent", choices=[
        SelectChoice("percent", _l("A percentage of the people")),
        SelectChoice("count", _l("A number of people"))])
    value = IntegerField(_l("Number or percentage"),
                         validators=[InputRequired(REQUIRED),
                                     NumberRange(1, 100_000_000, _l("Enter a number above 0."))],
                         render_kw={"inputmode": "numeric"})
    deadline = DateField(_l("Deadline"), validators=[InputRequired(_l("Choose a date."))])
