"""The support-point forms, and what each support problem means in the helper's words."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, HiddenField, IntegerField, PasswordField, RadioField,
                     SearchField, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.unit_picker import optional_id

REQUIRED = _l("Please fill this in.")

SUPPORT_ERRORS = {
    "required": REQUIRED,
    "choose-unit": _l("Choose a commune or ward from the list."),
    "choose-kind": _l("Choose whether the point is fixed or mobile."),
    "no-account": _l("No account signs in with this phone number or email. Ask the person "
                     "to sign up first, then try again."),
    "has-other-role": _l("This person already holds another role (trainer, manager…): a "
                         "helper's role would take it away. Ask an administrator."),
    "not-your-helper": _l("This helper does not work in one of your units."),
    "birth-year": _l("Enter the year of birth, such as 1956."),
    "pin-format": _l("The PIN is exactly 6 digits, such as 250718."),
    "pin-guessable": _l("This PIN is easy to guess (a repeated digit, a sequence such as "
                        "123456, or the year of birth). Choose other digits."),
    "read-aloud": _l("Read the notice to the person and tick this box once they agree. "
                     "Without their agreement, nothing about them is kept."),
    "bad-phone": _l("Enter a Vietnamese mobile number, for example 0912 345 678."),
    "taken": _l("Another account already signs in with this phone number."),
    "choose-service": _l("Tick at least one thing you helped with."),
    "people-count": _l("Enter how many people, from 1 to 200."),
    "minutes": _l("Enter the minutes spent, from 1 to 600."),
    "choose-outcome": _l("Choose how it went."),
    "choose-age-group": _l("Choose the age group."),
    "no-person": _l("No one in your communes has this card or phone number. Check it, or "
                    "leave it empty to count them as passers-by."),
    "name-taken": _l("A service with this name is already on the list."),
}


SERVICE_NAMES = {
    "vneid": _l("Installing VNeID"),
    "vneid-level-2": _l("Level-2 electronic identification (VNeID)"),
    "public-service-portal": _l("A dossier submitted on the National Public Service Portal"),
    "etax-mobile": _l("eTax Mobile"),
    "vssid": _l("VssID (social insurance)"),
    "learning-together": _l("A lesson or quiz done together"),
    "scam-advice": _l("Advice on avoiding online scams"),
}
AGE_GROUP_NAMES = {
    "under-30": _l("Under 30"),
    "30-59": _l("30 to 59"),
    "60-plus": _l("60 and over"),
    "unknown": _l("Not known"),
}
OUTCOME_NAMES = {
    "done": _l("Done"),
    "partly": _l("Partly done: to continue"),
    "not-done": _l("Not done"),
}


def service_name(service) -> str:
    """A built-in service in the page's language; one organisers added, as they named it."""
    return service.name or str(SERVICE_NAMES.get(service.code, service.code))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GrantHelperForm(FlaskForm):
    identifier = StringField(_l("Their mobile number or email"),
                             validators=[DataRequired(REQUIRED), Length(max=254)],
                             description=_l("The one they signed up with."),
                             render_kw={"autocomplete": "off", "autocapitalize": "off"})
    unit = SelectField(_l("Where they help"), coerce=optional_id, validate_choice=False)


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""


class PointForm(FlaskForm):
    name = StringField(_l("Name of the point"), validators=[DataRequired(REQUIRED),
                                                            Length(max=200)],
                       description=_l("For example: Nhà văn hoá thôn Đông"))
    address = StringField(_l("Address"), validators=[DataRequired(REQUIRED), Length(max=300)])
    commune = SelectField(_l("Commune or ward"), coerce=optional_id, validate_choice=False)
    kind = RadioField(_l("Kind of point"), validate_choice=False, choices=[
        SelectChoice("fixed", _l("Fixed: always in one place")),
        SelectChoice("mobile", _l("Mobile: moves between villages"))])
    opening_times = TextAreaField(_l("Opening times"), validators=[Length(max=2000)],
                                  description=_l("For example: Saturday and Sunday, 8:00 to "
                                                 "11:00. For a mobile point: where it goes, "
                                                 "which day."))
    helpers = CheckboxesField(_l("Helpers at this point"), coerce=int, validate_choice=False)


class RegisterLearnerForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=200)],
                            render_kw={"autocomplete": "off"})
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    commune = SelectField(_l("Commune or ward where they live"), coerce=optional_id,
                          validate_choice=False)
    pin = PasswordField(_l("PIN chosen by the person (6 digits)"),
                        description=_l("Let the person type it themselves, and ask them to "
                                       "remember it. It is not printed on the card."),
                        render_kw={"inputmode": "numeric", "autocomplete": "new-password",
                                   "maxlength": 6})
    read_aloud = BooleanField(_l("I have read the privacy notice aloud to this person and "
                                 "they agree that lms keeps these details for their learning."))


class CardSignInForm(FlaskForm):
    number = StringField(_l("Card number"), validators=[DataRequired(REQUIRED), Length(max=20)],
                         description=_l("The 10 digits printed on your learner card."),
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})
    pin = PasswordField(_l("PIN (6 digits)"), validators=[DataRequired(REQUIRED)],
                        render_kw={"inputmode": "numeric", "autocomplete": "off",
                                   "maxlength": 6})


class FindCardForm(FlaskForm):
    q = SearchField(_l("Card number or name"), validators=[Optional(), Length(max=200)])


class ReplaceCardForm(FlaskForm):
    pin = PasswordField(_l("New PIN chosen by the person (6 digits)"),
                        render_kw={"inputmode": "numeric", "autocomplete": "new-password",
                                   "maxlength": 6})


class DeviceForm(FlaskForm):
    point = SelectField(_l("Support point"), coerce=optional_id, validate_choice=False)


class LinkPhoneForm(FlaskForm):
    phone = StringField(_l("Your mobile number"), validators=[DataRequired(REQUIRED),
                                                              Length(max=30)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})


class VisitForm(FlaskForm):
    token = HiddenField()
    place = SelectField(_l("Where"), coerce=str, validate_choice=False)
    person = StringField(_l("Card number or phone, if the person is registered"),
                         validators=[Optional(), Length(max=30)],
                         description=_l("Leave it empty for people who are not registered: "
                                        "then say how many and their age."),
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})
    people_count = IntegerField(_l("How many people"), default=1, validators=[Optional()],
                                render_kw={"inputmode": "numeric"})
    age_group = RadioField(_l("Age"), validate_choice=False, choices=[
        SelectChoice(code, name) for code, name in AGE_GROUP_NAMES.items()])
    services = CheckboxesField(_l("What you helped with"), coerce=str, validate_choice=False)
    outcome = RadioField(_l("How it went"), validate_choice=False, choices=[
        SelectChoice(code, name) for code, name in OUTCOME_NAMES.items()])
    minutes = IntegerField(_l("Minutes spent"), validators=[Optional()],
                           render_kw={"inputmode": "numeric"})


class ServiceForm(FlaskForm):
    name = StringField(_l("A service to add to the list"), validators=[Length(max=200)])


def options(pairs, choose: bool = True) -> list[SelectChoice]:
    """(id, name) pairs as a select's options, after a "Choose…" placeholder by default."""
    first = [SelectChoice("", _l("Choose…"))] if choose else []
    return first + [SelectChoice(value, label) for value, label in pairs]


def show_problems(form, problems) -> None:
    """Each (field, code) as a message by its field, so nothing typed is lost."""
    for field, code in problems:
        target = getattr(form, field)
        target.errors = [*target.errors, SUPPORT_ERRORS[code]]
