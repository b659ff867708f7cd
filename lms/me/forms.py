"""A learner's own settings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"),
                            validators=[DataRequired(_l("Please fill this in.")), Length(max=200)],
                            render_kw={"autocomplete": "name"})
    org_unit = SelectField(_l("Your commune or ward"), coerce=int,
                           validators=[InputRequired(_l("Choose your commune or ward."))])


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
