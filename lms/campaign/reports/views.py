"""Campaign dashboards, assignments, targets and exports, per organisation unit."""
from __future__ import annotations

from datetime import timedelta

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, stream_with_context, url_for)
from flask_babel import format_number, gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.auth.access import current_actor, role_required
from lms.catalog import current_catalog
from lms.extensions import db
from lms.i18n import select_language
from lms.models import OrgUnit
from lms.export_files import XLSX_MAX_ROWS, attachment, csv_lines, file_chunks, xlsx_file
from lms.campaign.reports import headings
from lms.campaign.reports.forms import AssignmentForm, TargetForm, UnitForm
from lms.campaign.reports.labels import AGE_LABELS, AUDIENCE_LABELS, CHANNEL_LABELS, \
    KIND_LABELS, REMINDER_RULE_LABELS, REMINDER_STATUS_LABELS, UNIT_KIND_LABELS
from lms.campaign import (assignments, charts, dashboard, errors, exports, reminders, scope,
                          snapshot, targets, unit_changes)
from lms.services import clock
from lms.support.figures import figures as support_figures
from lms.services.access import REPORT_ROLES, scope_path

bp = Blueprint("reports", __name__, url_prefix="/reports")

FORM_ERRORS = {
    "unknown-unit": _l("No unit with this code among the units you manage."),
    "unknown-subject": _l("Choose a course or program."),
    "unknown-program": _l("Choose a program."),
    "unit-or-people": _l("Give either a unit code or a list of people, not both."),
    "unknown-people": _l("Not found among the people you manage:"),
    "too-many": _l("At most 500 people at once; assign a whole unit instead."),
    "past": _l("Choose today or a later date."),
    "percent-range": _l("A percentage is between 1 and 100."),
    "positive": _l("Enter a number above 0."),
    "invalid": _l("Choose one of the options."),
    "only-civil-servant": _l("This training is for civil servants only: choose “Civil servants”."),
    "only-citizen": _l("This training is for citizens only: choose “Citizens”."),
    "outside-audience": _l("Not in the audience you chose:"),
}


@bp.context_processor
def report_labels():
    return {"charts": charts, "AUDIENCE_LABELS": AUDIENCE_LABELS, "AGE_LABELS": AGE_LABELS,
            "KIND_LABELS": KIND_LABELS, "UNIT_KIND_LABELS": UNIT_KIND_LABELS,
            "may_edit_units": current_user.is_authenticated
            and current_user.role in unit_changes.UNIT_EDITOR_ROLES}


def unit_or_404(code: str) -> OrgUnit:
    # Out of scope is "not found", not "forbidden": it does not confirm the unit exists.
    return scope.visible_unit(db.session, current_user, code) or abort(404)


def table_order() -> tuple[str, int | None]:
    """The sub-unit tables' order and "below X%" filter from the query string (JS-off links)."""
    sort = request.args.get("sort", "percent")
    below = request.args.get("below", type=int)
    return (sort if sort in dashboard.SORTS else "percent",
            below if below is not None and 1 <= below <= 100 else None)


def dashboard_page(unit: OrgUnit | None):
    catalog, today = current_catalog(), clock.today()
    max_age = timedelta(seconds=current_app.config["LMS_REPORT_SNAPSHOT_MAX_AGE"])
    fresh = snapshot.fresh_snapshot(db.session, max_age)
    sort, below = table_order()
    return render_template(
        "reports/dashboard.html", catalog=catalog, today=today, sort=sort, below=below,
        arrange=dashboard.arrange, trail=scope.trail(db.session, current_user, unit),
        report=dashboard.dashboard(db.session, unit, catalog, today, fresh),
        assigned=assignments.summaries(db.session, unit.path if unit else "", catalog, today,
                                       snapshot=fresh),
        support=support_figures(db.session, unit.path if unit else ""))


@bp.get("/")
@role_required(*REPORT_ROLES)
def index():
    may_see, unit = scope.home_unit(db.session, current_user)
    if not may_see:
        abort(403)
    return dashboard_page(unit)


@bp.get("/units/<code>/")
@role_required(*REPORT_ROLES)
def unit(code: str):
    return dashboard_page(unit_or_404(code))


