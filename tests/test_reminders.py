"""Reminders of due dates (issue 11, item 4): the rules in Vietnam's calendar, the outbox filled
once, sent at most once through the real backends (SMTP, an HTTP SMS gateway, the outbox),
retried with backoff, opted out of per channel, shown on the learner's pages and to staff."""
from __future__ import annotations

import email
import email.policy
import secrets
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.messaging import read_outbox, sms_parts, to_outbox
from lms.models import OrgUnit, Reminder, User
from lms.campaign import assignments, reminders
from lms.campaign.units import add_units
from lms.services import audit
from lms.services.accounts import HASHER

from conftest import PASSWORD, UNITS, complete_through_the_record, free_port

PASSWORD_HASH = HASHER.hash(PASSWORD)
ICT = timezone(timedelta(hours=7))
# 10:00 on 1 December 2026 in Vietnam: within sending hours.
MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=ICT)
PUBLIC_URL = "https://hoc.example.vn"
# The locale variables a developer's shell may set are cleared, so that only LANG speaks.
VIETNAMESE = {"LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LMS_LANGUAGE": None}
ENGLISH = {**VIETNAMESE, "LANG": "en"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in Vietnam, as the stopped clock's UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ICT).astimezone(
        timezone.utc)


class Campaign:
    """Units and people written to the database; assignments and completions through the
    services, as staff and learners make them."""

    def __init__(self, app, clock):
        self.app, self.clock = app, clock
        self.numbers = iter(range(1, 10_000))
        with app.app_context():
            add_units(db.session, UNITS)
            db.session.commit()
        self.admin = self.person("Quản Trị", "P", role="admin", proven=False)

    def person(self, name: str, unit: str = "P-C1", *, phone: bool = True, email: bool = False,
               proven: bool = True, audience: str = "citizen", role: str = "learner",
               scope: str | None = None, language: str | None = None) -> int:
        number = next(self.numbers)
        with self.app.app_context():
            unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == unit))
            proven_at = self.clock() - timedelta(days=30) if proven else None
            user = User(full_name=name, password_hash=PASSWORD_HASH, org_unit_id=unit_id,
                        audience=audience, role=role, session_token=secrets.token_hex(8),
                        language=language,
                        scope_unit_id=db.session.scalar(select(OrgUnit.id).where(
                            OrgUnit.code == scope)) if scope else None)
            if phone:
                user.phone, user.phone_proven_at = f"+84912{number:06d}", proven_at
            if email:
                user.email, user.email_proven_at = f"nguoi{number}@example.vn", proven_at
            db.session.add(user)
            db.session.commit()
            return user.id

    def assign(self, subject: str, due_on: date, unit: str = "", people: list[int] = (),
               audience: str = "") -> int:
        with self.app.app_context():
            admin = db.session.get(User, self.admin)
            listed = "\n".join(db.session.get(User, p).phone or db.session.get(User, p).email
                               for p in people)
            made = assignments.create_assignment(
                db.session, admin, self.catalog, subject=subject, unit_code=unit,
                people=listed, due_on=due_on, today_=self.clock().astimezone(ICT).date(),
                actor=audit.Actor.command_line(), audience=audience)
            db.session.commit()
            return made.id

    @property
    def catalog(self):
        return self.app.extensions["lms.catalog"]

    def complete(self, user_id: int, course: str = "ai-basics") -> None:
        with self.app.app_context():
            complete_through_the_record(db.session, db.session.get(User, user_id), self.catalog,
                                        self.catalog.course(course), self.clock())
            db.session.commit()

    def fill(self) -> int:
        with self.app.app_context():
            added = reminders.fill(db.session, self.catalog, self.clock())
            db.session.commit()
            return added

    def send(self, **options) -> reminders.SendSummary:
        from lms.services import clock as app_clock

        with self.app.app_context():
            return reminders.send_due(db.session, self.catalog, app_clock.now, PUBLIC_URL,
                                      **options)

    def rows(self, **where) -> list[tuple[int, str, str, str]]:
        """(person, rule, channel, status) of every reminder, in order."""
        with self.app.app_context():
            query = select(Reminder).order_by(Reminder.user_id, Reminder.rule, Reminder.channel)
            for name, value in where.items():
                query = query.where(getattr(Reminder, name) == value)
            return [(r.user_id, r.rule, r.channel, r.status) for r in db.session.scalars(query)]

    def reminder(self, user_id: int, channel: str = "sms") -> Reminder:
        with self.app.app_context():
            row = db.session.scalar(select(Reminder).where(Reminder.user_id == user_id,
                                                           Reminder.channel == channel)
                                    .order_by(Reminder.id.desc()))
            db.session.expunge(row)
            return row

    def phone(self, user_id: int) -> str:
        with self.app.app_context():
            return db.session.get(User, user_id).phone

    def email(self, user_id: int) -> str:
        with self.app.app_context():
            return db.session.get(User, user_id).email

    def client(self, user_id: int, language: str | None = None):
        with self.app.app_context():
            user = db.session.get(User, user_id)
            identifier = user.phone or user.email
        client = self.app.test_client()
        if language:
            client.get(f"/language/{language}")
        response = client.post("/login", data={"identifier": identifier, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client


@pytest.fixture
def campaign(app, clock):
    clock.moment = MORNING.astimezone(timezone.utc)
    return Campaign(app, clock)


def outbox(app, to=None):
    return read_outbox(app.config["LMS_OUTBOX_DIR"], to)


# --- the rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("days_left, rule", [
    (8, None), (7, "due-7"), (2, "due-7"), (1, "due-1"), (0, "due-1"), (-1, "overdue"),
    (-7, "overdue"), (-8, None)])
