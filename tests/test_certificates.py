"""Certificates: issued once, read back from the real PDF, verifiable by code, QR and file."""
import io
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from lms.extensions import db
from lms.content import load_catalog
from lms.content.certificate_templates import sample_context
from lms.models import Certificate, CertificatePdf, QuizAttempt, User
from lms.services import certificates
from lms.services.certificate_pdf import render_pdf
from tests.conftest import Learners, skip_or_fail
from tests.test_quiz import answers, form_of


NAME = "Nguyễn Thị Ánh Dương"


def complete_course(client, catalog, slug):
    for lesson in catalog.course(slug).lessons:
        client.post(f"/courses/{slug}/{lesson.slug}/done")
    client.get("/quiz-layout/all")  # every question on one page, read below
    form = form_of(client.get(f"/courses/{slug}/quiz/").get_data(as_text=True))
    return client.post(f"/courses/{slug}/quiz/", data={
        "attempt": form["attempt"], **answers(client.application, catalog, slug, form)})


def certificates_of(app, user_phone="+84912345678"):
    with app.app_context():
        user = db.session.query(User).filter_by(phone=user_phone).one()
        return [(c.kind, c.subject_slug, c.code) for c in
                db.session.query(Certificate).filter_by(user_id=user.id)]


@pytest.fixture
def certified(app, client, learners, bundled_catalog):
    """A learner who has just completed the data-security course."""
    learners.register(client, name=NAME, identifier="0912345678")
    complete_course(client, bundled_catalog, "data-security")
    [(_, _, code)] = certificates_of(app)
    return client, code


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_completing_a_course_issues_one_certificate(app, certified):
    assert certificates_of(app)[0][:2] == ("course", "data-security")


def test_the_pdf_states_name_serial_title_and_competences(app, certified, bundled_catalog):
    client, code = certified
    response = client.get(f"/me/certificates/{code}/vi.pdf")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape
    text = pdf_text(response.data)
    with app.app_context():
        serial = db.session.query(Certificate).one().serial
    assert NAME in text
    assert serial in text and code in text
    assert bundled_catalog.course("data-security").title("vi") in text
    assert "Bảo vệ dữ liệu cá nhân và quyền riêng tư" in text  # competence 4.2 by name


def test_the_english_pdf_is_in_english(certified, bundled_catalog):
    client, code = certified
    text = pdf_text(client.get(f"/me/certificates/{code}/en.pdf").data)
    assert NAME in text and "This certifies that" in text
    assert bundled_catalog.course("data-security").title("en") in text


