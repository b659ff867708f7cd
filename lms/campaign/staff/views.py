"""Importing civil servants and activating their accounts."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, make_response, render_template, request,
                   url_for)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.auth.access import current_actor, role_required
from lms.errors import render_error
from lms.extensions import db
from lms.models import User
from lms.campaign import slips, staff_import, staff_sheet
from lms.campaign.staff.forms import (ASSIST_ERRORS, AssistForm, ConfirmForm, FindPersonForm,
                                      ImportForm, SlipsForm, changes_message, conflict_message,
                                      file_error_message, row_problem_message)
from lms.issuing import public_url
from lms.campaign.staff_import import StaffPlan
from lms.campaign.staff_sheet import MAX_FILE_BYTES, StaffFileError, StaffSheet
from lms.services import clock, recovery

bp = Blueprint("staff", __name__, url_prefix="/staff")
STAFF_ROLES = ("manager", "organiser", "admin")
# Room for the multipart wrapping around a file of the largest allowed size.
MAX_REQUEST_BYTES = MAX_FILE_BYTES + 64 * 1024


@bp.errorhandler(413)
def file_too_big(error):
    if not (current_user.is_authenticated and current_user.role in STAFF_ROLES):
        return render_error(error)
    message = file_error_message(StaffFileError("too-big",
                                                megabytes=MAX_FILE_BYTES // (1024 * 1024)))
    return import_page(ImportForm(formdata=None), message, 413)


def import_page(form: ImportForm, error: str | None = None, status: int | None = None):
    if error:
        form.file.errors = [*form.file.errors, error]
    return render_template("staff/import.html", form=form), status or (422 if form.errors
                                                                        else 200)


def plan_page(plan: StaffPlan, sheet: StaffSheet, changed: bool = False,
              decisions: dict[int, str] | None = None, asked: bool = False):
    confirm = ConfirmForm(sheet=staff_sheet.encode_sheet(sheet), digest=plan.digest)
    return render_template("staff/plan.html", plan=plan, confirm=confirm, changed=changed,
                           decisions=decisions or {}, asked=asked,
                           conflict_message=conflict_message,
                           row_problem_message=row_problem_message,
                           changes_message=changes_message)


@bp.route("/import", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def import_staff():
    """GET: the upload form; POST: a dry run showing what the import would do, row by row."""
    if request.method == "POST" and (request.content_length or 0) > MAX_REQUEST_BYTES:
        abort(413)
    form = ImportForm()
    if not form.validate_on_submit():
        return import_page(form)
    try:
        sheet = staff_sheet.read_staff_file(form.file.data.read(MAX_FILE_BYTES + 1))
    except StaffFileError as error:
        return import_page(form, file_error_message(error))
    return plan_page(staff_import.plan_staff_import(db.session, sheet, current_user), sheet)


@bp.post("/import/confirm")
@role_required(*STAFF_ROLES)
def confirm_import():
    """Imports the checked file, if it would still do what the dry run showed."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sheet = staff_sheet.decode_sheet(form.sheet.data or "")
    except StaffFileError:
        abort(400)
    decisions = staff_import.parse_decisions(request.form.items())
    leave_out = form.leave_out.data
    plan = staff_import.plan_staff_import(db.session, sheet, current_user, decisions=decisions)
    if plan.digest != form.digest.data or (plan.has_problems and not leave_out):
        return plan_page(plan, sheet, changed=True), 409
    if not plan.ready(leave_out):  # a choice left unmade: ask again, keeping the ones made
        return plan_page(plan, sheet, decisions=decisions, asked=True), 422
    try:
        issued = staff_import.apply_staff_import(db.session, plan, current_actor(),
                                                 leave_out_problems=leave_out)
        db.session.commit()
    except IntegrityError:  # someone imported the same people at the same moment
        db.session.rollback()
        plan = staff_import.plan_staff_import(db.session, sheet, current_user,
                                              decisions=decisions)
        return plan_page(plan, sheet, changed=True), 409
    return render_template("staff/codes.html", plan=plan, issued=issued,
                           slips_form=slips_form(slips.slips_of(issued)),
                           row_problem_message=row_problem_message)


def slips_form(issued: list[slips.Slip]) -> SlipsForm:
    return SlipsForm(slips=slips.seal(issued, current_app.config["SECRET_KEY"]))


@bp.post("/slips.pdf")
@role_required(*STAFF_ROLES)
def activation_slips():
    """The codes just shown, as an A4 sheet of cut-out slips with a QR code to activate."""
    form = SlipsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        issued = slips.unseal(form.slips.data, current_app.config["SECRET_KEY"])
    except ValueError:
        abort(400)
    address = public_url() + url_for("auth.activate")
    html = render_template("staff/slips_pdf.html", slips=issued, address=address,
                           qr=slips.qr_code(address))
    response = make_response(slips.slips_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="activation-slips.pdf"'
    return response


@bp.get("/people")
@role_required(*STAFF_ROLES)
def find_person():
    """Assisted recovery, step 1: find the person standing in front of you."""
    form = FindPersonForm(request.args, meta={"csrf": False})
    found = (recovery.people_to_assist(db.session, current_user, form.q.data)
             if form.q.data and form.validate() else None)
    return render_template("staff/people.html", form=form, found=found, assist=AssistForm())


@bp.post("/people/<int:user_id>/code")
@role_required(*STAFF_ROLES)
def assist_person(user_id: int):
    """Step 2: a one-time code printed for them (or a new activation code), in the audit trail."""
    if not AssistForm().validate_on_submit():
        abort(400)
    person = db.session.get(User, user_id) if user_id < 2 ** 31 else None
    if person is None:
        abort(404)
    try:
        kind, issued = recovery.assist(db.session, current_user, person, current_actor(),
                                       clock.now())
    except recovery.AssistError as error:
        return render_template("staff/people.html", form=FindPersonForm(meta={"csrf": False}),
                               found=None, assist=AssistForm(),
                               error=ASSIST_ERRORS[error.code]), 403
    db.session.commit()
    slip = slips.Slip(person.full_name, issued.target, person.org_unit.name if person.org_unit
                      else "", issued.code, issued.expires_at)
    return render_template("staff/assist_code.html", kind=kind, issued=issued, person=person,
                           slips_form=slips_form([slip]) if kind == "activation" else None)
