"""Sign-up and sign-in forms, with messages in the learner's words."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.unit_picker import UnitPickerMixin


class RegisterForm(UnitPickerMixin, FlaskForm):
    identifier = StringField(_l("Mobile number or email"),
                             validators=[DataRequired(_l("Please fill this in.")), Length(max=254)],
                             render_kw={"autocomplete": "username", "autocapitalize": "off"})
    full_name = StringField(_l("Full name"),
                            validators=[DataRequired(_l("Please fill this in.")), Length(max=200)],
                            render_kw={"autocomplete": "name"})
    birth_year = IntegerField(_l("Year of birth (optional)"),
                              validators=[Optional(), NumberRange(1900, date.today().year - 5,
                                                                  _l("Enter a year such as 1960."))],
                              render_kw={"inputmode": "numeric", "autocomplete": "bday-year"})
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Please fill this in."))],
                             description=_l("At least 8 characters. A short sentence you can "
                                            "remember is safer than a short word."),
                             render_kw={"autocomplete": "new-password"})
    consent = BooleanField(_l("I have read the privacy notice above and agree that lms keeps "
                              "these details for my learning, and that the managers of my "
                              "commune and units see my name and progress."),
                           validators=[DataRequired(_l("To create an account, tick this box. "
                                                       "Without it we keep nothing about "
                                                       "you."))])
    next = HiddenField()


class LoginForm(FlaskForm):
    identifier = StringField(_l("Mobile number or email"),
                             validators=[DataRequired(_l("Please fill this in."))],
                             render_kw={"autocomplete": "username", "autocapitalize": "off"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please fill this in."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this phone"))
    next = HiddenField()


class ActivateForm(FlaskForm):
    identifier = StringField(_l("Mobile number or email"),
                             validators=[DataRequired(_l("Please fill this in."))],
                             description=_l("The one your unit's manager registered for you."),
                             render_kw={"autocomplete": "username", "autocapitalize": "off"})
    code = StringField(_l("Activation code"),
                       validators=[DataRequired(_l("Please fill this in.")), Length(max=40)],
                       description=_l("The 16 digits on the slip from your unit's manager "
                                      "(older slips have 8)."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    password = PasswordField(_l("Choose a password"),
                             validators=[DataRequired(_l("Please fill this in."))],
                             description=_l("At least 8 characters. A short sentence you can "
                                            "remember is safer than a short word."),
                             render_kw={"autocomplete": "new-password"})


class ForgotForm(FlaskForm):
    identifier = StringField(_l("Mobile number or email"),
                             validators=[DataRequired(_l("Please fill this in.")), Length(max=254)],
                             description=_l("The one you sign in with. We send a code to it."),
                             render_kw={"autocomplete": "username", "autocapitalize": "off"})


class ResetForm(FlaskForm):
    identifier = StringField(_l("Mobile number or email"),
                             validators=[DataRequired(_l("Please fill this in.")), Length(max=254)],
                             render_kw={"autocomplete": "username", "autocapitalize": "off"})
    code = StringField(_l("Code"),
                       validators=[DataRequired(_l("Please fill this in.")), Length(max=20)],
                       description=_l("The 6 digits we sent you, or the 8 digits your unit's "
                                      "manager printed for you."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(_l("Please fill this in."))],
                             description=_l("At least 8 characters. A short sentence you can "
                                            "remember is safer than a short word."),
                             render_kw={"autocomplete": "new-password"})


class ProveForm(FlaskForm):
    code = StringField(_l("Code"),
                       validators=[DataRequired(_l("Please fill this in.")), Length(max=20)],
                       description=_l("The 6 digits we sent you. They work for 15 minutes."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class SendAgainForm(FlaskForm):
    """Only a button: the CSRF token is all it carries."""