def test_each_rule_has_its_days(days_left, rule):
    assert reminders.rule_for(days_left) == rule


def test_a_week_before_starts_at_midnight_in_vietnam_not_in_utc(campaign, clock):
    lan = campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 9), unit="P-C1")
    clock.moment = at(date(2026, 12, 1), 23, 59)  # 16:59 UTC: eight days before, in Vietnam
    assert campaign.fill() == 0
    clock.moment = at(date(2026, 12, 2), 0, 0)  # 17:00 UTC on 1 December: 2 December here
    assert campaign.fill() == 2
    assert campaign.rows() == [(lan, "due-7", "email", "waiting"), (lan, "due-7", "sms", "waiting")]


def test_the_day_before_and_overdue_come_on_their_vietnamese_days(campaign, clock):
    lan = campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 9), unit="P-C1")
    clock.moment = at(date(2026, 12, 8), 6, 59)  # 23:59 UTC on the 7th
    campaign.fill()
    assert {rule for _, rule, _, _ in campaign.rows()} == {"due-1"}
    clock.moment = at(date(2026, 12, 9), 23, 59)  # still the due date in Vietnam
    assert campaign.fill() == 0
    clock.moment = at(date(2026, 12, 10), 0, 1)  # 17:01 UTC on the 9th: the day after, here
    assert campaign.fill() == 2
    clock.moment = at(date(2026, 12, 12), 9)
    assert campaign.fill() == 0  # overdue once, not every day
    assert sorted({(who, rule) for who, rule, _, _ in campaign.rows()}) == [
        (lan, "due-1"), (lan, "overdue")]


def test_a_month_after_the_due_date_nobody_is_reminded_any_more(campaign, clock):
    campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 3), unit="P-C1")
    clock.moment = at(date(2026, 12, 11), 9)  # eight days late
    assert campaign.fill() == 0


