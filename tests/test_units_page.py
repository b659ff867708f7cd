"""Units in the web interface (issue 11, item 7): organisers and administrators create, rename,
move and count units, checked like the CSV import and written to the audit trail."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEntry, OrgUnit

from test_reports import english, world  # noqa: F401  (the same units and sign-in helper)


@pytest.fixture
def people(world):
    return {
        "organiser": world.person("Hà Tổ Chức", "P", role="organiser", scope="P",
                                  audience="civil-servant"),
        "manager": world.person("Đỗ Quản Lý", "P-C1", role="manager", scope="P-C1",
                                audience="civil-servant"),
        "admin": world.person("Quản Trị", "P", role="admin", audience="civil-servant"),
    }


def unit(world, code: str) -> OrgUnit | None:
    with world.app.app_context():
        found = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if found is not None:
            db.session.expunge(found)
        return found


def form(**fields) -> dict:
    return {"code": "", "name": "", "kind": "commune", "parent_code": "P",
            "expected_residents": "", "expected_civil_servants": "", **fields}


def test_an_organiser_adds_a_special_zone_with_expected_counts(world, people):
    client = world.client(people["organiser"])
    response = client.post("/reports/manage-units/?under=P", data=form(
        code="P-DK", name="Đặc khu Thử", kind="special-zone", expected_residents="4200",
        expected_civil_servants="35"))
    assert response.status_code == 302
    made, province = unit(world, "P-DK"), unit(world, "P")
    assert (made.kind, made.expected_residents, made.expected_civil_servants) == \
        ("special-zone", 4200, 35)
    assert made.path.startswith(province.path) and made.parent_id == province.id
    page = client.get("/reports/manage-units/?under=P").get_data(as_text=True)
    assert "Đặc khu Thử" in page and "Đặc khu" in page and "4.200" in page
    with world.app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit-created"))
        assert entry.details["code"] == "P-DK" and entry.actor_name == "Hà Tổ Chức"
        assert entry.unit_path == made.path


@pytest.mark.parametrize("fields, message", [
    ({"code": "", "name": "Xã Mới"}, "Enter a code."),
    ({"code": "P-C1", "name": "Xã Mới"}, "The code P-C1 is already used"),
    ({"code": "A/B", "name": "Xã Mới"}, "cannot contain “/”"),
    ({"code": "P-N", "name": ""}, "Enter the unit&#39;s name."),
    ({"code": "P-N", "name": "Xã Mới", "expected_residents": "1.234"},
     "“1.234” is not a number of people"),
    ({"code": "P-N", "name": "Xã Mới", "parent_code": "Q"},
     "No unit with the code Q among the units you manage."),
    ({"code": "P-N", "name": "Xã Mới", "parent_code": ""}, "Give the code of one of your units"),
    ({"code": "P-N", "name": "Xã Mới", "kind": "district"}, "Not a valid choice"),
])
def test_a_wrong_unit_is_refused_with_the_reason_and_what_was_typed_stays(world, people,
                                                                         fields, message):
    client = english(world.client(people["organiser"]))
    response = client.post("/reports/manage-units/", data=form(**fields))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if fields.get("name"):
        assert f'value="{fields["name"]}"' in page
    assert unit(world, "P-N") is None


@pytest.mark.parametrize("fields, message", [
    ({"code": "", "name": "Xã Mới"}, "Hãy nhập mã."),
    ({"code": "A/B", "name": "Xã Mới"}, "Mã không được chứa dấu “/” hoặc chỉ gồm dấu chấm."),
    ({"code": "P-C1", "name": "Xã Mới"}, "Mã P-C1 đã được dùng cho đơn vị khác."),
])
def test_a_wrong_unit_is_refused_in_vietnamese_with_the_words_of_the_import(world, people,
                                                                           fields, message):
    # The same rule and the same words as a wrong row of `flask org import`.
    client = world.client(people["organiser"])
    response = client.post("/reports/manage-units/", data=form(**fields))
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_moving_a_commune_moves_everything_under_it_and_never_under_itself(world, people):
    client = english(world.client(people["admin"]))
    loop = client.post("/reports/manage-units/P-C1/", data=form(
        name="Xã Một", kind="commune", parent_code="P-C1-G1"))
    assert loop.status_code == 422
    assert "P-C1-G1 is inside this unit" in loop.get_data(as_text=True)
    moved = client.post("/reports/manage-units/P-C1/", data=form(
        name="Xã Một mới", kind="commune", parent_code="Q", expected_residents="900"))
    assert moved.status_code == 302
    commune, group, other = unit(world, "P-C1"), unit(world, "P-C1-G1"), unit(world, "Q")
    assert commune.parent_id == other.id and commune.path == f"{other.path}{commune.id}/"
    assert group.path == f"{commune.path}{group.id}/"
    assert (commune.name, commune.expected_residents) == ("Xã Một mới", 900)
    with world.app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit-changed"))
        assert entry.details["before"] == {"name": "Xã Một", "parent": "P",
                                           "expected_residents": None}
        assert entry.details["after"] == {"name": "Xã Một mới", "parent": "Q",
                                          "expected_residents": 900}


def test_an_organiser_cannot_move_their_own_top_unit_or_reach_outside(world, people):
    client = english(world.client(people["organiser"]))
    response = client.post("/reports/manage-units/P/", data=form(
        name="Tỉnh Thử Nghiệm", kind="province", parent_code="Q"))
    assert response.status_code == 422
    assert "Your own top unit cannot be moved" in response.get_data(as_text=True)
    assert client.get("/reports/manage-units/Q-C1/").status_code == 404
    assert unit(world, "P").parent_id is None


def test_managers_cannot_change_units(world, people):
    client = world.client(people["manager"])
    assert client.get("/reports/manage-units/").status_code == 403
    assert client.post("/reports/manage-units/P-C1/", data=form(
        name="Đổi tên", parent_code="P")).status_code == 403
    assert unit(world, "P-C1").name == "Xã Một"