@bp.get("/units/<code>/<any(people, units):what>.<any(csv, xlsx):fmt>")
@role_required(*REPORT_ROLES)
def export(code: str, what: str, fmt: str):
    unit, catalog, language = unit_or_404(code), current_catalog(), select_language()
    today = clock.today()
    if what == "people":
        count = exports.people_count(db.session, unit.path) if fmt == "xlsx" else 0
        if count > XLSX_MAX_ROWS:
            flash(_("An Excel sheet holds at most %(limit)s people and %(unit)s has %(count)s. "
                    "Download the CSV file (Excel opens it too), or the export of a unit below.",
                    limit=format_number(XLSX_MAX_ROWS), unit=unit.name,
                    count=format_number(count)))
            return redirect(url_for("reports.unit", code=unit.code))
        reaching = exports.assignments_reaching(db.session, unit.path)
        columns = exports.person_columns(catalog, reaching)
        rows = exports.person_rows(db.session, unit.path, catalog, today, reaching=reaching)
    else:
        columns = exports.unit_columns(catalog)
        rows = exports.unit_rows(db.session, unit.path, catalog, today)
    header = [headings.heading(column, catalog, language) for column in columns]
    exports.record_export(db.session, current_actor(), unit.code, unit.path, what, fmt)
    db.session.commit()  # the trace is kept even if the download is cut short
    data = headings.readable_rows(columns, rows)
    filename = f"{unit.code}-{what}-{clock.today().isoformat()}.{fmt}"
    headers = {"Content-Disposition": attachment(filename)}
    if fmt == "csv":
        return Response(stream_with_context(csv_lines(header, data)),
                        mimetype="text/csv", headers=headers,
                        content_type="text/csv; charset=utf-8")
    return Response(file_chunks(xlsx_file(header, data, unit.code)), headers=headers,
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def form_error(form, error: errors.ReportError) -> None:
    message = str(FORM_ERRORS[error.code])
    if isinstance(error, assignments.UnknownPeople):
        message = f"{message} {', '.join(error.unknown)}"
    field = getattr(form, error.field, None) or form.unit
    field.errors = [*field.errors, message]


@bp.route("/assignments/", methods=["GET", "POST"])
@role_required(*REPORT_ROLES)
def assignment_list():
    catalog, today = current_catalog(), clock.today()
    form = AssignmentForm(unit=request.args.get("unit", ""))
    form.subject.choices = [SelectChoice(value, label) for value, label
                            in assignments.subject_choices(catalog, select_language())]
    if form.validate_on_submit():
        try:
            assignments.create_assignment(
                db.session, current_user, catalog, subject=form.subject.data,
                unit_code=form.unit.data or "", people=form.people.data or "",
                due_on=form.due_on.data, today_=today, actor=current_actor(),
                audience=form.audience.data)
        except errors.ReportError as error:
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("The training is assigned."))
            return redirect(url_for("reports.assignment_list"))
    prefix = scope_path(db.session, current_user)
    items = [] if prefix is None else assignments.summaries(db.session, prefix, catalog, today)
    sent = reminders.counts(db.session, prefix or "", [item.assignment.id for item in items])
    return render_template("reports/assignments.html", form=form, items=items, today=today,
                           reminders=sent, RULE_LABELS=REMINDER_RULE_LABELS,
                           CHANNEL_LABELS=CHANNEL_LABELS,
                           STATUS_LABELS=REMINDER_STATUS_LABELS), 422 if form.errors else 200


@bp.route("/targets/", methods=["GET", "POST"])
@role_required(*REPORT_ROLES)
def target_list():
    catalog, today = current_catalog(), clock.today()
    form = TargetForm(unit=request.args.get("unit", ""))
    form.program.choices = [SelectChoice(p.slug, p.title(select_language()))
                            for p in catalog.programs]
    if form.validate_on_submit():
        try:
            targets.create_target(
                db.session, current_user, catalog, unit_code=form.unit.data,
                program_slug=form.program.data, audience=form.audience.data,
                kind=form.kind.data, value=form.value.data, deadline=form.deadline.data,
                today_=today, actor=current_actor())
        except errors.ReportError as error:
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("The target is saved."))
            return redirect(url_for("reports.target_list"))
    return render_template("reports/targets.html", form=form, catalog=catalog, today=today,
                           targets=targets.visible_targets(db.session, current_user, today)
                           ), 422 if form.errors else 200


