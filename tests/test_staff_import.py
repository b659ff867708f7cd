"""Importing civil servants from CSV or XLSX, and activating the imported accounts."""
import io
import re
import time
import tracemalloc
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEntry, OrgUnit, User
from lms.services.accounts import HASHER
from lms.campaign.staff_sheet import StaffFileError, read_staff_file
from tests.conftest import PASSWORD, client_from, last_code

# Units from the bundled sample list: HN (province) > HN-HK, HN-BD (wards); DB > DB-MP.
CSV = ("Họ và tên,Số điện thoại hoặc email,Mã đơn vị,Chức vụ\n"
       "Nguyễn Văn An,0912 345 678,HN-HK,Chuyên viên\n"
       "Trần Thị Bình,binh@example.vn,HN-HK,\n"
       "Lê Văn Cường,+84 987 654 321,HN-BD,Phó chủ tịch\n")
NEW_PASSWORD = "mật khẩu riêng của tôi"


def add_staff(app, identifier, role, scope_code=None):
    """A manager, organiser or admin who can sign in with PASSWORD."""
    with app.app_context():
        scope = db.session.scalar(select(OrgUnit).where(OrgUnit.code == scope_code))
        db.session.add(User(full_name=f"{role} {identifier}", email=identifier, role=role,
                            scope_unit_id=scope.id if scope else None,
                            password_hash=HASHER.hash(PASSWORD), session_token="t"))
        db.session.commit()


def signed_in(app, role="manager", scope_code="HN-HK", identifier=None):
    identifier = identifier or f"{role}@example.vn"
    add_staff(app, identifier, role, scope_code)
    client = app.test_client()
    client.get("/language/en")  # assertions in English hold once the strings are translated
    assert client.post("/login", data={"identifier": identifier,
                                       "password": PASSWORD}).status_code == 302
    return client


def upload(client, data: bytes, name="staff.csv"):
    return client.post("/staff/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def confirm(client, page):
    """Presses "Import these people" on a dry-run page."""
    text = page.get_data(as_text=True)
    fields = dict(re.findall(r'<input id="(sheet|digest)" name="\1" type="hidden" value="([^"]*)"',
                             text))
    assert set(fields) == {"sheet", "digest"}, text
    return client.post("/staff/import/confirm", data=fields)


def codes(page) -> dict[str, str]:
    """Name -> code on the printable codes page."""
    rows = re.findall(r'<li class="slip-card"><strong class="slip-name">([^<]*)</strong> '
                      r'<span class="slip-who">[^<]*</span> '
                      r'<span class="code">(\d{4} \d{4} \d{4} \d{4})</span></li>',
                      page.get_data(as_text=True))
    return dict(rows)


def people(app) -> dict[str, tuple]:
    with app.app_context():
        return {(user.phone or user.email): (user.full_name, user.org_unit.code if user.org_unit
                                             else None, user.position, user.audience,
                                             user.password_hash, user.activation_code_hash)
                for user in db.session.scalars(select(User).where(User.role == "learner"))}


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_dry_run_shows_the_plan_and_writes_nothing(app):
    client = signed_in(app, "organiser", "HN")
    page = upload(client, CSV.encode())
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 new accounts" in text and text.count("New account") == 3
    assert "Import these people" in text
    assert people(app) == {}


def test_confirming_creates_civil_servants_with_one_time_codes(app):
    client = signed_in(app, "organiser", "HN")
    page = confirm(client, upload(client, CSV.encode()))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    shown = codes(page)
    assert set(shown) == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}
    assert len(set(shown.values())) == 3
    found = people(app)
    assert found["+84912345678"][:5] == ("Nguyễn Văn An", "HN-HK", "Chuyên viên",
                                        "civil-servant", "!")
    assert found["binh@example.vn"][2] is None
    assert found["+84987654321"][1] == "HN-BD"
    code_hash = found["+84912345678"][5]
    # A keyed hash of the 16 digits, never the code itself.
    assert code_hash.startswith("hmac-sha256$") and len(code_hash) == 12 + 64
    assert shown["Nguyễn Văn An"].replace(" ", "") not in code_hash
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        expires = user.activation_expires_at.replace(tzinfo=timezone.utc)
    assert timedelta(days=29) < expires - datetime.now(timezone.utc) <= timedelta(days=30)


