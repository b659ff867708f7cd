"""A learner's own page: their courses, results and settings, and their personal data."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from lms import limits, unit_picker
from lms.account_messages import ACCOUNT_ERRORS
from lms.catalog import current_catalog
from lms.extensions import db, limiter
from lms.me.forms import (DeleteAccountForm, PasswordForm, ProfileForm, ReminderForm,
                          SignOutOthersForm)
from lms.security import sign_in
from lms.campaign import assignments, reminders
from lms.services import accounts, clock, personal_data, quizzes, record, recovery, sessions

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.get("/")
@login_required
def index():
    attempts = quizzes.latest_results(db.session, current_user.id)
    catalog = current_catalog()
    mine = record.own_record(db.session, current_user.id, catalog)
    assigned = assignments.for_learner(db.session, current_user, catalog, clock.today())
    return render_template("me/index.html", catalog=catalog, attempts=attempts,
                           courses=mine.started, certificates=mine.certificates,
                           assigned=assigned, notices=reminders.notices(assigned))


def settings_page(profile: ProfileForm | None = None, password: PasswordForm | None = None,
                  status: int = 200):
    profile = profile or ProfileForm(prefix="profile", full_name=current_user.full_name,
                                     org_unit=current_user.org_unit_id)
    unit_picker.fill(profile, db.session, current_user.org_unit_id)
    password = password or PasswordForm(prefix="password")
    # formdata=None: after another form's POST, its absent boxes must not read as unticked.
    chosen = ReminderForm(formdata=None, prefix="reminders",
                          sms=not reminders.opted_out(current_user, "sms"),
                          email=not reminders.opted_out(current_user, "email"))
    return render_template("me/settings.html", profile=profile, password=password,
                           others=SignOutOthersForm(prefix="others"), reminder_form=chosen,
                           reaches={channel: reminders.contact(current_user, channel)
                                    for channel in ("sms", "email")},
                           own_unit=accounts.chooses_own_unit(current_user),
                           unproven=recovery.unproven_identifier(current_user),
                           devices=sessions.count(db.session, current_user, clock.now())), status


@bp.get("/settings")
@login_required
def settings():
    return settings_page()


@bp.post("/settings/profile")
@login_required
def save_profile():
    form = ProfileForm(prefix="profile")
    if unit_picker.only_choosing_province(form):
        return settings_page(profile=form)
    if not accounts.chooses_own_unit(current_user):
        form.org_unit.validators = ()  # not theirs to change: the service keeps it too
    valid = form.validate_on_submit()
    unit_picker.fill(form, db.session)
    try:
        accounts.update_profile(db.session, current_user, form.full_name.data, form.org_unit.data)
    except accounts.AccountError as error:
        for field, code in error.problems:
            getattr(form, field).errors = [*getattr(form, field).errors, ACCOUNT_ERRORS[code]]
        valid = False
    if not valid:
        db.session.rollback()
        return settings_page(profile=form, status=422)
    db.session.commit()
    flash(_("Your details are saved."))
    return redirect(url_for("me.settings"))


@bp.post("/settings/password")
@login_required
@limiter.limit(limits.REAUTHENTICATION, key_func=limits.signed_in_person,
               deduct_when=limits.failed)
def change_password():
    form = PasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except accounts.AccountError as error:
            field = form.current_password if error.field == "current_password" else form.password
            field.errors.append(ACCOUNT_ERRORS[error.code])
        else:
            db.session.commit()
            sign_in(current_user)  # a new session here; every other device is signed out
            flash(_("Your password is changed. Other devices have been signed out."))
            return redirect(url_for("me.settings"))
    return settings_page(password=form, status=422)


@bp.post("/settings/reminders")
@login_required
def save_reminders():
    form = ReminderForm(prefix="reminders")
    if not form.validate_on_submit():
        return settings_page(status=400)
    reminders.choose_channels(current_user, form.sms.data, form.email.data, clock.now())
    db.session.commit()
    flash(_("Your choice of reminders is saved."))
    return redirect(url_for("me.settings", _anchor="reminders"))


@bp.post("/settings/sign-out-others")
@login_required
def sign_out_others():
    """For a lost or shared phone: every device but this one is signed out."""
    if not SignOutOthersForm(prefix="others").validate_on_submit():
        return settings_page(status=400)
    ended = sessions.end_others(db.session, current_user, current_user.device_token)
    db.session.commit()
    flash(_("Signed out on %(count)d other devices.", count=ended))
    return redirect(url_for("me.settings"))


@bp.get("/data.json")
@login_required
def download_data():
    data = personal_data.export(db.session, current_user, current_catalog(), clock.now())
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=lms-my-data.json"})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(limits.REAUTHENTICATION, key_func=limits.signed_in_person, methods=["POST"],
               deduct_when=limits.failed)
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_account(db.session, current_user, form.password.data,
                                         clock.now())
        except accounts.AccountError as error:
            form.password.errors.append(ACCOUNT_ERRORS[error.code])
        else:
            db.session.commit()
            logout_user()
            flash(_("Your account and your data have been deleted. Certificates you earned "
                    "still verify, with your name masked."))
            return redirect(url_for("learn.index"))
    return render_template("me/delete.html", form=form)
