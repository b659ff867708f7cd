"""The audit trail: staff actions on other people's records are written, scoped and kept."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from lms.extensions import db
from lms.models import AuditEntry, Certificate, User
from lms.services import audit

from test_certificates import complete_course
from test_record import make_manager


@pytest.fixture
def revoked(app, client, learners, bundled_catalog):
    """A learner's certificate revoked by an administrator over HTTP."""
    learners.register(client, name="Lê Thị Hoa", identifier="0912345678")
    complete_course(client, bundled_catalog, "data-security")
    admin = learners.register(name="Quản Trị Viên", identifier="0987654321")
    with app.app_context():
        db.session.scalar(select(User).where(User.phone == "+84987654321")).role = "admin"
        code = db.session.scalar(select(Certificate.code))
        db.session.commit()
    response = admin.post(f"/admin/certificates/{code}", data={"reason": "Thi hộ"},
                          environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    return admin, code


def test_a_revocation_names_who_when_what_whom_and_from_where(app, revoked):
    _admin, code = revoked
    with app.app_context():
        (entry,) = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "certificate-revoked")).all()
        assert (entry.actor_name, entry.subject_name, entry.address) == (
            "Quản Trị Viên", "Lê Thị Hoa", "203.0.113.7")
        assert entry.details["code"] == code and entry.details["reason"] == "Thi hộ"
        assert entry.at is not None and entry.unit_path


def test_administrators_read_filter_and_export_the_trail(app, revoked):
    admin, code = revoked
    page = admin.get("/admin/audit/").get_data(as_text=True)
    assert "Thu hồi giấy chứng nhận" in page and "Lê Thị Hoa" in page
    assert "Lê Thị Hoa" not in admin.get("/admin/audit/?action=role-granted").get_data(
        as_text=True)
    assert "Lê Thị Hoa" in admin.get("/admin/audit/?person=hoa").get_data(as_text=True)
    exported = admin.get("/admin/audit.csv").data.decode("utf-8-sig")
    assert "certificate-revoked" in exported and code in exported
    with app.app_context():  # the export is itself on the trail
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit-exported"))


def test_the_command_prints_the_trail(app, revoked):
    result = app.test_cli_runner().invoke(args=["audit", "--action", "certificate-revoked"])
    assert result.exit_code == 0
    assert ("Quản Trị Viên [203.0.113.7] Certificate revoked (certificate-revoked) Lê Thị Hoa"
            in result.output)


def test_role_grants_and_exports_are_on_the_trail(app, learners):
    manager, unit_code, _path = make_manager(app, learners)
    manager.get(f"/reports/units/{unit_code}/people.csv").data
    with app.app_context():
        actions = [(e.action, e.actor_name) for e in db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]
    assert ("role-granted", "command line") in actions
    assert ("personal-data-exported", "Quản Lý Xã") in actions
    page = manager.get("/admin/audit/").get_data(as_text=True)  # in the page's language
    assert "Cấp vai trò" in page and "do dòng lệnh" in page and "command line" not in page


def test_managers_see_only_entries_about_their_own_units(app, learners, revoked):
    manager, _code, _path = make_manager(app, learners, phone="0977 000 222")
    with app.app_context():  # move the manager's scope to a unit the learner is not in
        other = db.session.execute(text(
            "SELECT id FROM org_units WHERE kind = 'province' ORDER BY id DESC")).first()[0]
        db.session.scalar(select(User).where(User.phone == "+84977000222")).scope_unit_id = other
        db.session.commit()
    assert "Lê Thị Hoa" not in manager.get("/admin/audit/").get_data(as_text=True)
    assert manager.get("/admin/audit/").status_code == 200


def test_the_trail_is_append_only(app, revoked):
    with app.app_context():
        for statement in ("UPDATE audit_entries SET actor_name = 'x'", "DELETE FROM audit_entries"):
            with pytest.raises(DatabaseError):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.scalar(select(AuditEntry.actor_name).where(
            AuditEntry.action == "certificate-revoked")) == "Quản Trị Viên"


def test_every_action_has_its_words_for_the_page_and_the_command():
    assert set(audit.ACTION_WORDS) == set(audit.ACTIONS)
