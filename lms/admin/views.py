"""Administration pages: content problems, previews, publishing and question statistics for
trainers, the audit trail for administrators (and for managers, about their own units)."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import secure_filename

from lms.admin.forms import (ACTION_LABELS, IMPORT_MEGABYTES, AuditFilterForm,
                             PublisherForm, PublishForm, PutBackForm, QuestionImportForm,
                             QuizDownloadForm, UploadCourseForm)
from lms.auth.access import current_actor, role_required
from lms.catalog import course_or_404, current_catalog, lesson_or_404
from lms.content.imports import convert
from lms.content.imports.model import MAX_IMPORT_BYTES
from lms.content.schema import Course
from lms.errors import render_error
from lms.extensions import db
from lms.i18n import LANGUAGES, format_moment, select_language
from lms.models import ContentPackage, CoursePublisher, User
from lms.issuing import issue_settings
from lms.services import accounts, audit, certificates, clock, publishing
from lms.services.access import REPORT_ROLES, scope_path
from lms.services import quiz_stats
from lms.export_files import attachment, csv_lines

bp = Blueprint("admin", __name__, url_prefix="/admin")
CONTENT_ROLES = ("trainer", "admin")


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
    if request.endpoint == "admin.upload_course":
        return publish_page(upload_form(formdata=None), status=413, error=_(
            "The file is larger than %(megabytes)d MB: leave out large images, or upload the "
            "lessons one by one.",
            megabytes=current_app.config["MAX_CONTENT_LENGTH"] // 2**20))
    if request.endpoint != "admin.import_questions":
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


def preview_language() -> str:
    """The language a preview shows the content in (?language=en), the page's by default."""
    chosen = request.args.get("language")
    return chosen if chosen in LANGUAGES else select_language()


@bp.get("/preview/")
@role_required("trainer", "admin")
def preview_index():
    catalog = current_catalog()
    template_problems = {name: sum(p.path.startswith(f"certificates/templates/{name}/")
                                   for p in catalog.problems) for name in catalog.templates}
    return render_template("admin/preview.html", catalog=catalog,
                           template_problems=template_problems)


@bp.get("/preview/<slug>/<lesson_slug>/")
@role_required("trainer", "admin")
def preview_lesson(slug: str, lesson_slug: str):
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    return render_template("admin/preview_lesson.html", course=course, lesson=lesson,
                           language=preview_language(),
                           problems=current_catalog().problems_in(lesson.source))


@bp.get("/preview/<slug>/quiz/")
@role_required("trainer", "admin")
def preview_quiz(slug: str):
    course = course_or_404(slug)
    if course.quiz is None:
        abort(404)
    return render_template("admin/preview_quiz.html", course=course, quiz=course.quiz,
                           language=preview_language(),
                           problems=current_catalog().problems_in(course.quiz.source))


@bp.get("/preview/templates/<name>.pdf")
@role_required("trainer", "admin")
def preview_template(name: str):
    """A certificate template drawn with a sample person, as a program (or course) using it
    would be issued; its problems are on the preview page."""
    catalog = current_catalog()
    template = catalog.templates.get(name) or abort(404)
    subject = next((p for p in catalog.programs if p.template == name), None) or (
        catalog.courses[0] if catalog.courses else abort(404))
    pdf = certificates.sample_pdf(template.directory, subject, preview_language(),
                                  issue_settings(), clock.now())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}-mau.pdf"'})


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
                           actor_name=lambda entry: audit.actor_name(entry, _),
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


# Publishing courses through the web ------------------------------------------------------

def package_or_404(package_id: int) -> ContentPackage:
    package = db.session.get(ContentPackage, package_id)
    if package is None or not publishing.may_publish(db.session, current_user,
                                                     package.course_slug):
        abort(404)
    return package


def upload_form(**options) -> UploadCourseForm:
    """The upload form, offering (and accepting) only the courses this person may publish."""
    form = UploadCourseForm(**options)
    allowed = publishing.publishable_courses(db.session, current_user)
    courses = [c.slug for c in current_catalog().courses] if allowed is None else allowed
    form.course.choices = [("", "–")] + [(slug, slug) for slug in courses]
    return form


def publish_page(form: UploadCourseForm, error: str | None = None, status: int = 200):
    courses = [slug for slug, _label in form.course.choices[1:]]
    served = publishing.published(db.session)
    return render_template("admin/publish.html", form=form, error=error, courses=courses,
                           served=served, catalog=current_catalog()), status


@bp.get("/publish/")
@role_required("trainer", "admin")
def publish_index():
    return publish_page(upload_form())


