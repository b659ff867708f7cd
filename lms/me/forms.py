"""A learner's own settings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from lms.unit_picker import UnitPickerMixin


class ProfileForm(UnitPickerMixin, FlaskForm):
    full_name = StringField(_l("Full name"),
                            validators=[DataRequired(_l("Please fill this in.")), Length(max=200)],
                            render_kw={"autocomplete": "name"})


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Please fill this in."))],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(_l("Please fill this in."))],
                             description=_l("At least 8 characters. A short sentence you can "
                                            "remember is safer than a short word."),
                             render_kw={"autocomplete": "new-password"})


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"),
                             validators=[DataRequired(_l("Please fill this in."))],
                             render_kw={"autocomplete": "current-password"})


class SignOutOthersForm(FlaskForm):
    """Only a button: the CSRF token is all it carries."""


class ReminderForm(FlaskForm):
    """Due-date reminders by channel; an unticked box is a channel turned off."""
    sms = BooleanField(_l("Get due-date reminders by SMS"))
    email = BooleanField(_l("Get due-date reminders by email"))
