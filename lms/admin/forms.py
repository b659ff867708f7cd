"""The audit trail's filter (a plain GET form, so a filtered page can be bookmarked), and the
forms for publishing courses through the web."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

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
    "content-published": _l("Course published"),
    "content-rolled-back": _l("Course version put back"),
    "publisher-granted": _l("Allowed to publish a course"),
    "publisher-revoked": _l("No longer allowed to publish a course"),
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


class UploadCourseForm(FlaskForm):
    file = FileField(_l("A course (ZIP) or one file of it"),
                     validators=[FileRequired(_l("Choose the file to upload."))],
                     description=_l("A ZIP of the course folder, or one lesson (.md), image or "
                                    "quiz.md to add to or replace in the course chosen below."),
                     render_kw={"accept": ".zip,.md,.png,.jpg,.jpeg,.gif,.webp,.svg"})
    course = SelectField(_l("For one file: the course it belongs to"), validators=[Optional()],
                         validate_choice=False)


class PublishForm(FlaskForm):
    """Publishing or putting back a version: a button, with CSRF protection."""


class PutBackForm(FlaskForm):
    package = SelectField(_l("Version"), validate_choice=False)


class PublisherForm(FlaskForm):
    identifier = StringField(_l("Trainer's phone number or email"),
                             validators=[DataRequired(), Length(max=200)])
    course = StringField(_l("Course code"), validators=[DataRequired(), Length(max=100)])