def test_only_the_assignments_audience_and_only_people_not_done(campaign):
    lan = campaign.person("Nguyễn Thị Lan")
    done = campaign.person("Trần Văn Xong")
    campaign.person("Cán Bộ", audience="civil-servant")  # the citizens' program is not theirs
    hung = campaign.person("Lê Văn Hùng", "P-C1-G1")  # below the unit: reached
    campaign.person("Phạm Thị Mai", "P-C2")  # another ward: not reached
    for course in campaign.catalog.program("citizen-basic").courses:
        campaign.complete(done, course)
    campaign.assign("program:citizen-basic", date(2026, 12, 5), unit="P-C1")
    campaign.fill()
    assert {who for who, _, _, _ in campaign.rows()} == {lan, hung}


def test_filling_twice_adds_nothing_the_second_time(campaign):
    for number in range(3):
        campaign.person(f"Người {number}")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    assert campaign.fill() == 6
    assert campaign.fill() == 0
    assert len(campaign.rows()) == 6


def test_two_hosts_filling_at_once_make_one_row_each(campaign):
    for number in range(20):
        campaign.person(f"Người {number}")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    barrier, added = threading.Barrier(2), []

    def host():
        with campaign.app.app_context():
            barrier.wait()
            added.append(reminders.fill(db.session, campaign.catalog, campaign.clock()))
            db.session.commit()

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(added) == 40 and len(campaign.rows()) == 40


def test_someone_who_joins_the_day_before_gets_only_the_day_before(campaign, clock):
    campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.send()
    clock.moment = at(date(2026, 12, 4), 9)
    late = campaign.person("Người Đến Sau")
    campaign.send()
    assert [(rule, status) for who, rule, channel, status in campaign.rows()
            if who == late and channel == "sms"] == [("due-1", "sent")]


# --- sending --------------------------------------------------------------------------------

def test_sms_goes_through_the_gateway_unaccented_with_the_title_date_and_addresses(
        make_app, sms_gateway, clock):
    clock.moment = MORNING.astimezone(timezone.utc)
    app = make_app(LMS_SMS_BACKEND="http",
                   LMS_SMS_GATEWAY_URL=f"http://127.0.0.1:{sms_gateway.server_port}/send")
    campaign = Campaign(app, clock)
    lan = campaign.person("Nguyễn Thị Lan")
    campaign.assign("program:citizen-basic", date(2026, 12, 4), unit="P-C1")
    summary = campaign.send()
    assert (summary.sent, summary.failed) == (1, 0)
    assert summary.skipped["no-contact"] == 1  # her email: she has none
    (_headers, body), = sms_gateway.requests
    assert body["to"] == campaign.phone(lan)
    assert body["text"] == (
        'lms: Han hoan thanh "Ky nang so co ban cho nguoi dan" la 04/12/2026, con 3 ngay. '
        f"Hoc tiep: {PUBLIC_URL}/me/ Tat tin nhan nhac han: {PUBLIC_URL}/me/settings")
    assert sms_parts(body["text"]) <= 2
    campaign.send()
    assert len(sms_gateway.requests) == 1  # sent once, never again


def test_email_goes_through_a_real_smtp_server_to_the_person(make_app, smtp_server, clock):
    clock.moment = MORNING.astimezone(timezone.utc)
    controller, received = smtp_server
    app = make_app(LMS_EMAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                   MAIL_DEFAULT_SENDER="lms <no-reply@lms.example.vn>")
    campaign = Campaign(app, clock)
    lan = campaign.person("Nguyễn Thị Lan", phone=False, email=True)
    campaign.assign("course:data-security", date(2026, 12, 2), unit="P-C1")
    assert campaign.send().sent == 1
    envelope, = received
    assert envelope.rcpt_tos == [campaign.email(lan)]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    # Flask-Mailman folds the encoded subject onto a second line: the fold is not the text.
    assert message["Subject"].strip() == "Hạn 02/12/2026: An toàn dữ liệu cá nhân"
    body = message.get_content()
    assert body.startswith("Chào Nguyễn Thị Lan,")
    assert '"An toàn dữ liệu cá nhân" hết hạn vào ngày mai, 02/12/2026.' in body
    assert f"{PUBLIC_URL}/me/" in body and f"{PUBLIC_URL}/me/settings" in body
    assert campaign.rows() == [(lan, "due-1", "email", "sent"), (lan, "due-1", "sms", "no-contact")]


