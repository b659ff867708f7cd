"""Signing up, in and out, and choosing the interface language."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms import limits
from lms.account_messages import ACCOUNT_ERRORS
from lms.auth.forms import ActivateForm, LoginForm, RegisterForm
from lms.extensions import db, limiter
from lms.i18n import LANGUAGES
from lms.redirects import safe_next
from lms.services import accounts, org, staff_import

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(limits.SIGN_UP, key_func=limits.address_and_account, methods=["POST"])
@limiter.limit(limits.SIGN_UP_PER_ADDRESS, key_func=limits.address, methods=["POST"])
def register():
    form = RegisterForm(next=request.args.get("next"))
    form.org_unit.choices = org.grouped_unit_choices(db.session)
    if form.validate_on_submit():
        try:
            user = accounts.register(
                db.session, identifier=form.identifier.data, full_name=form.full_name.data,
                password=form.password.data, birth_year=form.birth_year.data,
                org_unit_id=form.org_unit.data)
        except accounts.AccountError as error:
            getattr(form, error.field).errors.append(ACCOUNT_ERRORS[error.code])
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s! Your progress is now saved.", name=user.full_name))
            return redirect(safe_next(form.next.data, url_for("me.index")))
    return render_template("auth/register.html", form=form)


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
            login_user(user, remember=form.remember.data)
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
            user = staff_import.activate(db.session, form.identifier.data, form.code.data,
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
            login_user(user)
            flash(_("Your account is ready. Welcome, %(name)s!", name=user.full_name))
            return redirect(url_for("me.index"))
    return render_template("auth/activate.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have signed out on every device."))
    return redirect(url_for("learn.index"))


@bp.get("/language/<code>")
def choose_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("learn.index")))
