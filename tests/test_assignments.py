"""Assigned training over HTTP: who may assign, what learners see, and the four states."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.extensions import db
from lms.models import Assignment, OrgUnit
from lms.campaign import assignments
from lms.services import clock, record

from test_reports import World, english  # the same units, people and sign-in helper


@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture
def people(world):
    return {
        "lan": world.person("Nguyễn Thị Lan", "P-C1"),
        "hung": world.person("Trần Văn Hùng", "P-C1-G1", position="Tổ trưởng"),
        "mai": world.person("Lê Thị Mai", "P-C2"),
        "manager": world.person("Đỗ Quản Lý", "P-C1", role="manager", scope="P-C1",
                                audience="civil-servant"),
        "organiser": world.person("Hà Tổ Chức", "P", role="organiser", scope="P"),
        "trainer": world.person("Giảng Viên", "P-C2", role="trainer"),
    }


def assign(world, subject: str, due_in: int, unit: str | None = None,
           people: list[str] = ()) -> None:
    """Writes an assignment directly, so that due dates in the past can be tested too."""
    kind, _, slug = subject.partition(":")
    with world.app.app_context():
        unit_id = db.session.query(OrgUnit).filter_by(code=unit).one().id if unit else None
        assignment = Assignment(subject_kind=kind, subject_slug=slug, org_unit_id=unit_id,
                                due_on=clock.today() + timedelta(days=due_in))
        db.session.add(assignment)
        db.session.flush()
        for phone in people:
            db.session.add(assignments.AssignmentPerson(assignment_id=assignment.id,
                                                        user_id=world.user_id(phone)))
        db.session.commit()


def due(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def test_a_manager_assigns_a_course_to_a_unit_and_everyone_below_sees_it(world, people):
    manager = world.client(people["manager"])
    response = manager.post("/reports/assignments/", data={
        "subject": "course:ai-basics", "unit": "P-C1", "people": "", "due_on": due(20)})
    assert response.status_code == 302
    assert "Trí tuệ nhân tạo" in manager.get("/reports/assignments/").get_data(as_text=True)
    for phone in (people["lan"], people["hung"]):
        page = english(world.client(phone)).get("/me/").get_data(as_text=True)
        assert 'href="/courses/ai-basics/"' in page and "20 days left" in page
        assert page.index("Assigned to you") < page.index("My courses")
    assert "state-on-time" not in world.client(people["mai"]).get("/me/").get_data(as_text=True)


def test_assigning_to_listed_people_by_phone_or_email(world, people):
    manager = world.client(people["manager"])
    response = manager.post("/reports/assignments/", data={
        "subject": "program:citizen-basic", "unit": "",
        "people": f"{people['lan']}\n{people['hung'].replace('0912', '0912 ')}", "due_on": due(30)})
    assert response.status_code == 302
    assert "state-on-time" in world.client(people["lan"]).get("/me/").get_data(as_text=True)
    assert "state-on-time" in world.client(people["hung"]).get("/me/").get_data(as_text=True)


def test_people_outside_the_managers_units_cannot_be_assigned(world, people):
    manager = world.client(people["manager"])
    response = manager.post("/reports/assignments/", data={
        "subject": "course:ai-basics", "unit": "", "people": f"{people['mai']}\nnot-a-number",
        "due_on": due(10)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert people["mai"] in page and "not-a-number" in page
    assert "state-" not in world.client(people["mai"]).get("/me/").get_data(as_text=True)


@pytest.mark.parametrize("form, field_text", [
    ({"unit": "P"}, "P"),  # above the manager's unit
    ({"unit": "P-C1", "people": "0912000001"}, ""),  # both a unit and people
    ({"unit": "P-C1", "due_on": "2000-01-01"}, ""),  # in the past
    ({"unit": "P-C1", "subject": "course:no-such-course"}, ""),
])
def test_invalid_assignments_are_refused(world, people, form, field_text):
    data = {"subject": "course:ai-basics", "unit": "", "people": "", "due_on": due(10), **form}
    response = world.client(people["manager"]).post("/reports/assignments/", data=data)
    assert response.status_code == 422
    with world.app.app_context():
        assert db.session.query(Assignment).count() == 0


@pytest.mark.parametrize("role", ["lan", "trainer"])
def test_learners_and_trainers_cannot_assign(world, people, role):
    client = world.client(people[role])
    assert client.get("/reports/assignments/").status_code == 403
    assert client.post("/reports/assignments/", data={
        "subject": "course:ai-basics", "unit": "P-C1", "due_on": due(5)}).status_code == 403


def test_state_follows_the_due_date_and_completion():
    today = date(2026, 12, 1)
    assert record.assignment_state(False, date(2026, 12, 9), today) == "on-time"
    assert record.assignment_state(False, date(2026, 12, 8), today) == "due-soon"
    assert record.assignment_state(False, today, today) == "due-soon"
    assert record.assignment_state(False, date(2026, 11, 30), today) == "overdue"
    assert record.assignment_state(True, date(2026, 11, 30), today) == "done"


def _learner_states(world, phone):
    with world.app.app_context():
        from lms.models import User
        user = db.session.get(User, world.user_id(phone))
        return {(item.assignment.subject_slug, item.state, item.days_left) for item in
                assignments.for_learner(db.session, user, world.app.extensions["lms.catalog"],
                                        clock.today())}


def test_learner_states_on_time_due_soon_overdue_and_done(bundled_catalog, world, people):
    assign(world, "course:ai-basics", 20, unit="P")
    assign(world, "course:data-security", 7, people=[people["lan"]])
    assign(world, "course:online-public-services", -2, unit="P-C1")
    assign(world, "program:citizen-basic", -1, unit="P-C1")
    world.complete_course(people["lan"], bundled_catalog.course("ai-basics"))
    assert _learner_states(world, people["lan"]) == {
        ("ai-basics", "done", 20), ("data-security", "due-soon", 7),
        ("online-public-services", "overdue", -2), ("citizen-basic", "overdue", -1)}
    page = english(world.client(people["lan"])).get("/me/").get_data(as_text=True)
    order = [page.index(f"state-{state}") for state in ("overdue", "due-soon", "done")]
    assert order == sorted(order)  # open work first, soonest due first
    assert "2 days late" in page and "7 days left" in page


def test_a_revoked_certificate_does_not_complete_a_program(world, people):
    assign(world, "program:citizen-basic", 3, unit="P-C1")
    world.certify(people["hung"], revoked=True)
    assert _learner_states(world, people["hung"]) == {("citizen-basic", "due-soon", 3)}


def test_lessons_without_the_quiz_do_not_complete_a_course(bundled_catalog, world, people):
    assign(world, "course:ai-basics", 3, unit="P-C1")
    course = bundled_catalog.course("ai-basics")
    with world.app.app_context():
        from lms.models import LessonProgress
        for lesson in course.lessons:
            db.session.add(LessonProgress(user_id=world.user_id(people["hung"]),
                                          course_slug="ai-basics", lesson_slug=lesson.slug,
                                          content_hash="x"))
        db.session.commit()
    assert _learner_states(world, people["hung"]) == {("ai-basics", "due-soon", 3)}


def test_managers_see_who_is_behind_on_flagged_assignments(bundled_catalog, world, people):
    assign(world, "course:ai-basics", -1, unit="P")  # overdue
    assign(world, "program:citizen-basic", 30, unit="P")  # on time: nobody listed
    world.complete_course(people["lan"], bundled_catalog.course("ai-basics"))
    page = world.client(people["manager"]).get("/reports/").get_data(as_text=True)
    section = page[page.index("state-overdue"):]
    assert "Trần Văn Hùng" in section and "Tổ trưởng" in section
    assert "Nguyễn Thị Lan" not in section  # done
    assert "Lê Thị Mai" not in page  # outside the manager's units
    with world.app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code="P-C1").one()
        items = assignments.summaries(db.session, unit.path, bundled_catalog, clock.today())
    overdue, on_time = items
    assert (overdue.state, overdue.assigned, overdue.done) == ("overdue", 3, 1)
    assert [name for name, _, _ in overdue.pending] == ["Đỗ Quản Lý", "Trần Văn Hùng"]  # unit first
    assert (on_time.state, on_time.pending) == ("on-time", [])


def test_people_assignments_count_only_people_in_the_viewers_units(world, people):
    assign(world, "program:citizen-basic", 5, people=[people["lan"], people["mai"]])
    world.certify(people["mai"])
    with world.app.app_context():
        c1 = db.session.query(OrgUnit).filter_by(code="P-C1").one()
        province = db.session.query(OrgUnit).filter_by(code="P").one()
        catalog = world.app.extensions["lms.catalog"]
        (mine,) = assignments.summaries(db.session, c1.path, catalog, clock.today())
        (whole,) = assignments.summaries(db.session, province.path, catalog, clock.today())
    assert (mine.assigned, mine.done, mine.state) == (1, 0, "due-soon")
    assert (whole.assigned, whole.done) == (2, 1)


def test_a_manager_without_a_scope_unit_cannot_assign_to_anyone_by_name(world, people):
    unscoped = world.client(world.person("Chưa Phân Công", "P-C1", role="manager"))
    response = unscoped.post("/reports/assignments/", data={
        "subject": "course:ai-basics", "unit": "", "people": people["mai"], "due_on": due(10)})
    assert response.status_code == 422
    assert people["mai"] in response.get_data(as_text=True)  # as unknown as a typo
    with world.app.app_context():
        assert db.session.query(Assignment).count() == 0


def test_an_assignment_that_reaches_nobody_is_not_done(bundled_catalog, world, people):
    with world.app.app_context():
        from lms.campaign.units import add_units
        add_units(db.session, [{"code": "P-EMPTY", "name": "Tổ trống", "parent_code": "P",
                                "kind": "group"}])
        db.session.commit()
    assign(world, "course:ai-basics", 3, unit="P-EMPTY")
    with world.app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code="P-EMPTY").one()
        [summary] = [s for s in assignments.summaries(db.session, unit.path, bundled_catalog,
                                                      clock.today())]
    assert (summary.assigned, summary.done, summary.state) == (0, 0, "due-soon")


def _assignment_ids(world):
    with world.app.app_context():
        return [a.id for a in db.session.query(Assignment).order_by(Assignment.id)]


def test_an_assignment_is_removed_after_confirming_by_someone_who_sees_it(world, people):
    assign(world, "course:ai-basics", 3, unit="P-C1")
    assign(world, "course:ai-basics", 3, unit="Q-C1")
    on_c1, on_q = _assignment_ids(world)
    manager = world.client(people["manager"])  # responsible for P-C1
    assert manager.get(f"/reports/assignments/{on_c1}/remove").status_code == 200
    assert manager.post(f"/reports/assignments/{on_q}/remove").status_code == 404
    assert _assignment_ids(world) == [on_c1, on_q]
    assert manager.post(f"/reports/assignments/{on_c1}/remove").status_code == 302
    assert _assignment_ids(world) == [on_q]
    assert "ai-basics" not in str(_learner_states(world, people["lan"]))


def test_a_list_of_people_is_unassigned_only_by_its_author_or_an_admin(world, people):
    assign(world, "course:ai-basics", 3, people=[people["lan"]])  # written with no author
    [listed] = _assignment_ids(world)
    assert world.client(people["organiser"]).post(
        f"/reports/assignments/{listed}/remove").status_code == 404
    admin = world.person("Quản Trị", "P", role="admin")
    assert world.client(admin).post(f"/reports/assignments/{listed}/remove").status_code == 302
    assert _assignment_ids(world) == []


# --- audience (issue 11, item 1) ----------------------------------------------------------

def test_the_civil_servant_program_reaches_only_civil_servants(world, people):
    """The 80-year-old citizen is not shown it; the manager's counts leave citizens out."""
    elder = world.person("Cụ Bà Tám", "P-C1", birth_year=1946)
    clerk = world.person("Cán Bộ Xã", "P-C1", audience="civil-servant")
    manager = world.client(people["manager"])
    response = manager.post("/reports/assignments/", data={
        "subject": "program:civil-servant", "unit": "P-C1", "people": "", "audience": "",
        "due_on": due(3)})
    assert response.status_code == 302
    with world.app.app_context():
        stored = db.session.query(Assignment).one()
        assert stored.audience == "civil-servant"
        catalog = world.app.extensions["lms.catalog"]
        reached = set(db.session.scalars(assignments.people_assigned(stored, catalog)))
    assert reached == {world.user_id(clerk), world.user_id(people["manager"])}
    assert "state-due-soon" in world.client(clerk).get("/me/").get_data(as_text=True)
    assert "state-" not in world.client(elder).get("/me/").get_data(as_text=True)
    page = english(manager).get("/reports/units/P-C1/").get_data(as_text=True)
    assert "0 of 2 done" in page and "Cụ Bà Tám" not in page and "Cán Bộ Xã" in page