def test_a_person_who_chose_english_gets_english(campaign, app, clock):
    lan = campaign.person("Lan", email=True, language="en")
    campaign.assign("course:ai-basics", date(2026, 12, 10), unit="P-C1")
    clock.moment = at(date(2026, 12, 11), 9)
    campaign.send()
    sms, = outbox(app, campaign.phone(lan))
    assert sms.text.startswith('lms: "AI basics" was due on 10/12/2026 and is not done yet.')
    mail, = [m for m in outbox(app) if m.channel == "email"]
    assert mail.subject == "Overdue: AI basics" and mail.text.startswith("Hello Lan,")


def test_choosing_a_language_while_signed_in_is_what_reminders_use(campaign):
    lan = campaign.person("Lan")
    campaign.client(lan).get("/language/en")
    with campaign.app.app_context():
        assert db.session.get(User, lan).language == "en"
    campaign.client(lan, language="vi")  # chosen before signing in, kept at sign-in
    with campaign.app.app_context():
        assert db.session.get(User, lan).language == "vi"


def test_a_long_title_is_shortened_to_keep_the_sms_in_two_parts(campaign, app):
    from dataclasses import replace

    course = campaign.catalog.course("ai-basics")
    long = " ".join(["Kỹ năng số thiết yếu cho mọi người dân"] * 8)
    vietnamese = replace(course.texts.get("vi"), title=long)
    texts = replace(course.texts, entries=tuple(
        (language, vietnamese if language == "vi" else text)
        for language, text in course.texts.entries))
    item = assignments.LearnerAssignment(
        assignments.Assignment(subject_kind="course", subject_slug="ai-basics",
                               due_on=date(2026, 12, 5)),
        replace(course, texts=texts), False, date(2026, 12, 1))
    with app.app_context():
        user = User(full_name="Lan", language=None)
        _subject, text = reminders.compose(user, item, "sms", date(2026, 12, 1), PUBLIC_URL)
    assert sms_parts(text) == 2 and text.isascii()
    assert '"Ky nang so thiet yeu cho moi nguoi dan Ky nang so' in text and '..."' in text
    assert text.endswith(f"{PUBLIC_URL}/me/settings") and "05/12/2026" in text


def test_someone_who_finished_before_sending_is_not_reminded(campaign, clock, app):
    lan = campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    clock.moment = at(date(2026, 12, 2), 6, 30)  # filled before 07:00, sent from 07:00
    summary = campaign.send()
    assert summary.outside_hours and summary.sent == 0 and len(campaign.rows()) == 2
    campaign.complete(lan)
    clock.moment = at(date(2026, 12, 2), 7, 0)
    summary = campaign.send()
    assert summary.sent == 0 and summary.skipped["finished"] == 2
    assert outbox(app) == []


def test_nothing_goes_to_an_unconfirmed_number(campaign, app):
    lan = campaign.person("Nguyễn Thị Lan", proven=False)
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.send()
    assert campaign.rows() == [(lan, "due-7", "email", "no-contact"),
                               (lan, "due-7", "sms", "no-contact")]
    assert outbox(app) == []


def test_a_reminder_still_waiting_when_its_rule_has_passed_is_not_sent(campaign, clock, app):
    campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    clock.moment = at(date(2026, 12, 3), 22)  # the week-before rows wait for the morning
    campaign.send()
    clock.moment = at(date(2026, 12, 4), 7)  # the morning is the day before
    summary = campaign.send()
    # The week-before SMS and email are outdated; the day-before SMS goes (she has no email).
    assert (summary.skipped["outdated"], summary.skipped["no-contact"], summary.sent) == (2, 1, 1)
    sms, = outbox(app)
    assert "het han vao ngay mai" in sms.text