@bp.post("/publish/")
@role_required("trainer", "admin")
def upload_course():
    form = upload_form()
    if not form.validate_on_submit():
        return publish_page(form, status=422)
    upload = form.file.data
    data = upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    name = secure_filename(upload.filename or "")
    try:
        if name.lower().endswith(".zip"):
            files = publishing.read_zip(data)
        elif not form.course.data:
            raise publishing.UploadError(_("For a single file, choose the course it belongs to."))
        else:
            base = current_app.config["LMS_CONTENT_DIR"]
            files = publishing.with_file(
                publishing.current_files(db.session, base, form.course.data),
                form.course.data, name, data)
        staged = publishing.stage(db.session, current_app.config["LMS_CONTENT_DIR"], files,
                                  current_user, current_actor(), clock.now())
    except publishing.UploadError as error:
        db.session.rollback()
        return publish_page(form, error=str(error), status=422)
    db.session.commit()
    return redirect(url_for("admin.staged", package_id=staged.package.id), code=303)


def staged_catalog(package: ContentPackage):
    """The catalog as it would be with this package published, for its preview."""
    return publishing.catalog_with(db.session, current_app.config["LMS_CONTENT_DIR"],
                                   package.course_slug, publishing.unpack(package))


@bp.get("/publish/<id:package_id>/")
@role_required("trainer", "admin")
def staged(package_id: int):
    package = package_or_404(package_id)
    course = staged_catalog(package).course(package.course_slug)
    served = publishing.published(db.session).get(package.course_slug)
    return render_template("admin/staged.html", package=package, course=course,
                           problems=publishing.kept_problems(package),
                           live=served == package.id, form=PublishForm())


@bp.get("/publish/<id:package_id>/<lesson_slug>/")
@role_required("trainer", "admin")
def staged_lesson(package_id: int, lesson_slug: str):
    package = package_or_404(package_id)
    catalog = staged_catalog(package)
    course = catalog.course(package.course_slug) or abort(404)
    lesson = lesson_or_404(course, lesson_slug)
    return render_template("admin/preview_lesson.html", course=course, lesson=lesson,
                           language=preview_language(), staged=package,
                           problems=catalog.problems_in(lesson.source))


@bp.post("/publish/<id:package_id>/publish")
@role_required("trainer", "admin")
def publish_package(package_id: int):
    package = package_or_404(package_id)
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        publishing.publish(db.session, package, current_user, current_actor(), clock.now())
    except publishing.PublishError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.staged", package_id=package.id), code=303)
    db.session.commit()
    flash(_("Published: learners see this version within a few seconds."))
    return redirect(url_for("admin.course_versions", slug=package.course_slug), code=303)


@bp.get("/publish/courses/<slug>/")
@role_required("trainer", "admin")
def course_versions(slug: str):
    if not publishing.may_publish(db.session, current_user, slug):
        abort(404)
    versions = publishing.history(db.session, slug)
    form = PutBackForm()
    form.package.choices = [("", _("The repository's own files"))] + [
        (str(p.id), _("Version %(id)d of %(day)s", id=p.id, day=format_moment(p.uploaded_at)))
        for p, _live in versions if not p.error_count]
    return render_template("admin/versions.html", slug=slug, versions=versions, form=form,
                           from_repository=publishing.published(db.session).get(slug) is None)


@bp.post("/publish/courses/<slug>/put-back")
@role_required("trainer", "admin")
def put_back(slug: str):
    form = PutBackForm()
    if not form.validate_on_submit() or not publishing.may_publish(db.session, current_user,
                                                                   slug):
        abort(400)
    choice = form.package.data or ""
    package_id = int(choice) if choice.isascii() and choice.isdigit() and len(choice) < 10 else None
    if choice and package_id is None:
        abort(400)
    try:
        publishing.put_back(db.session, slug, package_id, current_user, current_actor(),
                            clock.now())
    except publishing.PublishError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.course_versions", slug=slug), code=303)
    db.session.commit()
    flash(_("Put back: learners see that version within a few seconds."))
    return redirect(url_for("admin.course_versions", slug=slug), code=303)


@bp.route("/publishers/", methods=["GET", "POST"])
@role_required("admin")
def publishers():
    form = PublisherForm()
    status = 200
    if form.validate_on_submit():
        try:
            trainer = accounts.find_account(db.session,
                                            accounts.parse_identifier(form.identifier.data))
        except accounts.AccountError:
            trainer = None
        try:
            if trainer is None:
                raise publishing.PublishError(_("No account has this phone number or email."))
            if request.form.get("action") == "revoke":
                publishing.revoke(db.session, trainer, form.course.data.strip(), current_actor())
            else:
                publishing.grant(db.session, trainer, form.course.data.strip(), current_actor())
            db.session.commit()
            return redirect(url_for("admin.publishers"), code=303)
        except publishing.PublishError as error:
            db.session.rollback()
            form.identifier.errors.append(str(error))
    if form.errors:
        status = 422
    rows = db.session.execute(select(User, CoursePublisher.course_slug).join(
        CoursePublisher, CoursePublisher.user_id == User.id).order_by(
        CoursePublisher.course_slug, User.full_name)).all()
    return render_template("admin/publishers.html", form=form, rows=rows), status
