"""The audit trail's filter (a plain GET form, so a filtered page can be bookmarked), and the
forms for publishing courses and importing questions through the web."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from lms.content.frontmatter import SLUG_PATTERN
from lms.content.imports import FORMATS
from lms.content.imports.model import MAX_IMPORT_BYTES
from lms.i18n import select_language
from lms.services import audit

ACTION_LABELS = {action: _l(words) for action, words in audit.ACTION_WORDS.items()}


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
    # The choices are the courses the person may publish, set by the view.
    course = SelectField(_l("For one file: the course it belongs to"), validators=[Optional()])


class PublishForm(FlaskForm):
    """Publishing or putting back a version: a button, with CSRF protection."""


class PutBackForm(FlaskForm):
    package = SelectField(_l("Version"), validate_choice=False)


class PublisherForm(FlaskForm):
    identifier = StringField(_l("Trainer's phone number or email"),
                             validators=[DataRequired(), Length(max=200)])
    course = StringField(_l("Course code"), validators=[DataRequired(), Length(max=100)])


FORMAT_LABELS = {"gift": _l("GIFT"), "aiken": _l("Aiken"), "moodle-xml": _l("Moodle XML")}
IMPORT_MEGABYTES = MAX_IMPORT_BYTES // (1024 * 1024)


class QuestionImportForm(FlaskForm):
    file = FileField(_l("Question file (GIFT, Aiken or Moodle XML)"),
                     validators=[FileRequired(_l("Choose the question file to convert."))],
                     description=_l("Exported from Moodle's question bank: .gift, .txt or .xml, "
                                    "at most %(megabytes)d MB.", megabytes=IMPORT_MEGABYTES),
                     render_kw={"accept": ".gift,.txt,.xml,text/plain,text/xml,application/xml"})
    source_format = SelectField(_l("Format"), choices=[
        SelectChoice("", _l("Tell from the file")),
        *(SelectChoice(name, FORMAT_LABELS[name]) for name in FORMATS)],
        validators=[Optional()])
    course = SelectField(_l("Course"), validators=[DataRequired(_l("Choose the course."))])
    lesson = StringField(_l("Lesson (optional)"), validators=[
        Optional(), Length(max=100),
        Regexp(SLUG_PATTERN, message=_l("Write the lesson's slug: its file name without the "
                                        "number and .md, for example otp."))],
        description=_l("Every question is marked as testing this lesson: {lesson=...}."))

    def __init__(self, catalog, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = catalog
        self.course.choices = [SelectChoice(c.slug, f"{c.title(select_language())} ({c.slug})")
                               for c in catalog.courses]

    def validate_lesson(self, field) -> None:
        course = self.catalog.course(self.course.data or "")
        if field.data and course and course.lesson(field.data) is None:
            raise ValidationError(_l("The course has no lesson “%(lesson)s”. Its lessons: "
                                     "%(lessons)s.", lesson=field.data,
                                     lessons=", ".join(l.slug for l in course.lessons)))


class QuizDownloadForm(FlaskForm):
    """The converted quiz, sent back as a file: the page keeps it, so no JavaScript is needed
    and nothing is stored on the server."""
    markdown = TextAreaField(_l("The quiz file (you may edit it before downloading)"),
                             validators=[DataRequired(), Length(max=2 * MAX_IMPORT_BYTES)],
                             render_kw={"rows": 16, "spellcheck": "false"})
    filename = HiddenField(validators=[DataRequired(), Regexp(r"^[a-z0-9-]{1,80}\.md$")])
