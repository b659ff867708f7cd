"""Certificates: the holder's downloads, the public verification page, revocation."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.auth.access import current_actor, role_required
from lms.certificates.forms import RevokeForm, VerifyForm
from lms.content.competences import COMPETENCES
from lms.content.schema import LANGUAGES
from lms.extensions import db
from lms.issuing import draw_pdfs
from lms.services import certificates, clock

bp = Blueprint("certificates", __name__)


@bp.after_request
def keep_out_of_search_engines(response: Response) -> Response:
    # A verification page names a holder (masked) and a course: found by its code, not by search.
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def certificate_or_404(code: str):
    certificate = certificates.find_by_code(db.session, code)
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/me/certificates/<code>/<language>.pdf")
@login_required
def download(code: str, language: str):
    certificate = certificates.find_by_code(db.session, code)
    # Someone else's certificate is "not found", not "forbidden": codes are not to be probed.
    if certificate is None or certificate.user_id != current_user.id or language not in LANGUAGES:
        abort(404)
    pdf = certificates.current_pdf(db.session, certificate, language)
    if pdf is None and not draw_pdfs(certificate, languages=[language]):
        # Not drawn yet (another language than the learner's, a crash between issuing and
        # drawing, or a re-issue), and it cannot be now (e.g. its template has errors): the
        # certificate stands, the file comes later.
        return render_template("certificates/not_drawn.html", certificate=certificate), 503, {
            "Retry-After": "3600"}
    pdf = pdf or certificates.current_pdf(db.session, certificate, language)
    return Response(pdf.content, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=certificate-{certificate.serial}-{language}.pdf"})


@bp.route("/verify/", methods=["GET", "POST"])
def verify_form():
    form = VerifyForm()
    if form.validate_on_submit():
        if form.pdf.data:
            pdf = certificates.find_by_pdf(db.session, form.pdf.data.read())
            if pdf is None:
                form.pdf.errors.append(_("This file does not match any certificate issued here. "
                                         "It may have been changed, or it was not issued by us."))
                return render_template("certificates/verify_form.html", form=form), 404
            # What the file is, answered in the response to its upload: a link cannot say it.
            return verify_page(pdf.certificate, "current" if pdf.current else "replaced")
        if form.code.data:
            code = certificates.normalise_code(form.code.data)
            if code is None:
                form.code.errors.append(_("A code has 16 letters and digits, like "
                                          "7K3M-9QXD-2HRT-W8FN. Check it and try again."))
            else:
                return redirect(url_for("certificates.verify", code=code))
        else:
            form.code.errors.append(_("Type the code, or choose the PDF file."))
    return render_template("certificates/verify_form.html", form=form)


@bp.get("/verify/<code>")
def verify(code: str):
    certificate = certificates.find_by_code(db.session, code)
    if certificate is None:
        return render_template("certificates/unknown.html", code=code), 404
    return verify_page(certificate)


def verify_page(certificate, file_state: str | None = None) -> str:
    """`file_state` says what an uploaded file is ("current" or "replaced"); None: no upload."""
    return render_template("certificates/verify.html", certificate=certificate,
                           holder=certificates.masked_name(certificate.holder_name),
                           holder_deleted=certificate.user.deleted_at is not None,
                           competences=[COMPETENCES[c] for c in certificate.competences
                                        if c in COMPETENCES],
                           file_state=file_state)


@bp.route("/admin/certificates/<code>", methods=["GET", "POST"])
@role_required("admin")
def manage(code: str):
    certificate = certificate_or_404(code)
    form = RevokeForm()
    if form.validate_on_submit():
        certificates.revoke(db.session, certificate, form.reason.data, current_actor(),
                            clock.now())
        db.session.commit()
        flash(_("The certificate is revoked."))
        return redirect(url_for("certificates.manage", code=certificate.code))
    return render_template("certificates/manage.html", certificate=certificate, form=form)


@bp.post("/admin/certificates/<code>/reissue")
@role_required("admin")
def reissue(code: str):
    certificate = certificate_or_404(code)
    certificates.reissue(db.session, certificate, current_actor(), clock.now())
    db.session.commit()
    draw_pdfs(certificate)
    flash(_("New PDFs were issued under the same code with the holder's current name."))
    return redirect(url_for("certificates.manage", code=certificate.code))