def test_importing_the_same_file_again_changes_nothing(app):
    client = signed_in(app, "organiser", "HN")
    confirm(client, upload(client, CSV.encode()))
    before = people(app)
    again = upload(client, CSV.encode())
    text = again.get_data(as_text=True)
    assert "3 people unchanged" in text and "0 new accounts" in text
    assert "Import these people" not in text and "Nothing to do" in text
    assert people(app) == before


def test_confirming_twice_does_not_import_twice(app):
    client = signed_in(app, "organiser", "HN")
    dry_run = upload(client, CSV.encode())
    confirm(client, dry_run)
    before = people(app)
    replay = confirm(client, dry_run)
    assert replay.status_code == 409
    assert "Something changed since you checked this file" in replay.get_data(as_text=True)
    assert people(app) == before


def test_an_xlsx_with_a_title_row_and_phone_numbers_stored_as_numbers(app):
    client = signed_in(app)
    data = xlsx([["DANH SÁCH CÁN BỘ PHƯỜNG HOÀN KIẾM"],
                 ["STT", "Họ và tên", "Số điện thoại", "Mã đơn vị", "Chức vụ"],
                 [1, "Phạm Thị Dung", 912000111, "HN-HK", "Công chức"],
                 [],
                 [2, "Hoàng Văn Em", "0912 000 222", "HN-HK", None]])
    page = confirm(client, upload(client, data, "staff.xlsx"))
    assert page.status_code == 200
    assert set(codes(page)) == {"Phạm Thị Dung", "Hoàng Văn Em"}
    found = people(app)
    assert found["+84912000111"][:3] == ("Phạm Thị Dung", "HN-HK", "Công chức")
    assert found["+84912000222"][2] is None


def test_a_semicolon_csv_with_a_bom_and_english_headers(app):
    client = signed_in(app)
    data = ("\ufefffull_name;phone_or_email;unit_code;position\n"
            "Đỗ Thị Giang;0977 111 222;HN-HK;Văn thư\n").encode()
    page = upload(client, data)
    assert "1 new account" in page.get_data(as_text=True)
    confirm(client, page)
    assert people(app)["+84977111222"][:3] == ("Đỗ Thị Giang", "HN-HK", "Văn thư")


@pytest.mark.parametrize("row, message", [
    (",0912 345 678,HN-HK,", "Row 3, column A (Họ và tên): the name is empty."),
    ("Ngô Văn Hùng,0123 456,HN-HK,", "Row 3, column B (Số điện thoại hoặc email): this is not "
                                     "a Vietnamese mobile number"),
    ("Ngô Văn Hùng,hung@example,HN-HK,", "Row 3, column B (Số điện thoại hoặc email): this "
                                         "email address does not look right."),
    ("Ngô Văn Hùng,0912.345.678,HN-HK,", "Row 3, column B (Số điện thoại hoặc email): the same "
                                         "person is already on row 2."),
    ("Ngô Văn Hùng,0987 000 111,XX-99,", "Row 3, column C (Mã đơn vị): there is no unit with "
                                         "the code “XX-99”."),
    ("Ngô Văn Hùng,0987 000 111,,", "Row 3, column C (Mã đơn vị): the unit code is empty."),
    ("Ngô Văn Hùng,0987 000 111,HN-BD,", "Row 3, column C (Mã đơn vị): the unit “HN-BD” is not "
                                         "one of the units you manage."),
])
def test_a_wrong_row_is_named_with_its_column_and_nothing_is_imported(app, row, message):
    client = signed_in(app)  # a manager of HN-HK only
    data = ("Họ và tên,Số điện thoại hoặc email,Mã đơn vị,Chức vụ\n"
            "Nguyễn Văn An,0912 345 678,HN-HK,Chuyên viên\n" + row + "\n").encode()
    page = upload(client, data)
    text = page.get_data(as_text=True)
    assert message in text
    assert "Nothing has been imported" in text and "Import these people" not in text
    assert people(app) == {}


