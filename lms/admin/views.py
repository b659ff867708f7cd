"""Administration pages: content problems and question statistics for trainers, the audit
trail for administrators (and for managers, about their own units)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from lms.admin.forms import (ACTION_LABELS, IMPORT_MEGABYTES, AuditFilterForm,
                             QuestionImportForm, QuizDownloadForm)
from lms.auth.access import current_actor, role_required
from lms.catalog import course_or_404, current_catalog
from lms.content.imports import convert
from lms.content.imports.model import MAX_IMPORT_BYTES
from lms.content.schema import Course
from lms.errors import render_error
from lms.extensions import db
from lms.i18n import format_moment, select_language
from lms.services import audit
from lms.services.access import REPORT_ROLES, scope_path
from lms.services import quiz_stats
from lms.export_files import attachment, csv_lines

bp = Blueprint("admin", __name__, url_prefix="/admin")
CONTENT_ROLES = ("trainer", "admin")


@bp.after_request
def keep_out_of_caches(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # names, addresses, who did what
    return response


@bp.get("/content/")
@role_required(*CONTENT_ROLES)
def content_problems():
    return content_page(QuestionImportForm(current_catalog(), formdata=None))


def content_page(form: QuestionImportForm, status: int = 200):
    return render_template("admin/content.html", catalog=current_catalog(),
                           import_form=form), status


@bp.errorhandler(413)
def upload_too_big(error):
    if not (current_user.is_authenticated and current_user.role in CONTENT_ROLES):
        return render_error(error)
    form = QuestionImportForm(current_catalog(), formdata=None)
    form.file.errors = [_("The file is larger than %(megabytes)d MB. Export fewer questions at "
                          "a time, for example one category.", megabytes=IMPORT_MEGABYTES)]
    return content_page(form, 413)


@bp.post("/content/import")
@role_required(*CONTENT_ROLES)
def import_questions():
    """Converts an uploaded question file and shows the quiz file with what was not converted."""
    if (request.content_length or 0) > MAX_IMPORT_BYTES + 64 * 1024:
        abort(413)
    form = QuestionImportForm(current_catalog())
    if not form.validate_on_submit():
        return content_page(form, 422)
    upload = form.file.data
    result = convert(upload.filename or "questions", upload.read(MAX_IMPORT_BYTES + 1),
                     form.course.data, form.lesson.data or None, form.source_format.data or None)
    download = QuizDownloadForm(formdata=None, markdown=result.markdown,
                                filename=f"{form.course.data}.md")
    return render_template("admin/import.html", result=result, download=download,
                           course=current_catalog().course(form.course.data))


@bp.post("/content/import/download")
@role_required(*CONTENT_ROLES)
def download_quiz():
    form = QuizDownloadForm()
    if not form.validate_on_submit():
        abort(400)
    # A browser sends a textarea's lines with CRLF; the front matter must open the file.
    markdown = form.markdown.data.replace("\r\n", "\n").lstrip()
    return Response(markdown, content_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": attachment(form.filename.data)})


@bp.get("/questions/")
@role_required(*CONTENT_ROLES)
def question_stats():
    return render_template("admin/questions.html", counts=quiz_stats.attempt_counts(db.session),
                           courses=[course for course in current_catalog().courses if course.quiz],
                           minimum=quiz_stats.MIN_RELIABLE_ATTEMPTS)


def quiz_course_or_404(slug: str) -> Course:
    course = course_or_404(slug)
    if course.quiz is None:
        abort(404)
    return course


@bp.get("/questions/<slug>/")
@role_required(*CONTENT_ROLES)
def quiz_questions(slug: str):
    course = quiz_course_or_404(slug)
    return render_template("admin/quiz_questions.html", course=course,
                           stats=quiz_stats.question_statistics(db.session, course),
                           recent=quiz_stats.RECENT_ATTEMPTS,
                           minimum=quiz_stats.MIN_RELIABLE_ATTEMPTS)


@bp.get("/questions/<slug>/<int:number>")
@role_required(*CONTENT_ROLES)
def question_detail(slug: str, number: int):
    """One question per page, so a phone shows its figures without a long scroll."""
    course = quiz_course_or_404(slug)
    stats = quiz_stats.question_statistics(db.session, course)
    row = stats.question(number)
    if row is None:
        abort(404)
    place = stats.questions.index(row)
    return render_template("admin/question.html", course=course, stats=stats, row=row,
                           place=place, minimum=quiz_stats.MIN_RELIABLE_ATTEMPTS,
                           previous=stats.questions[place - 1] if place else None,
                           next=stats.questions[place + 1]
                           if place + 1 < len(stats.questions) else None)


@bp.get("/questions/<slug>.csv")
@role_required(*CONTENT_ROLES)
def question_export(slug: str):
    course = quiz_course_or_404(slug)
    stats = quiz_stats.question_statistics(db.session, course)
    header = [_("Question no."), _("Question"), _("Lesson"), _("Attempts"), _("Right (%)"),
              _("Discrimination (D)"), _("Blanks"), _("Fewer than %(num)d attempts",
                                                      num=quiz_stats.MIN_RELIABLE_ATTEMPTS),
              _("Option"), _("Right option"), _("Chosen (%)"), _("First attempt"),
              _("Last attempt")]
    rows = quiz_stats.export_rows(stats, select_language(), yes=_("yes"))
    # The days are written in the reader's language while the file streams: keep the request.
    return Response(stream_with_context(csv_lines(header, rows)),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(f"questions-{slug}.csv")})


def audit_filter() -> tuple[AuditFilterForm, audit.AuditFilter]:
    form = AuditFilterForm(request.args)
    if not form.validate():
        return form, audit.AuditFilter()
    return form, audit.AuditFilter(action=form.action.data or None,
                                   person=form.person.data or None,
                                   since=form.since.data, until=form.until.data)


@bp.get("/audit/")
@role_required(*REPORT_ROLES)
def audit_trail():
    form, wanted = audit_filter()
    before = request.args.get("before", type=int)
    entries = audit.entries(db.session, scope_path(db.session, current_user), wanted,
                            before_id=before if before and 0 < before < 2**62 else None)
    older_args = {k: v for k, v in request.args.items() if k != "before"}
    return render_template("admin/audit.html", form=form, entries=entries, labels=ACTION_LABELS,
                           older=entries[-1].id if len(entries) == audit.PAGE_SIZE else None,
                           older_args=older_args)


@bp.get("/audit.csv")
@role_required(*REPORT_ROLES)
def audit_export():
    _form, wanted = audit_filter()
    prefix = scope_path(db.session, current_user)
    if prefix is None:
        abort(403)
    audit.record(db.session, current_actor(), "audit-exported", unit_path=prefix,
                 details={"filter": {k: str(v) for k, v in vars(wanted).items() if v}})
    db.session.commit()
    header = ["time (Vietnam)", "actor", "actor id", "address", "action", "person",
              "person id", "details"]
    rows = ([format_moment(e.at), e.actor_name, e.actor_id, e.address, e.action,
             e.subject_name, e.subject_user_id, audit.details_text(e)]
            for e in audit.all_entries(db.session, prefix, wanted))
    return Response(stream_with_context(csv_lines(header, rows)),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
