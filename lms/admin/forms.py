"""The audit trail's filter, sent as a plain GET form so a filtered page can be bookmarked."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

ACTION_LABELS = {
    "certificate-revoked": _l("Certificate revoked"),
    "certificate-reissued": _l("Certificate re-issued"),
    "role-granted": _l("Role granted"),
    "staff-imported": _l("Staff imported"),
    "activation-code-issued": _l("Activation code issued"),
    "assignment-created": _l("Training assigned"),
    "assignment-removed": _l("Assignment removed"),
    "target-created": _l("Target set"),
    "target-removed": _l("Target removed"),
    "units-imported": _l("Units imported"),
    "personal-data-exported": _l("Personal data exported"),
    "audit-exported": _l("Audit trail exported"),
}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only filter in the address bar

    action = SelectField(_l("Action"), validators=[Optional()],
                         choices=[SelectChoice("", _l("All actions")),
                                  *(SelectChoice(k, v) for k, v in ACTION_LABELS.items())])
    person = StringField(_l("Person"), validators=[Optional(), Length(max=200)],
                         description=_l("Part of the name of who acted or whom it was about."))
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