# --- failures: backoff, giving up, crashes, two hosts ----------------------------------------

def test_failures_are_tried_again_after_5_min_30_min_2_h_12_h_then_given_up(
        make_app, clock):
    clock.moment = at(date(2026, 12, 1), 7)
    app = make_app(LMS_EMAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    campaign = Campaign(app, clock)
    lan = campaign.person("Nguyễn Thị Lan", phone=False, email=True)
    campaign.assign("course:ai-basics", date(2026, 12, 6), unit="P-C1")
    started = clock()
    tries = []
    for wait in (timedelta(0), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                 timedelta(hours=12)):
        clock.moment += wait - timedelta(seconds=1)
        assert campaign.send().failed == 0  # not yet
        clock.advance(seconds=1)
        if clock().astimezone(ICT).hour >= 21:  # 21:35: it waits for the morning
            assert campaign.send().outside_hours
            clock.moment = at(date(2026, 12, 2), 7)
        summary = campaign.send()
        assert summary.failed == 1
        row = campaign.reminder(lan, "email")
        tries.append((row.attempts, row.status))
    assert tries == [(1, "failed"), (2, "failed"), (3, "failed"), (4, "failed"),
                     (5, "given-up")]
    assert "SMTP" in row.last_error and summary.given_up == 1
    clock.moment = started + timedelta(days=3)
    assert campaign.send().failed == 0  # given up for good


def test_a_crash_after_delivery_never_sends_it_again(campaign, app, clock):
    lan, hung = campaign.person("Nguyễn Thị Lan"), campaign.person("Lê Văn Hùng")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")

    def deliver_then_break(config, message):
        to_outbox(config, message)
        raise RuntimeError("the process broke after the gateway took the message")

    with app.app_context():
        backends = app.extensions["lms.messaging"]
        working, backends["sms"] = backends["sms"], deliver_then_break
    with pytest.raises(RuntimeError):
        campaign.send()
    assert len(outbox(app)) == 1
    first = campaign.reminder(lan).status, campaign.reminder(hung).status
    assert first == ("unknown", "waiting")  # Hùng's was never tried: it goes back
    backends["sms"] = working
    clock.advance(hours=1)
    summary = campaign.send()
    assert summary.sent == 1
    assert [m.to for m in outbox(app)] == [campaign.phone(lan), campaign.phone(hung)]
    assert campaign.reminder(lan).status == "unknown"


def test_a_sender_killed_while_sending_is_not_sent_again_after_its_lease(campaign, app, clock):
    lan, hung = campaign.person("Nguyễn Thị Lan"), campaign.person("Lê Văn Hùng")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")

    def delivered_then_killed(config, message):
        to_outbox(config, message)
        raise SystemExit("SIGTERM")  # nothing of ours runs after it, as with kill -9

    with app.app_context():
        backends = app.extensions["lms.messaging"]
        working, backends["sms"] = backends["sms"], delivered_then_killed
    with pytest.raises(SystemExit):
        campaign.send()
    backends["sms"] = working
    assert (campaign.reminder(lan).status, campaign.reminder(hung).status) == (
        "sending", "claimed")
    clock.advance(minutes=14)  # the lease still holds both rows
    assert campaign.send().sent == 0 and len(outbox(app)) == 1
    clock.advance(minutes=2)
    summary = campaign.send()
    assert (summary.sent, summary.unknown) == (1, 1)
    assert [m.to for m in outbox(app)] == [campaign.phone(lan), campaign.phone(hung)]
    assert campaign.reminder(lan).status == "unknown"


def test_two_hosts_sending_at_once_never_send_one_reminder_twice(make_app, smtp_server, clock,
                                                                 monkeypatch):
    clock.moment = MORNING.astimezone(timezone.utc)
    controller, received = smtp_server
    app = make_app(LMS_EMAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                   MAIL_DEFAULT_SENDER="lms <no-reply@lms.example.vn>")
    campaign = Campaign(app, clock)
    people = [campaign.person(f"Người {n}", phone=False, email=True) for n in range(30)]
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.fill()
    monkeypatch.setattr(reminders, "BATCH", 3)
    barrier, summaries = threading.Barrier(2), []

    def host():
        barrier.wait()
        summaries.append(campaign.send())

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    recipients = [envelope.rcpt_tos[0] for envelope in received]
    assert len(recipients) == len(set(recipients)) == 30
    assert sorted(summary.sent for summary in summaries)[0] > 0  # both hosts sent some
    assert sum(summary.sent for summary in summaries) == 30
    assert {status for who, _, channel, status in campaign.rows() if channel == "email"} \
        == {"sent"} and len(people) == 30



def test_rows_another_host_is_claiming_are_skipped_not_waited_for(campaign, app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: there are no row locks to skip")
    for number in range(5):
        campaign.person(f"Người {number}")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.fill()
    summaries = []
    with app.app_context(), db.engine.connect() as other_host:
        claiming = other_host.begin()
        held = other_host.execute(reminders.due(campaign.clock()).limit(2)
                                  .with_for_update(skip_locked=True)).scalars().all()
        sender = threading.Thread(target=lambda: summaries.append(campaign.send()))
        sender.start()
        sender.join(20)
        waited = sender.is_alive()
        claiming.rollback()
        sender.join(20)
    assert not waited
    assert summaries[0].sent == 3 and len(outbox(app)) == 3
    with app.app_context():
        assert {r.status for r in db.session.scalars(
            select(Reminder).where(Reminder.id.in_(held)))} == {"waiting"}


def test_a_run_whose_lease_ran_out_does_not_send_what_another_run_took(campaign, app, clock):
    lan = campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.fill()
    with app.app_context():
        slow, = [r for r in reminders._claim(db.session, clock(), 5, "slow-run")
                 if r.channel == "sms"]
        clock.advance(minutes=16)  # the slow run stalled past its lease
        assert campaign.send().sent == 1  # another run took the row back and sent it
        tried = reminders._handle(db.session, campaign.catalog, slow, "slow-run", lambda: clock(),
                                  PUBLIC_URL, reminders.SendSummary())
    assert tried == 0 and [m.to for m in outbox(app)] == [campaign.phone(lan)]
    assert campaign.reminder(lan).status == "sent"

# --- the command ----------------------------------------------------------------------------

@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, ["nhắc hạn: 4 mới, đã gửi 2, gửi lỗi 0, bỏ qua 2",
                  "bỏ qua: 1 người đã tắt, 1 người chưa có số điện thoại hoặc email đã xác nhận, "
                  "0 người đã hoàn thành, 0 không còn đến hạn"]),
    (ENGLISH, ["reminders: 4 new, 2 sent, 0 failed, 2 skipped",
               "skipped: 1 turned off by the person, 1 without a confirmed phone number or "
               "email, 0 already done, 0 no longer due"])])
