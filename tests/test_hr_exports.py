"""Exports for HR and reconciliation: contact, staff number, assignment status, labels and
dates as the reader reads them, a formatted XLSX, both streamed."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest

from lms.extensions import db
from lms.models import Assignment, AssignmentPerson, User
from lms.services import clock
from tests.test_reports import people, world  # noqa: F401 - fixtures

RAW_CODES = ("citizen", "civil-servant", "ward", "commune", "province", "due-soon", "overdue",
             "on-time")


def assign(world, unit: str | None, due_in_days: int, listed: list[str] = (),
           program: str = "citizen-basic") -> date:
    due = clock.today() + timedelta(days=due_in_days)
    with world.app.app_context():
        assignment = Assignment(subject_kind="program", subject_slug=program, due_on=due,
                                org_unit_id=world.unit(unit).id if unit else None)
        db.session.add(assignment)
        db.session.flush()
        for phone in listed:
            db.session.add(AssignmentPerson(assignment_id=assignment.id,
                                            user_id=world.user_id(phone)))
        db.session.commit()
    return due


def spaced(phone: str) -> str:
    return f"{phone[:4]} {phone[4:7]} {phone[7:]}"


def set_staff_number(world, phone: str, number: str) -> None:
    with world.app.app_context():
        db.session.get(User, world.user_id(phone)).staff_number = number
        db.session.commit()


def csv_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response.is_streamed
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_people_export_tells_namesakes_apart_and_gives_each_assignment_status(world, people):
    namesake = world.person("Nguyễn Thị Lan", "P-C1")
    set_staff_number(world, people["lan"], "CB-0001")
    issued = datetime.now(timezone.utc) - timedelta(hours=1)
    code = world.certify(namesake, issued=issued)
    due = assign(world, "P-C1", 3)  # due soon
    late = assign(world, None, -2, listed=[people["mai"]])  # overdue, listed by name
    client = world.client(people["organiser"])
    client.get("/language/en")
    rows = csv_rows(client, "/reports/units/P/people.csv")
    lans = [row for row in rows if row["Full name"] == "Nguyễn Thị Lan"]
    assert {row["Staff number"] for row in lans} == {"CB-0001", ""}
    assert {row["Phone or email"] for row in lans} == {spaced(people["lan"]), spaced(namesake)}
    status = next(key for key in rows[0] if key.endswith(f"due {due:%d/%m/%Y}: status"))
    overdue = next(key for key in rows[0] if key.endswith(f"due {late:%d/%m/%Y}: status"))
    by_phone = {row["Phone or email"]: row for row in rows}
    assert by_phone[spaced(people["lan"])][status] == "Due soon"
    assert by_phone[spaced(namesake)][status] == "Done"
    assert code in by_phone[spaced(namesake)].values()
    assert by_phone[spaced(people["mai"])][overdue] == "Overdue"
    assert by_phone[spaced(people["mai"])][status] == ""  # not in the assigned unit
    assert by_phone[spaced(people["lan"])][overdue] == ""  # not listed
    assert by_phone[spaced(people["tuan"])]["Audience"] == "Civil servants"
    certified_on = next(value for key, value in by_phone[spaced(namesake)].items()
                        if key.endswith("certified on"))
    # Vietnam's day of issue: an hour ago may be yesterday there (after 17:00 UTC).
    assert certified_on == issued.astimezone(clock.VIETNAM).strftime("%d/%m/%Y")
    assert not [cell for row in rows for cell in row.values() if cell in RAW_CODES]


def test_the_exports_speak_vietnamese_by_default(world, people):
    due = assign(world, "P-C1", 20)
    client = world.client(people["organiser"])
    rows = csv_rows(client, "/reports/units/P/people.csv")
    assert {"Họ và tên", "Mã cán bộ", "Số điện thoại hoặc email"} <= set(rows[0])
    status = next(key for key in rows[0] if key.endswith(f"hạn {due:%d/%m/%Y}: tình trạng"))
    assert {row[status] for row in rows} == {"Còn trong hạn", ""}
    units = csv_rows(client, "/reports/units/P/units.csv")
    kinds = {row["Mã đơn vị"]: row for row in units}
    assert "Phường" in kinds["P-C2"].values() and "Xã" in kinds["P-C1"].values()
    assert not [cell for row in units + rows for cell in row.values() if cell in RAW_CODES]


def test_the_xlsx_has_a_bold_frozen_filtered_header_widths_and_real_dates(world, people):
    world.certify(people["lan"])
    client = world.client(people["organiser"])
    client.get("/language/en")
    response = client.get("/reports/units/P/people.xlsx")
    assert response.status_code == 200 and response.is_streamed
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell for cell in sheet[1]]
    assert all(cell.font.b for cell in header) and header[0].value == "Full name"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}" \
                                    f"{sheet.max_row}"
    assert sheet.max_row > 2
    assert sheet.column_dimensions["A"].width >= len("Nguyễn Thị Lan")
    dates = [cell for row in sheet.iter_rows(min_row=2) for cell in row
             if isinstance(cell.value, datetime)]
    assert dates and all(cell.number_format == "dd/mm/yyyy" for cell in dates)
    assert not sheet.cell(2, 1).font.b


@pytest.mark.parametrize("what", ["people", "units"])
def test_an_empty_unit_exports_a_header_only(world, people, what):
    client = world.client(people["admin"])
    sheet = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/reports/units/Q/{what}.xlsx").data)).active
    assert sheet.max_row >= 1 and sheet.freeze_panes == "A2"


def test_a_people_export_larger_than_an_excel_sheet_is_offered_as_csv(world, people, monkeypatch):
    # Excel's own limit is 1,048,575 people; the view reads it where the rule is written.
    from lms.campaign.reports import views
    client = world.client(people["organiser"])
    client.get("/language/en")
    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 1)
    refused = client.get("/reports/units/P/people.xlsx")
    assert refused.status_code == 302 and refused.location.endswith("/reports/units/P/")
    page = client.get(refused.location).get_data(as_text=True)
    assert "An Excel sheet holds at most 1 people and" in page
    assert "Download the CSV file" in page
    assert client.get("/reports/units/P/people.csv").status_code == 200
    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 10_000)
    assert client.get("/reports/units/P/people.xlsx").status_code == 200
