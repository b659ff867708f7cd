"""Checking a certificate, and revoking one."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class VerifyForm(FlaskForm):
    code = StringField(_l("Verification code"), validators=[Optional(), Length(max=40)],
                       description=_l("16 letters and digits, printed under the QR code, "
                                      "e.g. 7K3M-9QXD-2HRT-W8FN"),
                       render_kw={"autocapitalize": "characters", "autocomplete": "off",
                                  "spellcheck": "false"})
    pdf = FileField(_l("Or upload the certificate PDF"),
                    validators=[Optional(), FileAllowed(["pdf"], _l("Choose a PDF file."))])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"),
                           validators=[DataRequired(_l("Please fill this in.")), Length(max=1000)])