def test_the_command_prints_a_summary_in_the_language_of_lang(campaign, runner, env, expected):
    campaign.person("Nguyễn Thị Lan", email=True)
    quiet = campaign.person("Người Tắt SMS", proven=False)
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.client(quiet).post("/me/settings/reminders", data={"reminders-email": "y"})
    result = runner.invoke(args=["reminders", "send"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == expected


def test_a_dry_run_writes_and_sends_nothing(campaign, runner, app):
    campaign.person("Nguyễn Thị Lan")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    result = runner.invoke(args=["reminders", "send", "--dry-run"], env=ENGLISH)
    assert result.exit_code == 0, result.output
    assert "dry run: 1 would be sent; nothing was written or sent" in result.output
    assert campaign.rows() == [] and outbox(app) == []


def test_limit_caps_the_messages_of_one_run(campaign, runner, app):
    for number in range(5):
        campaign.person(f"Người {number}")
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    result = runner.invoke(args=["reminders", "send", "--limit", "3"], env=ENGLISH)
    assert result.exit_code == 0 and len(outbox(app)) == 3
    runner.invoke(args=["reminders", "send"], env=ENGLISH)
    assert len(outbox(app)) == 5


# --- opting out -----------------------------------------------------------------------------

def test_turning_off_sms_keeps_email_and_records_when(campaign, app, clock):
    lan = campaign.person("Nguyễn Thị Lan", email=True)
    client = campaign.client(lan, "en")
    page = client.get("/me/settings").get_data(as_text=True)
    assert page.count("checked") == 2  # both on by default
    response = client.post("/me/settings/reminders", data={"reminders-email": "y"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, lan)
        assert (user.sms_reminders_off_at, user.email_reminders_off_at) == (
            clock().replace(tzinfo=None) if campaign.app.config[
                "SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else clock(), None)
    page = client.get("/me/settings").get_data(as_text=True)
    assert 'id="reminders-sms"' in page and page.count("checked") == 1
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.send()
    assert [(channel, status) for _, _, channel, status in campaign.rows()] == [
        ("email", "sent"), ("sms", "opted-out")]
    assert [m.channel for m in outbox(app)] == ["email"]


def test_the_reminder_form_needs_its_csrf_token(make_app, clock):
    import re

    app = make_app(WTF_CSRF_ENABLED=True)
    lan = Campaign(app, clock).person("Nguyễn Thị Lan")
    client = app.test_client()

    def token(path):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                         client.get(path).get_data(as_text=True)).group(1)

    with app.app_context():
        phone = db.session.get(User, lan).phone
    client.post("/login", data={"identifier": phone, "password": PASSWORD,
                                "csrf_token": token("/login")})
    assert client.post("/me/settings/reminders", data={}).status_code == 400
    with app.app_context():
        assert db.session.get(User, lan).sms_reminders_off_at is None
    response = client.post("/me/settings/reminders", data={"csrf_token": token("/me/settings")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, lan).sms_reminders_off_at is not None


def test_every_message_says_how_to_stop_it(campaign, app):
    campaign.person("Nguyễn Thị Lan", email=True)
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.send()
    sms, mail = sorted(outbox(app), key=lambda m: m.channel, reverse=True)
    assert f"Tat tin nhan nhac han: {PUBLIC_URL}/me/settings" in sms.text
    assert f"bỏ chọn ở trang cài đặt của bạn: {PUBLIC_URL}/me/settings" in mail.text


# --- the learner's pages --------------------------------------------------------------------

def test_the_notice_shows_on_my_pages_only_to_me(campaign, app, clock):
    lan = campaign.person("Nguyễn Thị Lan", "P-C1")
    mai = campaign.person("Phạm Thị Mai", "P-C2")
    campaign.assign("course:ai-basics", date(2026, 12, 4), unit="P-C1")
    campaign.assign("course:data-security", date(2026, 12, 3), people=[mai])
    clock.moment = at(date(2026, 12, 4), 9)
    lan_client, mai_client = campaign.client(lan), campaign.client(mai)
    mine = lan_client.get("/me/").get_data(as_text=True)
    assert 'class="notice due-notice"' in mine and "Sắp đến hạn" in mine
    assert "Trí tuệ nhân tạo cơ bản" in mine and "hạn hoàn thành 4/12/2026" in mine
    course = lan_client.get("/courses/ai-basics/").get_data(as_text=True)
    assert "due-notice" in course and "hết hạn hôm nay" in course
    assert "due-notice" not in lan_client.get("/courses/data-security/").get_data(as_text=True)
    theirs = mai_client.get("/me/").get_data(as_text=True)
    assert "Quá hạn" in theirs and "An toàn dữ liệu cá nhân" in theirs
    assert "Trí tuệ nhân tạo cơ bản" not in theirs.split("</section>")[0]
    assert "due-notice" not in mai_client.get("/courses/ai-basics/").get_data(as_text=True)
    anonymous = app.test_client().get("/courses/ai-basics/")
    assert "due-notice" not in anonymous.get_data(as_text=True)
    assert lan_client.get("/courses/ai-basics/").headers["Cache-Control"] == "no-store"


def test_the_notice_shows_whatever_the_channels_and_goes_once_done(campaign, clock):
    lan = campaign.person("Nguyễn Thị Lan")
    client = campaign.client(lan)
    client.post("/me/settings/reminders", data={})  # both off
    campaign.assign("program:citizen-basic", date(2026, 12, 20), unit="P-C1")
    assert "due-notice" not in client.get("/me/").get_data(as_text=True)  # 19 days away
    clock.moment = at(date(2026, 12, 13), 9)
    assert "due-notice" in client.get("/me/").get_data(as_text=True)
    assert "due-notice" in client.get("/courses/ai-basics/").get_data(as_text=True)  # its course
    for course in campaign.catalog.program("citizen-basic").courses:
        campaign.complete(lan, course)
    assert "due-notice" not in client.get("/me/").get_data(as_text=True)


# --- what staff see -------------------------------------------------------------------------

def test_staff_see_counts_and_failures_of_their_units_only(make_app, clock):
    clock.moment = MORNING.astimezone(timezone.utc)
    app = make_app(LMS_SMS_BACKEND="http", LMS_SMS_GATEWAY_URL=f"http://127.0.0.1:{free_port()}/")
    campaign = Campaign(app, clock)
    campaign.person("Nguyễn Thị Lan", "P-C1")
    campaign.person("Lê Văn Hùng", "P-C1-G1", phone=False, email=True)
    campaign.person("Phạm Thị Mai", "P-C2")
    manager = campaign.person("Đỗ Quản Lý", "P-C1", role="manager", scope="P-C1",
                              phone=False, email=True, proven=False)
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P")
    summary = campaign.send()
    assert (summary.sent, summary.failed) == (1, 2)  # Hùng's email; Lan's and Mai's SMS
    page = campaign.client(manager, "en").get("/reports/assignments/").get_data(as_text=True)
    assert "Reminders: 1 sent · 0 waiting · 1 failed · 4 not sent" in page
    assert "Nguyễn Thị Lan (Xã Một) · SMS, a week before · failed, will be tried again" in page
    assert "Phạm Thị Mai" not in page  # another ward's failure
    assert "no confirmed phone number or email: 4" in page
    assert "hoc.example.vn/me" not in page  # no message text


def test_my_data_lists_my_reminders_and_deleting_removes_them(campaign, app):
    lan = campaign.person("Nguyễn Thị Lan", email=True)
    campaign.assign("course:ai-basics", date(2026, 12, 5), unit="P-C1")
    campaign.send()
    client = campaign.client(lan)
    client.post("/me/settings/reminders", data={"reminders-sms": "y"})
    data = client.get("/me/data.json").get_json()
    assert {(r["channel"], r["status"]) for r in data["reminders"]} == {
        ("sms", "sent"), ("email", "sent")}
    assert data["account"]["email_reminders_off_since"] and \
        data["account"]["sms_reminders_off_since"] is None
    client.post("/me/delete", data={"password": PASSWORD})
    assert campaign.rows() == []


def test_the_migration_goes_down_and_up_again(app):
    import flask_migrate
    from sqlalchemy import inspect

    from lms.db import MIGRATIONS_DIR

    with app.app_context():
        flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision="0012")
        assert "reminders" not in inspect(db.engine).get_table_names()
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        assert "reminders" in inspect(db.engine).get_table_names()
        assert "sms_reminders_off_at" in {c["name"] for c in inspect(db.engine).get_columns(
            "users")}