def test_a_manager_cannot_import_into_a_unit_outside_their_scope_even_by_crafting_the_form(app):
    organiser = signed_in(app, "organiser", "HN")
    dry_run = upload(organiser, CSV.encode())  # fine for the organiser of the province
    manager = signed_in(app, "manager", "HN-HK")
    page = confirm(manager, dry_run)  # the same hidden fields, posted by a manager of HN-HK
    assert page.status_code == 409
    assert "the unit “HN-BD” is not one of the units you manage." in page.get_data(as_text=True)
    assert people(app) == {}


def test_a_person_registered_elsewhere_cannot_be_pulled_in_by_a_manager(app, learners):
    learners.register(identifier="0912345678")  # a learner of the first sample commune/ward
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        learner.org_unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DB-MP"))
        db.session.commit()
    client = signed_in(app)
    text = upload(client, "full_name,phone_or_email,unit_code,position\n"
                          "Nguyễn Văn An,0912345678,HN-HK,\n".encode()).get_data(as_text=True)
    assert "Row 2, column B (phone_or_email): this person already has an account in a unit " \
           "you do not manage." in text


def test_a_manager_cannot_change_the_unit_or_position_of_a_fellow_manager(app):
    add_staff(app, "pho.chu.tich@example.vn", "manager", "HN-HK")
    with app.app_context():
        colleague = db.session.scalar(select(User).where(User.email == "pho.chu.tich@example.vn"))
        colleague.org_unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HK"))
        db.session.commit()
    client = signed_in(app)
    page = upload(client, "full_name,phone_or_email,unit_code,position\n"
                          "Phó Chủ tịch,pho.chu.tich@example.vn,HN-HK,Văn thư\n".encode())
    text = page.get_data(as_text=True)
    assert "this person holds a role at or above yours" in text
    assert "Import these people" not in text
    admin = signed_in(app, "admin", None)
    assert "Import these people" in upload(admin, "full_name,phone_or_email,unit_code,position\n"
                                           "Phó Chủ tịch,pho.chu.tich@example.vn,HN-HK,Văn thư\n"
                                           .encode()).get_data(as_text=True)


def test_an_existing_account_is_updated_not_duplicated_and_keeps_its_password(app, learners):
    own_phone = learners.register(identifier="0912345678", name="Nguyễn Văn An")
    # The person proved the number is theirs with the code sent at sign-up.
    assert own_phone.post("/prove", data={"code": last_code(app, "+84912345678")}
                          ).status_code == 302
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        learner.org_unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-BD"))
        db.session.commit()
    client = signed_in(app, "organiser", "HN")
    dry_run = upload(client, CSV.encode())
    assert "Update: unit, position, counted as a civil servant" in dry_run.get_data(as_text=True)
    page = confirm(client, dry_run)
    assert "Nguyễn Văn An" not in codes(page)  # they can already sign in
    found = people(app)
    assert len(found) == 3
    assert found["+84912345678"][1:4] == ("HN-HK", "Chuyên viên", "civil-servant")
    assert found["+84912345678"][4].startswith("$argon2id$")
    assert learners.login(app.test_client(), "0912345678").status_code == 302


def test_learners_and_visitors_cannot_import(app, learners):
    client = learners.register()
    assert client.get("/staff/import").status_code == 403
    assert upload(client, CSV.encode()).status_code == 403
    assert app.test_client().get("/staff/import").status_code == 302
    assert people(app)["+84912000001"][3] == "citizen"


@pytest.mark.parametrize("data, name, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "is not a CSV or Excel (.xlsx) table"),
    (b"PK\x03\x04garbage that is not a zip", "staff.xlsx", "This Excel file cannot be read"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "staff.xls", "This is an old Excel file (.xls)"),
    ("Ho va ten,So dien thoai,Ma don vi,Chuc vu\nLê Hà,0912345678,HN-HK,\n".encode("latin-1"),
     "staff.csv", "is not in UTF-8"),
    (b"a,b,c\n1,2,3\n", "staff.csv", "No header row found"),
    ("Họ và tên,Số điện thoại\nAn,0912345678\n".encode(), "staff.csv",
     "Row 1 has no column for: unit code, position."),
    ("Họ và tên,Số điện thoại,Mã đơn vị,Chức vụ\n".encode(), "staff.csv",
     "The file has a header but no people in it."),
])
def test_a_file_that_cannot_be_read_gets_a_clear_message(app, data, name, message):
    client = signed_in(app)
    page = upload(client, data, name)
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)


