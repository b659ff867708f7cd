"""Staff import at a province's scale: keyed activation codes, importing the valid rows and
leaving out the rest, printable activation slips with a QR code, and staff numbers."""
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEntry, User
from lms.services.accounts import HASHER
from tests.test_staff_import import CSV, NEW_PASSWORD, codes, confirm, signed_in, upload

PUBLIC_URL = "https://hoc.example.vn"
BAD_ROW = "Phạm Thị Dung,0123,HN-HK,\n"  # not a mobile number


def activate(identifier, code, app):
    return app.test_client().post("/activate", data={"identifier": identifier, "code": code,
                                                     "password": NEW_PASSWORD})


def slips_field(page) -> dict:
    text = page.get_data(as_text=True)
    return {"slips": re.search(r'<input id="slips" name="slips" type="hidden" value="([^"]*)"',
                               text).group(1)}


def test_a_keyed_code_activates_once_and_a_wrong_one_does_not(app):
    client = signed_in(app, "organiser", "HN")
    code = codes(confirm(client, upload(client, CSV.encode())))["Nguyễn Văn An"]
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert activate("0912345678", wrong, app).status_code == 200
    assert activate("0912345678", code, app).status_code == 302
    assert activate("0912345678", code, app).status_code == 200  # used up


def test_a_code_is_bound_to_the_server_key(app, make_app):
    client = signed_in(app, "organiser", "HN")
    code = codes(confirm(client, upload(client, CSV.encode())))["Nguyễn Văn An"]
    other = make_app(SECRET_KEY="another server's key")  # same database, another key
    assert activate("0912345678", code, other).status_code == 200
    assert activate("0912345678", code, app).status_code == 302


def test_a_code_issued_before_the_keyed_hash_still_works(app):
    client = signed_in(app, "organiser", "HN")
    confirm(client, upload(client, CSV.encode()))
    with app.app_context():  # as a code printed by the previous version was stored
        user = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        user.activation_code_hash = HASHER.hash("12345678")
        db.session.commit()
    assert activate("0912345678", "1234 5679", app).status_code == 200
    assert activate("0912345678", "1234 5678", app).status_code == 302


def test_the_valid_rows_can_be_imported_and_the_rest_are_listed(app):
    client = signed_in(app, "organiser", "HN")
    dry_run = upload(client, (CSV + BAD_ROW).encode())
    text = dry_run.get_data(as_text=True)
    assert "Import the 3 rows without problems" in text and "Row 5, column B" in text
    # The ordinary button refuses a plan with problems...
    assert confirm(client, dry_run).status_code == 409
    fields = dict(re.findall(r'<input id="(sheet|digest)" name="\1" type="hidden" '
                             r'value="([^"]*)"', text))
    page = client.post("/staff/import/confirm", data={**fields, "leave_out": "y"})
    assert page.status_code == 200
    shown = page.get_data(as_text=True)
    assert "1 row left out" in shown and "Row 5, column B" in shown
    assert set(codes(page)) == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}
    with app.app_context():
        names = set(db.session.scalars(select(User.full_name).where(User.role == "learner")))
    assert names == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}


def test_a_file_with_only_bad_rows_offers_nothing_to_import(app):
    client = signed_in(app, "organiser", "HN")
    text = upload(client, (CSV.splitlines()[0] + "\n" + BAD_ROW).encode()).get_data(as_text=True)
    assert "without problems" not in text and "Upload the corrected file" in text


def test_the_staff_number_is_imported_and_changes_with_the_list(app):
    client = signed_in(app, "organiser", "HN")
    sheet = ("Họ và tên,Số điện thoại,Mã đơn vị,Chức vụ,Mã cán bộ\n"
             "Nguyễn Văn Thành,0912345678,HN-HK,,CB-001\n"
             "Nguyễn Văn Thành,0912345679,HN-HK,,CB-002\n")
    confirm(client, upload(client, sheet.encode()))
    again = upload(client, sheet.replace("CB-002", "CB-020").encode()).get_data(as_text=True)
    assert "Update: staff number" in again
    with app.app_context():
        numbers = dict(db.session.execute(select(User.phone, User.staff_number)
                                          .where(User.role == "learner")).all())
    assert numbers == {"+84912345678": "CB-001", "+84912345679": "CB-002"}


def _decoded_qr_codes(pdf: bytes, tmp_path) -> list[str]:
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm and zbarimg are needed to read the QR codes")
    (tmp_path / "slips.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "slips.pdf"), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(page)], capture_output=True,
                           text=True)
    return found.stdout.split()


def test_the_slips_pdf_has_each_person_code_and_a_qr_code_to_activate(make_app, tmp_path):
    app = make_app(LMS_PUBLIC_URL=PUBLIC_URL)
    client = signed_in(app, "organiser", "HN")
    page = confirm(client, upload(client, CSV.encode()))
    shown = codes(page)
    pdf = client.post("/staff/slips.pdf", data=slips_field(page))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    text = " ".join(page.extract_text() for page in reader.pages)
    for name, code in shown.items():
        assert name in text and code in text
    assert "Hoàn Kiếm" in text and f"{PUBLIC_URL}/activate" in text
    assert _decoded_qr_codes(pdf.data, tmp_path) == [f"{PUBLIC_URL}/activate"] * 3


def test_slips_cannot_be_forged_or_asked_for_by_a_learner(app, learners):
    client = signed_in(app, "organiser", "HN")
    sealed = slips_field(confirm(client, upload(client, CSV.encode())))["slips"]
    forged = sealed[:-3] + ("AAA" if not sealed.endswith("AAA") else "BBB")
    assert client.post("/staff/slips.pdf", data={"slips": forged}).status_code == 400
    assert client.post("/staff/slips.pdf", data={"slips": ""}).status_code == 400
    learner = learners.register()
    assert learner.post("/staff/slips.pdf", data={"slips": sealed}).status_code in (403, 404)


def test_reissuing_one_persons_code_gives_one_slip_and_is_audited(app):
    organiser = signed_in(app, "organiser", "HN")
    first = codes(confirm(organiser, upload(organiser, CSV.encode())))["Nguyễn Văn An"]
    with app.app_context():
        person_id = db.session.scalar(select(User.id).where(User.phone == "+84912345678"))
    page = organiser.post(f"/staff/people/{person_id}/code")
    second = re.search(r'<p class="code big-code">([\d ]+)</p>', page.get_data(as_text=True))[1]
    pdf = organiser.post("/staff/slips.pdf", data=slips_field(page))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert second in text and "Nguyễn Văn An" in text and "Trần Thị Bình" not in text
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "activation-code-issued",
            AuditEntry.subject_user_id == person_id)).all()
    assert [entry.details.get("reissued", False) for entry in entries] == [False, True]
    if first != second:
        assert activate("0912345678", first, app).status_code == 200
    assert activate("0912345678", second, app).status_code == 302