def test_the_qr_code_opens_the_verification_page(certified, tmp_path):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        skip_or_fail("pdftoppm and zbarimg are needed: apt-get install poppler-utils zbar-tools")
    client, code = certified
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(client.get(f"/me/certificates/{code}/vi.pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == f"http://localhost/verify/{code}"
    assert client.get(decoded.replace("http://localhost", "")).status_code == 200


class ForgedHost:
    """A browser whose every request names another site in its Host header."""

    def __init__(self, client, host: str):
        self.client, self.host = client, host
        self.application = client.application

    def get(self, url, **kwargs):
        return self.client.get(url, headers={"Host": self.host}, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers={"Host": self.host}, **kwargs)


def certified_through(app, host: str, catalog) -> tuple[ForgedHost, str]:
    browser = ForgedHost(app.test_client(), host)
    Learners(app).register(browser, name=NAME, identifier="0912345678")
    assert complete_course(browser, catalog, "data-security").status_code == 303
    [(_, _, code)] = certificates_of(app)
    return browser, code


def printed_address(browser, code: str, language: str) -> str:
    response = browser.get(f"/me/certificates/{code}/{language}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    [address] = re.findall(r"\S+/verify/" + code, text.replace("\n", ""))
    return address


@pytest.mark.parametrize("settings, site", [
    ({"LMS_PUBLIC_URL": "https://lms.example.vn"}, "https://lms.example.vn"),
    ({}, "http://localhost"),  # development without LMS_PUBLIC_URL: never the forged host
])
def test_a_forged_host_header_never_reaches_a_stored_certificate(make_app, bundled_catalog,
                                                                 settings, site):
    app = make_app(**settings)
    browser, code = certified_through(app, "evil.example", bundled_catalog)
    for language in ("vi", "en"):
        assert printed_address(browser, code, language) == f"{site}/verify/{code}"


def test_a_trusted_host_names_the_site_when_no_public_address_is_set(make_app, bundled_catalog):
    app = make_app(TRUSTED_HOSTS=["hoc.example.vn"])
    assert app.test_client().get("/", headers={"Host": "evil.example"}).status_code == 400
    browser, code = certified_through(app, "hoc.example.vn", bundled_catalog)
    assert printed_address(browser, code, "vi") == f"http://hoc.example.vn/verify/{code}"


def test_a_second_completion_does_not_issue_a_second_certificate(app, certified, bundled_catalog):
    client, _ = certified
    complete_course(client, bundled_catalog, "data-security")
    client.post("/courses/data-security/never-share-otp/done")
    assert len(certificates_of(app)) == 1


def test_verification_page_shows_validity_course_date_and_masked_name(certified):
    client, code = certified
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Hợp lệ" in page and "An toàn dữ liệu cá nhân" in page
    assert "Nguyễn T. Á. D." in page
    assert NAME not in page and "912345678" not in page and "0912" not in page


def test_a_typed_code_is_accepted_in_any_case_and_grouping(certified):
    client, code = certified
    typed = code.replace("-", " ").lower()
    response = client.post("/verify/", data={"code": typed})
    assert response.headers["Location"] == f"/verify/{code}"


def test_an_unknown_code_gets_a_404_page_that_says_so(client):
    response = client.get("/verify/2345-6789-ABCD-EFGH")
    assert response.status_code == 404
    assert "Không tìm thấy giấy chứng nhận" in response.get_data(as_text=True)
    malformed = client.post("/verify/", data={"code": "0000-1111"})
    assert "Mã gồm 16 chữ và số" in malformed.get_data(as_text=True)


def test_the_stored_pdf_verifies_and_a_one_byte_change_does_not(certified):
    client, code = certified
    original = client.get(f"/me/certificates/{code}/vi.pdf").data
    accepted = client.post("/verify/", data={"pdf": (io.BytesIO(original), "c.pdf")},
                           content_type="multipart/form-data")
    assert accepted.status_code == 200
    page = accepted.get_data(as_text=True)
    assert UNCHANGED in page and code in page and "Hợp lệ" in page
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0x01
    refused = client.post("/verify/", data={"pdf": (io.BytesIO(bytes(changed)), "c.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 404
    assert "không khớp với giấy chứng nhận nào" in refused.get_data(as_text=True)


UNCHANGED = "Tệp bạn tải lên đúng là tệp đã được cấp: chưa bị chỉnh sửa."
REPLACED = "Tệp bạn tải lên là phiên bản cũ của giấy chứng nhận này"


@pytest.mark.parametrize("query", ["?file=current", "?file=replaced", ""])
def test_a_link_alone_never_claims_that_a_file_was_checked(certified, query):
    client, code = certified
    page = client.get(f"/verify/{code}{query}").get_data(as_text=True)
    assert "Hợp lệ" in page
    assert UNCHANGED not in page and REPLACED not in page and "Tệp bạn tải lên" not in page


@pytest.mark.parametrize("path", ["/verify/", "/verify/{code}", "/verify/2345-6789-ABCD-EFGH"])
def test_verification_pages_ask_search_engines_not_to_index_them(certified, path):
    client, code = certified
    response = client.get(path.format(code=code))
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)


def test_the_pdfs_are_drawn_once_the_submission_is_answered_not_before(app, bundled_catalog):
    client = app.test_client()
    Learners(app).register(client, name=NAME, identifier="0912345678")
    submitted = complete_course(client, bundled_catalog, "data-security")
    assert submitted.status_code == 303
    [(_, _, code)] = certificates_of(app)  # issued with the grade
    with app.app_context():
        assert db.session.query(CertificatePdf).count() == 0  # the learner did not wait for it
    submitted.close()  # the response is sent: the server draws the learner's PDF now
    with app.app_context():
        assert [pdf.language for pdf in db.session.query(CertificatePdf)] == ["vi"]
    download = client.get(f"/me/certificates/{code}/vi.pdf")
    assert download.status_code == 200 and NAME in pdf_text(download.data)


def test_a_pdf_in_another_language_is_drawn_when_first_downloaded_then_kept(
        app, bundled_catalog):
    client = app.test_client()
    Learners(app).register(client, name=NAME, identifier="0912345678")
    complete_course(client, bundled_catalog, "data-security").close()
    [(_, _, code)] = certificates_of(app)
    with app.app_context():
        assert certificates.missing_languages(
            db.session, db.session.query(Certificate).one().id) == ["en"]
    download = client.get(f"/me/certificates/{code}/en.pdf")
    assert download.status_code == 200
    text = pdf_text(download.data)
    assert NAME in text and "This certifies that" in text  # the English one, drawn now
    assert client.get(f"/me/certificates/{code}/en.pdf").data == download.data  # and kept
    with app.app_context():
        assert sorted(pdf.language for pdf in db.session.query(CertificatePdf)) == ["en", "vi"]


def test_a_certificate_earned_on_the_english_site_is_drawn_in_english(app, bundled_catalog):
    client = app.test_client()
    Learners(app).register(client, name=NAME, identifier="0912345678")
    client.get("/language/en")
    complete_course(client, bundled_catalog, "data-security").close()
    with app.app_context():
        assert [pdf.language for pdf in db.session.query(CertificatePdf)] == ["en"]


def test_downloads_serve_the_stored_bytes(app, certified):
    client, code = certified
    served = client.get(f"/me/certificates/{code}/vi.pdf").data
    with app.app_context():
        stored = db.session.query(CertificatePdf).filter_by(language="vi").one()
        assert served == stored.content
        import hashlib
        assert hashlib.sha256(served).hexdigest() == stored.sha256


def test_another_learner_cannot_download_the_pdf(app, certified, learners):
    _, code = certified
    other = learners.register()
    assert other.get(f"/me/certificates/{code}/vi.pdf").status_code == 404
    assert app.test_client().get(f"/me/certificates/{code}/vi.pdf").status_code == 302


def make_admin(app, phone):
    with app.app_context():
        db.session.query(User).filter_by(phone=phone).one().role = "admin"
        db.session.commit()


def test_a_revoked_certificate_verifies_as_revoked(app, certified, learners):
    _, code = certified
    admin = learners.register(identifier="0988888888")
    make_admin(app, "+84988888888")
    assert admin.post(f"/admin/certificates/{code}", data={"reason": ""}).status_code == 200
    admin.post(f"/admin/certificates/{code}", data={"reason": "Cấp nhầm người"})
    page = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "Đã thu hồi" in page and "Hợp lệ" not in page


def test_only_administrators_revoke(app, certified, learners):
    client, code = certified
    assert client.post(f"/admin/certificates/{code}", data={"reason": "x"}).status_code == 403


def test_reissue_after_a_name_correction_keeps_the_code(app, certified, learners):
    client, code = certified
    old_pdf = client.get(f"/me/certificates/{code}/vi.pdf").data
    client.post("/me/settings/profile", data={"profile-full_name": "Nguyễn Thị Ánh Dung",
                                              "profile-org_unit": learners.unit_id()})
    admin = learners.register(identifier="0988888888")
    make_admin(app, "+84988888888")
    admin.post(f"/admin/certificates/{code}/reissue")
    new_pdf = client.get(f"/me/certificates/{code}/vi.pdf").data
    assert "Nguyễn Thị Ánh Dung" in pdf_text(new_pdf) and new_pdf != old_pdf
    old = client.post("/verify/", data={"pdf": (io.BytesIO(old_pdf), "old.pdf")},
                      content_type="multipart/form-data")
    assert old.status_code == 200 and REPLACED in old.get_data(as_text=True)
    assert "Nguyễn T. Á. D." in client.get(f"/verify/{code}").get_data(as_text=True)


def test_a_program_certificate_needs_every_course_and_the_audience(app, client, learners,
                                                                  bundled_catalog):
    learners.register(client, identifier="0912345678")
    for slug in ("ai-basics", "data-security"):
        complete_course(client, bundled_catalog, slug)
    assert {s for k, s, _ in certificates_of(app) if k == "program"} == set()
    complete_course(client, bundled_catalog, "online-public-services")
    programs = {s for k, s, _ in certificates_of(app) if k == "program"}
    assert programs == {"citizen-basic"}  # a citizen does not get the civil-servant program
    assert "Kỹ năng số cơ bản cho người dân" in client.get("/me/").get_data(as_text=True)


def test_codes_are_80_bit_readable_and_unambiguous():
    assert len(set(certificates.CODE_ALPHABET)) == 32 and not set("0O1I") & set(
        certificates.CODE_ALPHABET)
    code = certificates.new_code()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    assert len({certificates.new_code() for _ in range(1000)}) == 1000
    assert certificates.normalise_code(code.lower().replace("-", " ")) == code
    assert certificates.normalise_code("O000-1111-IIII-2222") is None


@pytest.mark.parametrize("name, masked", [("Nguyễn Thị Dung", "Nguyễn T. D."),
                                          ("Lò Văn Á", "Lò V. Á."), ("An", "An")])
def test_names_are_masked_to_family_name_and_initials(name, masked):
    assert certificates.masked_name(name) == masked


class _CountingHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 - http.server's API
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


def test_a_template_cannot_read_other_files_or_fetch_urls(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    remote = f"http://127.0.0.1:{server.server_port}"
    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "certificate.html").write_text(f"""<html><head>
<link rel="stylesheet" href="{remote}/style.css">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="../outside.css">
<style>@import url("{remote}/import.css");</style>
</head><body>
<p>{{{{ name }}}}</p>
<img src="file:///etc/passwd"><img src="{remote}/image.png"><object data="/etc/passwd"></object>
<iframe src="/etc/passwd"></iframe><embed src="/etc/passwd">
</body></html>""", encoding="utf-8")
    (tmp_path / "outside.css").write_text("p::after { content: 'LEAKED' }")
    try:
        pdf = render_pdf(folder, {"name": "<b>Xin chào</b>"})
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    text = pdf_text(pdf)
    assert _CountingHandler.hits == 0
    assert "root:" not in text and "LEAKED" not in text
    assert "<b>Xin chào</b>" in text  # autoescaped: markup in a value stays text


def test_the_template_sandbox_refuses_python_internals(tmp_path):
    from jinja2.exceptions import SecurityError

    folder = tmp_path / "sneaky"
    folder.mkdir()
    (folder / "certificate.html").write_text("{{ name.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        render_pdf(folder, {"name": "x"})
    (folder / "certificate.html").write_text("{% include '../../etc/passwd' %}")
    from jinja2.exceptions import TemplateNotFound
    with pytest.raises(TemplateNotFound):
        render_pdf(folder, {"name": "x"})


def test_learners_see_and_download_their_certificates_on_their_page(certified):
    client, code = certified
    page = client.get("/me/").get_data(as_text=True)
    assert "Giấy chứng nhận của tôi" in page and code in page
    for language in ("vi", "en"):
        link = f"/me/certificates/{code}/{language}.pdf"
        assert f'href="{link}"' in page
        assert client.get(link).data.startswith(b"%PDF")


# A certificate template that cannot be drawn


NOT_DRAWN = "Giấy chứng nhận của bạn đã được ghi nhận"


def test_the_bundled_templates_draw_with_sample_values_in_both_languages(bundled_catalog):
    assert set(bundled_catalog.templates) == {"default"}
    assert not [p for p in bundled_catalog.problems if p.path.startswith("certificates/")]


def test_the_sample_values_are_shaped_like_a_real_certificate(app, certified):
    with app.app_context():
        certificate = db.session.query(Certificate).one()
        settings = certificates.IssueSettings("lms", "http://localhost/verify/")
        for language in ("vi", "en"):
            real = certificates.pdf_context(certificate, language, settings)
            sample = sample_context(language)
            assert set(real) == set(sample) and set(real["labels"]) == set(sample["labels"])
            assert set(real["competences"][0]) == set(sample["competences"][0])


def break_template(root, old="{{ holder_name }}", new="{{ holder_name.surname }}"):
    template = root / "certificates/templates/default/certificate.html"
    assert old in template.read_text(encoding="utf-8")
    template.write_text(template.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def earn_with_a_broken_template(app, catalog):
    client = app.test_client()
    Learners(app).register(client, name=NAME, identifier="0912345678")
    submitted = complete_course(client, catalog, "data-security")
    assert submitted.status_code == 303
    submitted.close()  # sent: the server draws the PDFs now, and fails
    result = client.get(submitted.headers["Location"])
    assert result.status_code == 200
    with app.app_context():
        [attempt] = db.session.query(QuizAttempt).filter(QuizAttempt.submitted_at.isnot(None))
        assert attempt.passed  # the grade is saved
    [(_, _, code)] = certificates_of(app)  # and so is the completion
    return client, result.get_data(as_text=True), code


@pytest.mark.parametrize("new", ["{{ holder_name.surname }}", "{% if %}"])
def test_a_template_the_check_refuses_never_fails_the_learner(make_app, bundled_copy, new):
    break_template(bundled_copy, new=new)
    catalog = load_catalog(bundled_copy)
    assert [p.path for p in catalog.errors] == ["certificates/templates/default/certificate.html"]
    app = make_app(LMS_CATALOG=catalog)
    client, page, code = earn_with_a_broken_template(app, catalog)
    assert "đã được ghi nhận, nhưng chưa thể tạo tệp PDF" in page
    download = client.get(f"/me/certificates/{code}/vi.pdf")
    assert download.status_code == 503 and NOT_DRAWN in download.get_data(as_text=True)
    assert client.get(f"/verify/{code}").status_code == 200


def test_a_template_broken_after_start_never_fails_the_learner(make_app, bundled_copy):
    catalog = load_catalog(bundled_copy)
    assert catalog.errors == ()
    app = make_app(LMS_CATALOG=catalog)
    break_template(bundled_copy)
    client, page, code = earn_with_a_broken_template(app, catalog)
    # Drawn after the response was sent, so the result page cannot know; the download tells.
    assert "Bạn đã nhận giấy chứng nhận hoàn thành" in page
    download = client.get(f"/me/certificates/{code}/en.pdf")
    assert download.status_code == 503 and NOT_DRAWN in download.get_data(as_text=True)
    break_template(bundled_copy, old="{{ holder_name.surname }}", new="{{ holder_name }}")
    fixed = client.get(f"/me/certificates/{code}/en.pdf")
    assert fixed.status_code == 200 and NAME in pdf_text(fixed.data)