def test_a_file_over_5_mb_is_refused_with_a_clear_message(app):
    client = signed_in(app)
    # Built by hand: the test client would spool a body this big to a file it never closes.
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + b"x" * (5 * 1024 * 1024 + 100 * 1024)
            + b"\r\n--b--\r\n")
    page = client.post("/staff/import", data=body, content_type="multipart/form-data; boundary=b")
    assert page.status_code == 413
    assert "The file is larger than 5 MB" in page.get_data(as_text=True)


def test_a_garbled_confirmation_is_refused_without_writing(app):
    client = signed_in(app)
    response = client.post("/staff/import/confirm", data={"sheet": "bm90IHppcA==", "digest": "x"})
    assert response.status_code == 400
    assert people(app) == {}


def imported(app, csv=CSV) -> dict[str, str]:
    client = signed_in(app, "organiser", "HN", identifier="importer@example.vn")
    return codes(confirm(client, upload(client, csv.encode())))


def activate(client, identifier, code, password=NEW_PASSWORD):
    return client.post("/activate", data={"identifier": identifier, "code": code,
                                          "password": password})


def test_the_right_code_activates_the_account_and_signs_in(app):
    code = imported(app)["Nguyễn Văn An"]
    client = app.test_client()
    response = activate(client, "0912.345.678", code)
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    found = people(app)["+84912345678"]
    assert found[4].startswith("$argon2id$") and found[5] is None
    assert app.test_client().post("/login", data={"identifier": "0912345678",
                                                  "password": NEW_PASSWORD}).status_code == 302


def test_the_code_works_only_once(app):
    code = imported(app)["Nguyễn Văn An"]
    assert activate(app.test_client(), "0912345678", code).status_code == 302
    client = app.test_client()
    client.get("/language/en")
    again = activate(client, "0912345678", code, "một mật khẩu khác nữa")
    assert again.status_code == 200
    assert "the code has expired" in again.get_data(as_text=True)
    assert client.get("/me/").status_code == 302  # not signed in
    assert app.test_client().post("/login", data={"identifier": "0912345678",
                                                  "password": NEW_PASSWORD}).status_code == 302


def test_a_wrong_code_an_unknown_account_and_another_persons_code_get_the_same_answer(app):
    shown = imported(app)
    client = app.test_client()
    client.get("/language/en")

    def message(response):
        return response.get_data(as_text=True).split('<p class="error"', 1)[1].split("</p>")[0]

    wrong = activate(client, "0912345678", "0000 0000")
    unknown = activate(client, "0999999999", shown["Nguyễn Văn An"])
    someone_elses = activate(client, "0912345678", shown["Trần Thị Bình"])
    assert wrong.status_code == unknown.status_code == someone_elses.status_code == 200
    assert message(wrong) == message(unknown) == message(someone_elses)
    assert "the code has expired" in message(wrong)
    assert people(app)["+84912345678"][4] == "!"


