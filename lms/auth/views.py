"""Signing up, in and out, proving a phone or email, getting back in, choosing the language."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms import limits, unit_picker
from lms.account_messages import ACCOUNT_ERRORS, send_code
from lms.auth.forms import (ActivateForm, ForgotForm, LoginForm, ProveForm, RegisterForm,
                            ResetForm, SendAgainForm)
from lms.extensions import db, limiter
from lms.i18n import LANGUAGES
from lms.redirects import safe_next
from lms.security import sign_in, sign_out
from lms.campaign import activation
from lms.services import accounts, clock, personal_data, recovery

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(limits.SIGN_UP, key_func=limits.address_and_account, methods=["POST"])
@limiter.limit(limits.SIGN_UP_PER_ADDRESS, key_func=limits.address, methods=["POST"])
def register():
    form = RegisterForm(next=request.args.get("next"))
    unit_picker.fill(form, db.session)
    if request.method == "POST" and not unit_picker.only_choosing_province(form):
        form.validate_on_submit()  # the field rules; the account rules come next, all shown
        try:
            user = accounts.register(
                db.session, identifier=form.identifier.data, full_name=form.full_name.data,
                password=form.password.data, birth_year=form.birth_year.data,
                org_unit_id=form.org_unit.data, unit_required=bool(form.province.choices[1:]))
        except accounts.AccountError as error:
            show_problems(form, error)
        else:
            if not form.errors:
                return welcome(user, form.next.data)
            db.session.rollback()
    return render_template("auth/register.html", form=form)


def show_problems(form, error: accounts.AccountError) -> None:
    for field, code in error.problems:
        errors = getattr(form, field).errors
        if isinstance(errors, tuple):  # WTForms keeps a field that was not validated as ()
            errors = getattr(form, field).errors = list(errors)
        message = ACCOUNT_ERRORS[code]
        if str(message) not in map(str, errors):
            errors.append(message)


def welcome(user, next_page: str | None):
    """After sign-up: signed in, and a code sent to prove the phone number or email."""
    personal_data.record_consent(db.session, user, request.remote_addr, clock.now())
    issued = recovery.start_proof(db.session, user, clock.now())
    db.session.commit()
    sign_in(user)
    flash(_("Welcome, %(name)s! Your progress is now saved.", name=user.full_name))
    if issued and send_code(issued, "prove"):
        return redirect(url_for("auth.prove", next=safe_next(next_page, "") or None))
    return redirect(safe_next(next_page, url_for("me.index")))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits.SIGN_IN, key_func=limits.address_and_account, methods=["POST"],
               deduct_when=limits.failed)
@limiter.limit(limits.PER_ADDRESS, key_func=limits.address, methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.identifier.data, form.password.data)
        if user is None:
            # One message for both cases, so the form does not reveal who has an account.
            form.password.errors.append(_("The phone number, email or password is not correct."))
        else:
            db.session.commit()  # a password hash upgraded on sign-in
            sign_in(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, url_for("me.index")))
    return render_template("auth/login.html", form=form)


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(limits.CODE_ENTRY, key_func=limits.address_and_account, methods=["POST"],
               deduct_when=limits.failed)
@limiter.limit(limits.PER_ADDRESS, key_func=limits.address, methods=["POST"])
def activate():
    """Imported staff choose their first password with the code their manager gave them."""
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            user = activation.activate(db.session, form.identifier.data, form.code.data,
                                         form.password.data)
        except accounts.AccountError as error:
            if error.field == "password":
                form.password.errors.append(ACCOUNT_ERRORS[error.code])
            else:  # one message whatever was wrong, so the form does not reveal who is listed
                form.code.errors.append(_("The phone number, email or code is not correct, "
                                          "or the code has expired. Check them, or ask your "
                                          "unit's manager for a new code."))
        else:
            db.session.commit()
            sign_in(user)
            flash(_("Your account is ready. Welcome, %(name)s!", name=user.full_name))
            return redirect(url_for("me.index"))
    return render_template("auth/activate.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    sign_out()
    flash(_("You have signed out on this device."))
    return redirect(url_for("learn.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(limits.CODE_REQUEST, key_func=limits.address_and_account, methods=["POST"])
@limiter.limit(limits.CODE_REQUEST_PER_ADDRESS, key_func=limits.address, methods=["POST"])
def forgot():
    """Quên mật khẩu: a code by SMS or email to the identifier the person signs in with."""
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            accounts.parse_identifier(form.identifier.data)
        except accounts.AccountError as error:
            form.identifier.errors.append(ACCOUNT_ERRORS[error.code])
        else:
            issued = recovery.request_reset(db.session, form.identifier.data, clock.now())
            db.session.commit()
            if issued:
                send_code(issued, "reset")
            # The same answer whether or not an account exists.
            session["reset_identifier"] = form.identifier.data.strip()
            flash(_("If an account signs in with this phone number or email, we have sent it "
                    "a code. It can take a minute to arrive."))
            return redirect(url_for("auth.reset"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(limits.CODE_ENTRY, key_func=limits.address_and_account, methods=["POST"],
               deduct_when=limits.failed)
@limiter.limit(limits.PER_ADDRESS, key_func=limits.address, methods=["POST"])
def reset():
    """A new password with a code that was sent, or printed by a manager."""
    form = ResetForm(identifier=session.get("reset_identifier"))
    if form.validate_on_submit():
        try:
            user = recovery.reset_password(db.session, form.identifier.data, form.code.data,
                                           form.password.data, request.remote_addr,
                                           clock.now())
        except accounts.AccountError as error:
            getattr(form, error.field).errors.append(ACCOUNT_ERRORS[error.code])
            db.session.commit()  # a wrong try counts against the code
        else:
            db.session.commit()
            sign_in(user)
            flash(_("Your new password is set. You are signed in, and signed out everywhere "
                    "else."))
            return redirect(url_for("me.index"))
    return render_template("auth/reset.html", form=form)


@bp.route("/prove", methods=["GET", "POST"])
@login_required
@limiter.limit(limits.CODE_ENTRY, key_func=limits.signed_in_person, methods=["POST"],
               deduct_when=limits.failed)
def prove():
    """Confirms the phone number or email the person signed up with, by the code sent to it."""
    target = recovery.unproven_identifier(current_user)
    if target is None:
        return redirect(url_for("me.settings"))
    form = ProveForm()
    if form.validate_on_submit():
        try:
            recovery.prove(db.session, current_user, form.code.data, clock.now())
        except accounts.AccountError as error:
            form.code.errors.append(ACCOUNT_ERRORS[error.code])
            db.session.commit()  # a wrong try counts against the code
        else:
            db.session.commit()
            flash(_("Thank you: your phone number or email is confirmed."))
            return redirect(safe_next(request.args.get("next"), url_for("me.index")))
    return render_template("auth/prove.html", form=form, again=SendAgainForm(), target=target,
                           next=safe_next(request.args.get("next"), "") or None,
                           later=safe_next(request.args.get("next"), url_for("me.index"))
                           ), 422 if form.errors else 200


@bp.post("/prove/send")
@login_required
@limiter.limit(limits.CODE_REQUEST, key_func=limits.signed_in_person)
def send_proof_again():
    if not SendAgainForm().validate_on_submit():
        abort(400)
    issued = recovery.start_proof(db.session, current_user, clock.now())
    db.session.commit()
    if issued and send_code(issued, "prove"):
        flash(_("We have sent a new code. The earlier one no longer works."))
    elif issued:
        flash(_("We could not send the code just now. Please try again in a few minutes."))
    return redirect(url_for("auth.prove"))


@bp.get("/privacy")
def privacy():
    return render_template("auth/privacy.html")


@bp.get("/language/<code>")
def choose_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        accounts.remember_language(current_user, code)
        db.session.commit()
    return redirect(safe_next(request.args.get("next"), url_for("learn.index")))
