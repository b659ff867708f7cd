"""Support points: finding help, helpers and their points, people registered with a learner
card, and the shared device a point's visitors take turns on."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from lms import limits
from lms.account_messages import send_code
from lms.auth.access import current_actor, role_required
from lms.export_files import attachment, csv_lines, file_chunks, xlsx_file
from lms.extensions import db, limiter
from lms.issuing import public_url
from lms.models import User
from lms.security import sign_in, sign_out
from lms.services import access, accounts, clock, sessions
from lms.services.personal_data import NOTICE_VERSION
from lms.support import card_pdf, cards, figures, log, points, shared_device
from lms.support.forms import (AGE_GROUP_NAMES, OUTCOME_NAMES, CardSignInForm, ConfirmForm,
                               DeviceForm, FindCardForm, GrantHelperForm, LinkPhoneForm,
                               PointForm, RegisterLearnerForm, ReplaceCardForm, ServiceForm,
                               VisitForm, options, service_name, show_problems)
from lms.support.points import SupportError

bp = Blueprint("support", __name__, url_prefix="/support")
MANAGERS = ("manager", "organiser", "admin")


# --- the shared device: every request ---------------------------------------------------------

@bp.before_app_request
def keep_shared_device_clean():
    """On a shared device, each request pushes the idle timeout on; a session that timed out
    leaves nothing of its person behind (the next one starts clean)."""
    if request.endpoint == "static" or shared_device.current() is None:
        return None
    if current_user.is_authenticated and current_user.device_token:
        sessions.extend(db.session, current_user.device_token,
                        clock.now() + shared_device.idle_limit())
        db.session.commit()
    elif "_user_id" in session:  # the server ended it: idle for too long
        session.clear()
        logout_user()
        return shared_device.forget_saved_copies(redirect(url_for("support.device_ended")))
    return None


@bp.app_context_processor
def shared_device_context():
    device = shared_device.current()
    return {"shared_device": device and {
        "idle_seconds": int(shared_device.idle_limit().total_seconds())}}


# --- public: finding help ---------------------------------------------------------------------

@bp.get("/")
def find_help():
    return render_template("support/find.html",
                           provinces=points.communes_with_points(db.session))


@bp.get("/communes/<code>")
def commune_points(code: str):
    commune = points.public_commune(db.session, code)
    if commune is None:
        abort(404)
    return render_template("support/commune.html", commune=commune,
                           points=points.open_points_in(db.session, commune))


# --- managers: helpers and points -------------------------------------------------------------

@bp.route("/helpers", methods=["GET", "POST"])
@role_required(*MANAGERS)
def helpers():
    form = GrantHelperForm()
    form.unit.choices = options((c.id, c.name) for c in points.communes_for(db.session,
                                                                           current_user))
    if form.validate_on_submit():
        _parsed, person = accounts.account_typed(db.session, form.identifier.data)
        try:
            points.grant_helper(db.session, current_user, person, form.unit.data,
                                current_actor())
        except SupportError as error:
            show_problems(form, error.problems)
        else:
            db.session.commit()
            flash(_("%(name)s is now a helper.", name=person.full_name))
            return redirect(url_for("support.helpers"))
    return render_template("support/helpers.html", form=form, remove=ConfirmForm(),
                           helpers=points.helpers_of(db.session, current_user)
                           ), 422 if form.errors else 200


@bp.post("/helpers/<id:user_id>/remove")
@role_required(*MANAGERS)
def remove_helper(user_id: int):
    person = db.session.get(User, user_id)
    if not ConfirmForm().validate_on_submit() or person is None:
        abort(400 if person else 404)
    try:
        points.remove_helper(db.session, current_user, person, current_actor())
    except SupportError:
        abort(403)
    db.session.commit()
    flash(_("%(name)s is no longer a helper.", name=person.full_name))
    return redirect(url_for("support.helpers"))


@bp.get("/points")
@role_required(*MANAGERS)
def manage_points():
    return render_template("support/points.html", close=ConfirmForm(),
                           points=points.points_managed_by(db.session, current_user))


@bp.route("/points/new", methods=["GET", "POST"])
@bp.route("/points/<id:point_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_point(point_id: int | None = None):
    point = points.point_managed_by(db.session, current_user, point_id) if point_id else None
    if point_id and point is None:
        abort(404)
    form = PointForm(obj=point if request.method == "GET" else None)
    if point is not None and request.method == "GET":
        form.commune.data, form.helpers.data = point.commune_id, [h.id for h in point.helpers]
    form.commune.choices = options((c.id, c.name) for c in points.communes_for(db.session,
                                                                              current_user))
    form.helpers.choices = options(((h.id, h.full_name) for h in points.helpers_of(
        db.session, current_user)), choose=False)
    if request.method == "POST":
        form.validate_on_submit()  # the field rules; the point's rules come next, all shown
        details = points.PointDetails(form.name.data, form.address.data, form.commune.data,
                                      form.kind.data, form.opening_times.data,
                                      tuple(form.helpers.data or ()))
        try:
            points.save_point(db.session, current_user, point, details, current_actor())
        except SupportError as error:
            db.session.rollback()
            show_problems(form, [p for p in error.problems if not getattr(form, p[0]).errors])
        else:
            if not form.errors:
                db.session.commit()
                flash(_("The support point is saved."))
                return redirect(url_for("support.manage_points"))
            db.session.rollback()
    return render_template("support/point_form.html", form=form, point=point
                           ), 422 if form.errors else 200


@bp.post("/points/<id:point_id>/close")
@role_required(*MANAGERS)
def close_point(point_id: int):
    point = points.point_managed_by(db.session, current_user, point_id)
    if point is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    points.close_point(db.session, point, current_actor(), clock.now())
    db.session.commit()
    flash(_("The point “%(name)s” is closed.", name=point.name))
    return redirect(url_for("support.manage_points"))


# --- helpers: people with a learner card ------------------------------------------------------

@bp.get("/help")
@role_required("helper")
def helper_home():
    form = FindCardForm(request.args, meta={"csrf": False})
    found = (cards.find_card_holders(db.session, current_user, form.q.data)
             if form.q.data and form.validate() else None)
    return render_template("support/help.html", form=form, found=found,
                           points=points.points_of_helper(db.session, current_user))


@bp.get("/notice")
@role_required("helper")
def printable_notice():
    return render_template("support/notice.html", version=NOTICE_VERSION)


@bp.route("/people/new", methods=["GET", "POST"])
@role_required("helper")
def register_learner():
    form = RegisterLearnerForm()
    form.commune.choices = options((c.id, c.name) for c in points.communes_for(db.session,
                                                                              current_user))
    if request.method == "POST":
        form.validate_on_submit()  # the field rules; the registration rules come next, all shown
        new = cards.NewLearner(form.full_name.data or "", form.birth_year.data,
                               form.commune.data, form.pin.data or "", form.read_aloud.data)
        try:
            card = cards.register(db.session, current_user, new, current_actor(), clock.now())
        except SupportError as error:
            show_problems(form, [p for p in error.problems if not getattr(form, p[0]).errors])
        else:
            if not form.errors:
                db.session.commit()
                flash(_("%(name)s is registered. Print their card now.",
                        name=card.user.full_name))
                return redirect(url_for("support.card", card_id=card.id))
            db.session.rollback()
    return render_template("support/register.html", form=form), 422 if form.errors else 200


def card_or_404(card_id: int):
    card = cards.card_of_person(db.session, current_user, card_id)
    if card is None:
        abort(404)
    return card


@bp.get("/cards/<id:card_id>")
@role_required("helper")
def card(card_id: int):
    found = card_or_404(card_id)
    cards.viewed(db.session, found, current_actor(), clock.now())
    db.session.commit()
    return render_template("support/card.html", card=found,
                           replace=ReplaceCardForm(), revoke=ConfirmForm(),
                           shown_number=cards.shown_number)


@bp.get("/cards/<id:card_id>/card.pdf")
@role_required("helper")
def card_file(card_id: int):
    found = card_or_404(card_id)
    if found.revoked_at is not None:
        abort(404)
    sign_in_url = public_url() + url_for("support.card_sign_in", number=found.number)
    html = render_template("support/card_pdf.html", card=found, url=sign_in_url,
                           number=cards.shown_number(found.number),
                           qr=card_pdf.qr_data_uri(sign_in_url))
    cards.printed(db.session, found, current_actor(), clock.now())
    db.session.commit()
    return Response(card_pdf.render(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="card-{found.number}.pdf"'})


@bp.post("/cards/<id:card_id>/replace")
@role_required("helper")
def replace_card(card_id: int):
    old = card_or_404(card_id)
    form = ReplaceCardForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        new = cards.replace(db.session, current_user, old, form.pin.data or "",
                            current_actor(), clock.now())
    except SupportError as error:
        show_problems(form, error.problems)
        return render_template("support/card.html", card=old, replace=form,
                               revoke=ConfirmForm(), shown_number=cards.shown_number), 422
    db.session.commit()
    flash(_("The old card no longer works. Print the new card now."))
    return redirect(url_for("support.card", card_id=new.id))


@bp.post("/cards/<id:card_id>/revoke")
@role_required("helper")
def revoke_card(card_id: int):
    found = card_or_404(card_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cards.revoke(db.session, found, current_actor(), clock.now())
    db.session.commit()
    flash(_("The card no longer signs anyone in."))
    return redirect(url_for("support.card", card_id=found.id))


# --- the support log -------------------------------------------------------------------------

def visit_form(form: VisitForm | None = None) -> VisitForm:
    """The log form as sent, or (None) a fresh one with a new token."""
    fresh = form is None
    form = form or VisitForm(token=log.new_token())
    communes = points.communes_for(db.session, current_user)
    form.place.choices = options(
        (value, name if value.startswith("point-") else _("Door to door in %(commune)s",
                                                            commune=name))
        for value, name in log.places(db.session, current_user, communes))
    form.services.choices = options(((s.code, service_name(s)) for s in log.offered_services(
        db.session)), choose=False)
    if fresh and len(form.place.choices) > 1:  # one tap fewer: their first point
        form.place.data = form.place.choices[1].value
    return form


def service_names() -> dict[str, str]:
    every = log.offered_services(db.session) + log.retired_services(db.session)
    return {service.code: service_name(service) for service in every}


@bp.route("/log", methods=["GET", "POST"])
@role_required("helper")
def support_log():
    """A few taps per visit; a double tap or a resent form records once."""
    form = visit_form(VisitForm() if request.method == "POST" else None)
    if request.method == "POST":
        form.validate_on_submit()  # CSRF and the field types; the log's rules next, all shown
        visit = log.Visit(form.token.data or "", form.place.data or "", form.person.data or "",
                          form.people_count.data, form.age_group.data,
                          tuple(form.services.data or ()), form.outcome.data, form.minutes.data)
        try:
            _row, new = log.record_visit(db.session, current_user, visit, current_actor(),
                                         clock.now())
        except SupportError as error:
            show_problems(form, [p for p in error.problems if not getattr(form, p[0]).errors])
        else:
            if not form.errors:
                db.session.commit()
                flash(_("Recorded. Thank you!") if new else
                      _("This visit was already recorded: it counts once."))
                return redirect(url_for("support.support_log"))
            db.session.rollback()
    return render_template("support/log.html", form=form, service_names=service_names(),
                           visits=log.visits_by(db.session, current_user),
                           age_group_names=AGE_GROUP_NAMES, outcome_names=OUTCOME_NAMES,
                           ), 422 if form.errors else 200


@bp.route("/services", methods=["GET", "POST"])
@role_required("organiser", "admin")
def services():
    """Organisers keep the list of services the log offers."""
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            added = log.add_service(db.session, form.name.data)
        except SupportError as error:
            show_problems(form, error.problems)
        else:
            db.session.commit()
            flash(_("“%(name)s” is on the list.", name=added.name))
            return redirect(url_for("support.services"))
    return render_template("support/services.html", form=form, change=ConfirmForm(),
                           offered=log.offered_services(db.session),
                           retired=log.retired_services(db.session),
                           service_name=service_name), 422 if form.errors else 200


@bp.post("/services/<code>/<any(retire, 'bring-back'):change>")
@role_required("organiser", "admin")
def change_service(code: str, change: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if change == "retire":
        log.retire_service(db.session, code, clock.now())
    else:
        log.bring_back_service(db.session, code)
    db.session.commit()
    return redirect(url_for("support.services"))


# --- reports ---------------------------------------------------------------------------------

def report_unit_or_404():
    unit = figures.report_unit(db.session, access.scope_path(db.session, current_user),
                               request.args.get("unit"))
    if unit is False:
        abort(404)
    return unit


@bp.get("/report")
@role_required(*access.REPORT_ROLES)
def report():
    unit = report_unit_or_404()
    found = figures.figures(db.session, unit.path if unit else "", _("Door to door"))
    return render_template("support/report.html", unit=unit, found=found,
                           below=figures.units_below(db.session, unit),
                           service_names=service_names(), age_group_names=AGE_GROUP_NAMES,
                           shown_month=figures.shown_month)


@bp.get("/report.<any(csv, xlsx):fmt>")
@role_required(*access.REPORT_ROLES)
def report_file(fmt: str):
    unit = report_unit_or_404()
    found = figures.figures(db.session, unit.path if unit else "", _("Door to door"))
    header = [_("Section"), _("Point, helper, commune or service"), _("Visits or count"),
              _("People helped"), *(str(AGE_GROUP_NAMES[group]) for group in log.AGE_GROUPS),
              _("Minutes")]
    labels = {"point": _("Support point"), "helper": _("Helper"), "commune": _("Commune"),
              "total": _("Total"), "service": _("Service done"), "month": _("Month"),
              "lessons": _("Lessons done with help"),
              "quizzes": _("Quizzes passed with help"), **service_names()}
    rows = figures.export_rows(found, labels)
    code = unit.code if unit else "all"
    headers = {"Content-Disposition": attachment(
        f"support-{code}-{clock.today().isoformat()}.{fmt}")}
    if fmt == "csv":
        return Response(csv_lines(header, rows), headers=headers,
                        content_type="text/csv; charset=utf-8")
    return Response(file_chunks(xlsx_file(header, rows, f"support-{code}")), headers=headers,
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- signing in with a card; a card holder's own phone ----------------------------------------

@bp.route("/card", methods=["GET", "POST"])
@limiter.limit(limits.SIGN_IN, key_func=limits.address_and_card, methods=["POST"],
               deduct_when=limits.failed)
@limiter.limit(limits.PER_ADDRESS, key_func=limits.address, methods=["POST"])
def card_sign_in():
    form = CardSignInForm(number=request.args.get("number"))
    if form.validate_on_submit():
        person = cards.authenticate(db.session, form.number.data, form.pin.data)
        if person is None:
            form.pin.errors.append(_("The card number or PIN is not correct, or the card no "
                                     "longer works. Ask a helper at a support point."))
        else:
            sign_in(person)
            return redirect(url_for("me.index"))
    return render_template("support/card_sign_in.html", form=form), 422 if form.errors else 200


@bp.route("/my-phone", methods=["GET", "POST"])
@login_required
@limiter.limit(limits.CODE_REQUEST, key_func=limits.signed_in_person, methods=["POST"])
def link_phone():
    """A card holder adds a phone of their own; the code sent to it proves it."""
    if current_user.phone or current_user.email:
        return redirect(url_for("me.settings"))
    form = LinkPhoneForm()
    if form.validate_on_submit():
        try:
            issued = cards.link_phone(db.session, current_user, form.phone.data, clock.now())
        except SupportError as error:
            show_problems(form, error.problems)
        else:
            db.session.commit()
            if not send_code(issued, "prove"):
                flash(_("We could not send the code just now. Please try again in a few "
                        "minutes."))
            return redirect(url_for("auth.prove"))
    return render_template("support/link_phone.html", form=form), 422 if form.errors else 200


# --- the shared device ------------------------------------------------------------------------

@bp.route("/device", methods=["GET", "POST"])
def device():
    """Signed out: the start page for the next person. A helper: turn support-point mode on."""
    if not (current_user.is_authenticated and current_user.role == "helper"):
        return render_template("support/device_start.html")
    form = DeviceForm()
    form.point.choices = options((p.id, p.name) for p in points.points_of_helper(db.session,
                                                                              current_user))
    if form.validate_on_submit():
        helper, actor = current_user._get_current_object(), current_actor()
        point = points.start_shared_device(db.session, helper, form.point.data, actor)
        if point is not None:
            sign_out()  # the helper's own session ends: the device now serves visitors
            session.clear()
            db.session.commit()
            return shared_device.mark(redirect(url_for("support.device")), point.id, helper.id)
        form.point.errors.append(_("Choose one of your support points."))
    return render_template("support/device.html", form=form, stop=ConfirmForm())


@bp.post("/device/done")
def device_done():
    """“Xong”: this person's session ends, and nothing of it stays for the next one."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sign_out()
    session.clear()
    flash(_("Thank you! You are signed out. The next person can start."))
    return shared_device.forget_saved_copies(redirect(url_for("support.device")))


@bp.get("/device/idle.css")
def idle_cover_css():
    """Covers the page once the server has signed its person out for being idle, with
    JavaScript off too: a meta refresh would do it, but a timed refresh fails WCAG 2.2.1
    (axe's "meta-refresh"), while a cover the person can read and tap does not."""
    css = render_template("support/idle_cover.css",
                          seconds=int(shared_device.idle_limit().total_seconds()))
    return Response(css, mimetype="text/css")


@bp.get("/device/ended")
def device_ended():
    if current_user.is_authenticated:  # the meta refresh came early: still in use
        return redirect(url_for("me.index"))
    return render_template("support/device_ended.html")


@bp.post("/device/stop")
@role_required("helper")
def device_stop():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    flash(_("This device is an ordinary one again."))
    return shared_device.unmark(redirect(url_for("support.helper_home")))