def test_an_assignment_made_before_audiences_is_narrowed_to_the_programs(world, people):
    assign(world, "program:civil-servant", 3, unit="P-C1")  # audience "both", the old default
    assert "state-" not in world.client(people["lan"]).get("/me/").get_data(as_text=True)
    page = english(world.client(people["manager"])).get("/reports/assignments/")
    assert "0 of 1 done" in page.get_data(as_text=True)


@pytest.mark.parametrize("subject, audience, reason", [
    ("program:civil-servant", "citizen", "for civil servants only"),
    ("program:civil-servant", "both", "for civil servants only"),
    ("program:citizen-basic", "civil-servant", "for citizens only"),
])
def test_an_audience_the_program_does_not_declare_is_refused_with_the_reason(
        world, people, subject, audience, reason):
    response = english(world.client(people["manager"])).post("/reports/assignments/", data={
        "subject": subject, "unit": "P-C1", "people": "", "audience": audience,
        "due_on": due(10)})
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.query(Assignment).count() == 0


def test_listed_people_outside_the_audience_are_named_and_nothing_is_saved(world, people):
    response = english(world.client(people["manager"])).post("/reports/assignments/", data={
        "subject": "program:civil-servant", "unit": "", "audience": "civil-servant",
        "people": f"{people['manager']}\n{people['lan']}", "due_on": due(10)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not in the audience you chose:" in page and people["lan"] in page
    with world.app.app_context():
        assert db.session.query(Assignment).count() == 0


def test_the_people_field_says_what_to_type(world, people):
    page = world.client(people["manager"]).get("/reports/assignments/").get_data(as_text=True)
    assert "Số người" not in page