def test_an_expired_code_does_not_work(app):
    code = imported(app)["Nguyễn Văn An"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        user.activation_expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session.commit()
    assert activate(app.test_client(), "0912345678", code).status_code == 200
    assert people(app)["+84912345678"][4] == "!"


def test_re_importing_gives_a_new_code_only_to_people_whose_code_expired(app):
    imported(app)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        user.activation_expires_at = datetime.now(timezone.utc) - timedelta(days=1)
        db.session.commit()
    client = signed_in(app, "organiser", "HN")
    page = confirm(client, upload(client, CSV.encode()))
    assert set(codes(page)) == {"Nguyễn Văn An"}


def test_a_weak_password_is_refused_and_the_code_still_works(app):
    code = imported(app)["Nguyễn Văn An"]
    client = app.test_client()
    client.get("/language/en")
    weak = activate(client, "0912345678", code, "12345678")
    assert "on the lists that attackers try first" in weak.get_data(as_text=True)
    assert activate(client, "0912345678", code).status_code == 302


def test_rapid_activation_attempts_from_one_address_are_slowed_not_the_owner(app):
    code = imported(app)["Nguyễn Văn An"]
    guesser = app.test_client()
    statuses = [activate(guesser, "0912 345 678", f"{n:08d}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    owner = client_from(app, "127.0.0.2")
    assert activate(owner, "0912345678", code).status_code == 302


def test_an_account_without_a_unit_cannot_be_pulled_in_by_a_manager(app):
    add_staff(app, "admin@example.vn", "admin")  # administrators belong to no unit
    client = signed_in(app)  # a manager of HN-HK
    text = upload(client, "full_name,phone_or_email,unit_code,position\n"
                          "Quản Trị,admin@example.vn,HN-HK,\n".encode()).get_data(as_text=True)
    assert "this person already has an account in a unit you do not manage." in text
    assert "Import these people" not in text
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.vn"))
        assert (admin.org_unit_id, admin.audience) == (None, "citizen")


def test_a_confirmation_with_an_absurd_row_number_is_refused_without_a_server_error(app):
    import base64
    import zlib
    payload = ('{"columns": {"full_name": ["A", "n"], "identifier": ["B", "p"], '
               '"unit_code": ["C", "u"], "position": ["D", "c"]}, '
               '"rows": [[Infinity, "An", "0912345678", "HN-HK", ""]]}')
    sheet = base64.urlsafe_b64encode(zlib.compress(payload.encode())).decode()
    response = signed_in(app).post("/staff/import/confirm", data={"sheet": sheet, "digest": "x"})
    assert response.status_code == 400
    assert people(app) == {}


def test_a_huge_crafted_identifier_is_refused_at_once(app):
    # "a@....@" made the email pattern backtrack for minutes; /activate parses the identifier
    # for its rate-limit key before any limit applies, and a staff file cell can be this long.
    import time
    client = app.test_client()
    started = time.monotonic()
    response = activate(client, "a@" + "." * 100_000 + "@", "1234 5678")
    assert response.status_code == 200
    assert time.monotonic() - started < 5


def test_the_dry_run_does_not_show_the_name_of_a_unit_outside_the_scope(app):
    client = signed_in(app)  # a manager of HN-HK only
    text = upload(client, "full_name,phone_or_email,unit_code,position\n"
                          "Ngô Văn Hùng,0987 000 111,DB-MP,\n".encode()).get_data(as_text=True)
    assert "the unit “DB-MP” is not one of the units you manage." in text
    assert "Mường Phăng" not in text


# Zip bombs: a few kilobytes that openpyxl would unpack into gigabytes

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def crafted_xlsx(sheet_data: str, dimension: str = "A1", extra: dict[str, str] | None = None
                 ) -> bytes:
    """The smallest workbook openpyxl opens, written part by part as an attacker would."""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
                        f'Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/>'
                        "</Relationships>"),
        "xl/workbook.xml": (f'<workbook xmlns="{MAIN}" xmlns:r="{DOCUMENT}"><sheets>'
                            '<sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
                                     f"<sheetData>{sheet_data}</sheetData></worksheet>"),
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = ('<row r="1">' + inline("A1", "Họ và tên") + inline("B1", "Số điện thoại")
              + inline("C1", "Mã đơn vị") + inline("D1", "Chức vụ") + "</row>")
PERSON_ROW = ('<row r="2">' + inline("A2", "Nguyễn Văn An") + inline("B2", "0912345678")
              + inline("C2", "HN-HK") + "</row>")
# A valid staff list, but its last cell is at the sheet's far corner: 17 billion cells.
CORNER_BOMB = crafted_xlsx(HEADER_ROW + PERSON_ROW + '<row r="1048576">'
                           + inline("XFD1048576", "x") + "</row>", dimension="A1:XFD1048576")
# Three million shared strings packed into a few hundred kilobytes.
STRINGS_BOMB = crafted_xlsx(HEADER_ROW + PERSON_ROW, extra={
    "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">' + "<si><t>a</t></si>" * 3_000_000 + "</sst>"})


def refused_quickly(app, data: bytes) -> str:
    client = signed_in(app)
    # A first upload imports openpyxl (compiling it, on a fresh install) and the page's
    # templates: a second of work on a slow machine that is not the bomb's.
    assert upload(client, crafted_xlsx(HEADER_ROW + PERSON_ROW), "staff.xlsx").status_code == 200
    before = people(app)
    # This thread's CPU alone (the test client runs the request here): other threads of the
    # test process, such as a browser test's server, must not count.
    started = time.thread_time()
    page = upload(client, data, "staff.xlsx")
    cpu = time.thread_time() - started
    assert page.status_code == 422 and cpu < 1.0, cpu
    assert people(app) == before
    return page.get_data(as_text=True)


def test_the_crafted_workbook_is_a_valid_staff_list_without_its_far_corner(app):
    page = upload(signed_in(app), crafted_xlsx(HEADER_ROW + PERSON_ROW), "staff.xlsx")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.get_data(as_text=True)


def test_a_sheet_claiming_billions_of_cells_is_refused_at_once(app):
    assert len(CORNER_BOMB) < 2000
    assert ("The sheet runs to more than 20000 rows, most of them empty. Copy only the staff "
            "list into a new sheet") in refused_quickly(app, CORNER_BOMB)


def test_a_workbook_that_unpacks_into_far_more_than_a_staff_list_is_refused_at_once(app):
    assert len(STRINGS_BOMB) < 300_000
    assert ("This Excel file unpacks into more than 20 MB, far more than a staff list needs"
            in refused_quickly(app, STRINGS_BOMB))


def test_reading_a_bomb_stays_small_in_memory():
    tracemalloc.start()
    try:
        for bomb in (CORNER_BOMB, STRINGS_BOMB):
            with pytest.raises(StaffFileError):
                read_staff_file(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, peak
def test_an_unproven_self_registered_account_is_never_taken_over_silently(app, learners):
    squatter = learners.register(identifier="0912345678", name="Kẻ Mạo Danh")
    client = signed_in(app, "organiser", "HN")
    dry_run = upload(client, CSV.encode())
    text = dry_run.get_data(as_text=True)
    assert "Your decision is needed" in text
    assert "never proved it is theirs" in text and "“Kẻ Mạo Danh”, not “Nguyễn Văn An”" in text
    assert people(app)["+84912345678"][3] == "citizen"  # nothing changed
    page = confirm(client, dry_run)  # imported without choosing: asked again, nothing saved
    assert page.status_code == 422 and "Choose for every row above" in page.get_data(as_text=True)
    assert people(app)["+84912345678"][3] == "citizen"
    fields = dict(re.findall(r'<input id="(sheet|digest)" name="\1" type="hidden" value="([^"]*)"',
                             text))
    page = client.post("/staff/import/confirm", data={**fields, "decide-2": "update"})
    assert page.status_code == 200
    assert "Nguyễn Văn An" in codes(page)
    found = people(app)["+84912345678"]
    assert found[1:4] == ("HN-HK", "Chuyên viên", "civil-servant") and found[4] == "!"
    assert squatter.get("/me/").status_code == 302  # signed out: the account is not theirs
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "staff-imported")).all()
        assert any(e.details.get("takeover") for e in entry)


def test_a_row_left_out_by_the_manager_changes_nothing(app, learners):
    learners.register(identifier="0912345678", name="Kẻ Mạo Danh")
    client = signed_in(app, "organiser", "HN")
    text = upload(client, CSV.encode()).get_data(as_text=True)
    fields = dict(re.findall(r'<input id="(sheet|digest)" name="\1" type="hidden" value="([^"]*)"',
                             text))
    page = client.post("/staff/import/confirm", data={**fields, "decide-2": "skip"})
    assert page.status_code == 200
    assert people(app)["+84912345678"][1:4] == ("HN-BD", None, "citizen")