@bp.route("/assignments/<id:assignment_id>/remove", methods=["GET", "POST"])
@role_required(*REPORT_ROLES)
def remove_assignment(assignment_id: int):
    assignment = assignments.removable_assignment(db.session, current_user, assignment_id)
    if assignment is None:
        abort(404)
    if request.method == "POST":
        assignments.remove_assignment(db.session, assignment, current_actor())
        db.session.commit()
        flash(_("The assignment is removed."))
        return redirect(url_for("reports.assignment_list"))
    subject = assignments.subject_of(current_catalog(), assignment.subject_kind,
                                     assignment.subject_slug)
    return render_template("reports/remove.html", kind="assignment", item=assignment,
                           subject=subject, back=url_for("reports.assignment_list"))


@bp.route("/targets/<id:target_id>/remove", methods=["GET", "POST"])
@role_required(*REPORT_ROLES)
def remove_target(target_id: int):
    target = targets.removable_target(db.session, current_user, target_id)
    if target is None:
        abort(404)
    if request.method == "POST":
        targets.remove_target(db.session, target, current_actor())
        db.session.commit()
        flash(_("The target is removed."))
        return redirect(url_for("reports.target_list"))
    return render_template("reports/remove.html", kind="target", item=target,
                           subject=current_catalog().program(target.program_slug),
                           back=url_for("reports.target_list"))


def unit_fields(form: UnitForm, unit=None) -> unit_changes.UnitFields:
    return unit_changes.UnitFields(
        unit.code if unit else form.code.data or "", form.name.data or "", form.kind.data or "",
        form.parent_code.data or "", form.expected_residents.data or "",
        form.expected_civil_servants.data or "")


def unit_form_errors(form: UnitForm, error: unit_changes.UnitChangeError) -> None:
    for problem in error.problems:
        field = getattr(form, problem.column or "code", None) or form.code
        field.errors = [*field.errors, problem.message(_)]


@bp.route("/manage-units/", methods=["GET", "POST"])
@role_required(*unit_changes.UNIT_EDITOR_ROLES)
def unit_list():
    """Browse the units one level at a time and add one under the unit being looked at."""
    under_code = request.args.get("under", "")
    under = unit_or_404(under_code) if under_code else None
    form = UnitForm(parent_code=under.code if under else "")
    if form.validate_on_submit():
        try:
            made = unit_changes.create_unit(db.session, current_user, unit_fields(form),
                                            current_actor())
        except unit_changes.UnitChangeError as error:
            unit_form_errors(form, error)
        else:
            db.session.commit()
            flash(_("The unit %(name)s is added.", name=made.name))
            return redirect(url_for("reports.unit_list",
                                    under=made.parent.code if made.parent else None))
    return render_template("reports/units.html", form=form, under=under,
                           trail=scope.trail(db.session, current_user, under),
                           units=unit_changes.units_under(db.session, current_user, under)
                           ), 422 if form.errors else 200


@bp.route("/manage-units/<code>/", methods=["GET", "POST"])
@role_required(*unit_changes.UNIT_EDITOR_ROLES)
def edit_unit(code: str):
    unit = unit_or_404(code)
    form = UnitForm(obj=unit, parent_code=unit.parent.code if unit.parent else "")
    if request.method == "GET":  # numbers shown as typed; empty when not given
        for name in unit_changes.EXPECTED_COLUMNS:
            value = getattr(unit, name)
            getattr(form, name).data = "" if value is None else str(value)
    if form.validate_on_submit():
        try:
            unit_changes.change_unit(db.session, current_user, unit, unit_fields(form, unit),
                                     current_actor())
        except unit_changes.UnitChangeError as error:  # nothing was changed
            unit_form_errors(form, error)
        else:
            db.session.commit()
            flash(_("The unit %(name)s is saved.", name=unit.name))
            return redirect(url_for("reports.unit_list",
                                    under=unit.parent.code if unit.parent else None))
    return render_template("reports/unit_edit.html", form=form, unit=unit,
                           trail=scope.trail(db.session, current_user, unit)
                           ), 422 if form.errors else 200
