"""Reminders of due dates: which message is due to whom (the rules), their outbox, sending each
at most once (`flask reminders send`), and what a learner's pages and an organiser see of them.

The rules, in Vietnam's calendar (an assignment's due date is a Vietnamese day):
- "due-7": from 7 to 2 days before the due date; "due-1": the day before and the day itself;
  "overdue": from the day after, for a week (then only the learner's pages say it).
- Only people the assignment reaches (assignments.people_assigned, its audience only) who have
  not done it (assignments.done_condition) get a row; a person who joins late gets the rule
  that applies that day, never the earlier ones.
- When a row is sent, the rule must still apply and the assignment must still be the learner's
  and not done (what their own page shows: assignments.for_learner), else it is skipped.
- Channels: SMS to a proven phone number, email to a proven address, unless the person turned
  that channel off. Sent between 07:00 and 21:00 in Vietnam only.
"""
from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import (DateTime, Integer, Select, String, and_, false, func, literal, not_,
                        select, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms import messaging
from lms.content import Catalog
from lms.export_files import day_month_year
from lms.i18n import BABEL_LOCALES, DEFAULT_LANGUAGE, LANGUAGES
from lms.models import Assignment, OrgUnit, Reminder, User
from lms.services.clock import VIETNAM, aware, vietnam_date
from lms.campaign.assignments import (LearnerAssignment, done_condition, for_learner,
                                      people_assigned, subject_of)
from lms.campaign.scope import in_subtree

WEEK_BEFORE, DAY_BEFORE, OVERDUE = "due-7", "due-1", "overdue"
OVERDUE_FOR_DAYS = 7
SENDING_HOURS = (7, 21)  # from 07:00 to 21:00 in Vietnam: no SMS wakes anyone up
# After the 1st, 2nd, 3rd and 4th failed try; the 5th failure gives up.
RETRY_AFTER = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
               timedelta(hours=12))
BATCH = 20
# How long one run holds the rows it claimed: longer than a batch takes to send (each send
# times out within 10 s), so a live sender never loses its rows to another host.
LEASE = timedelta(minutes=15)
SMS_PARTS = 2  # the longest a reminder SMS may be

DUE = ("waiting", "failed")  # rows a run may claim once next_try_at has come
SKIPPED = ("opted-out", "no-contact", "finished", "outdated")


def rule_for(days_left: int) -> str | None:
    """The reminder due when an assignment is `days_left` days away (negative: overdue)."""
    if 2 <= days_left <= 7:
        return WEEK_BEFORE
    if 0 <= days_left <= 1:
        return DAY_BEFORE
    if -OVERDUE_FOR_DAYS <= days_left <= -1:
        return OVERDUE
    return None


def sending_hours(now: datetime) -> bool:
    return SENDING_HOURS[0] <= aware(now).astimezone(VIETNAM).hour < SENDING_HOURS[1]


# --- filling the outbox ---------------------------------------------------------------------

def fill(session: Session, catalog: Catalog, now: datetime) -> int:
    """Adds the rows the rules call for today; returns how many were new.

    One INSERT ... SELECT per assignment and channel, ON CONFLICT DO NOTHING on the unique
    (person, assignment, rule, channel): running it twice, or on two hosts at once, adds nothing
    the second time, and the cost follows the assignments, not the people. Commits what the
    session held before; the caller commits the rows.
    """
    _writing(session)
    today = vietnam_date(now)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
    window = session.scalars(select(Assignment).where(Assignment.due_on.between(
        today - timedelta(days=OVERDUE_FOR_DAYS), today + timedelta(days=7))))
    added = 0
    for assignment in window:
        rule = rule_for((assignment.due_on - today).days)
        if rule is None or subject_of(catalog, assignment.subject_kind,
                                      assignment.subject_slug) is None:
            continue
        undone = not_(done_condition(catalog, assignment.subject_kind, assignment.subject_slug,
                                     today))
        for channel in messaging.CHANNELS:
            rows = people_assigned(assignment, catalog).where(undone).with_only_columns(
                User.id, literal(assignment.id, Integer), literal(rule, String),
                literal(channel, String), literal("waiting", String), literal(0, Integer),
                literal(now, DateTime(timezone=True)), literal(now, DateTime(timezone=True)))
            added += session.execute(
                insert(Reminder).from_select(
                    ["user_id", "assignment_id", "rule", "channel", "status", "attempts",
                     "next_try_at", "created_at"], rows)
                .on_conflict_do_nothing()
                # An INSERT's rowcount is kept only when asked for (psycopg's is dropped).
                .execution_options(preserve_rowcount=True)).rowcount
    return added


# --- sending --------------------------------------------------------------------------------

@dataclass
class SendSummary:
    filled: int = 0
    sent: int = 0
    failed: int = 0  # tried and failed this run (to be tried again, or given up)
    given_up: int = 0
    skipped: Counter = field(default_factory=Counter)  # by reason
    unknown: int = 0  # a sender stopped while sending (this run, or an earlier one)
    outside_hours: bool = False
    dry_run: bool = False
    would_send: int = 0


def send_due(session: Session, catalog: Catalog, now: Callable[[], datetime], base_url: str,
             limit: int | None = None, dry_run: bool = False) -> SendSummary:
    """Fills the outbox, then sends what is due, `BATCH` rows at a time; commits as it goes.

    Never twice, rather than at least once: each row is claimed (a token and a lease), then
    marked "sending" in its own commit before the message leaves, and "sent" after. A row
    left "sending" (the process died, or the backend broke after handing the message on) may
    or may not have reached the person: it becomes "unknown" and is never sent again. A row
    left "claimed" was never tried: once its lease has run out, another run takes it. So a
    crash can lose a reminder, which the learner's pages still show, but never repeat one.
    `limit` caps the messages tried in this run; `dry_run` writes and sends nothing.
    """
    summary = SendSummary(dry_run=dry_run)
    summary.filled = fill(session, catalog, now())
    if dry_run:
        _rehearse(session, catalog, now(), limit, summary)
        session.rollback()
        return summary
    session.commit()
    summary.unknown += release_stale(session, now())
    session.commit()
    if not sending_hours(now()):
        summary.outside_hours = True
        return summary
    token = secrets.token_hex(16)
    tried = 0
    while limit is None or tried < limit:
        size = BATCH if limit is None else min(BATCH, limit - tried)
        claimed = _claim(session, now(), size, token)
        if not claimed:
            break
        for reminder in claimed:
            tried += _handle(session, catalog, reminder, token, now, base_url, summary)
    return summary


def release_stale(session: Session, now: datetime) -> int:
    """Rows whose run stopped: "claimed" ones go back to waiting (never tried), "sending" ones
    become "unknown" (perhaps sent: never again). Returns how many became unknown."""
    expired = Reminder.lease_until < now
    session.execute(update(Reminder).where(Reminder.status == "claimed", expired)
                    .values(status="waiting", claim_token=None, lease_until=None))
    return session.execute(update(Reminder).where(Reminder.status == "sending", expired)
                           .values(status="unknown", lease_until=None)).rowcount


def due(now: datetime) -> Select:
    """The ids of the rows a run may take now, oldest first."""
    return (select(Reminder.id).where(Reminder.status.in_(DUE), Reminder.next_try_at <= now)
            .order_by(Reminder.next_try_at, Reminder.id))


def _claim(session: Session, now: datetime, size: int, token: str) -> list[Reminder]:
    """Takes up to `size` due rows for this run, in one short transaction.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so two hosts take different rows without waiting.
    SQLite has one writer at a time; there the conditional UPDATE alone keeps them apart (a
    row another run took first no longer matches).
    """
    _writing(session)
    ids = list(session.scalars(due(now).limit(size).with_for_update(skip_locked=True)))
    if ids:
        session.execute(update(Reminder).where(Reminder.id.in_(ids), Reminder.status.in_(DUE))
                        .values(status="claimed", claim_token=token, lease_until=now + LEASE))
    session.commit()
    return list(session.scalars(select(Reminder).where(Reminder.claim_token == token,
                                                       Reminder.status == "claimed")
                                .order_by(Reminder.id)))


def _handle(session: Session, catalog: Catalog, reminder: Reminder, token: str,
            now: Callable[[], datetime], base_url: str, summary: SendSummary) -> int:
    """Sends (or skips) one claimed row; returns 1 if a message was tried."""
    # Read before the first commit below expires the row.
    row, attempts, channel = reminder.id, reminder.attempts + 1, reminder.channel
    today = vietnam_date(now())
    reason, item = _skip_reason(session, catalog, reminder, today)
    if reason:
        _mark(session, row, token, "claimed", status=reason, claim_token=None, lease_until=None)
        summary.skipped[reason] += 1
        return 0
    to = contact(reminder.user, channel)
    subject, text = compose(reminder.user, item, channel, today, base_url)
    # The commit that makes this row "sending" comes before the message leaves.
    if not _mark(session, row, token, "claimed", status="sending", attempts=attempts):
        return 0  # our lease ran out and another run took the row
    try:
        messaging.send(to, subject, text, kind="reminder")
    except messaging.SendError as error:
        gave_up = attempts > len(RETRY_AFTER)
        _mark(session, row, token, None, status="given-up" if gave_up else "failed",
              last_error=str(error)[:200], claim_token=None, lease_until=None,
              next_try_at=now() + RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1])
        summary.failed += 1
        summary.given_up += gave_up
        return 1
    except Exception:
        # Perhaps delivered: "unknown" now rather than at the lease's end; the rest of the
        # batch goes back to waiting (never tried). Then the error is the operator's to see.
        session.rollback()
        _mark(session, row, token, None, status="unknown", lease_until=None)
        session.execute(update(Reminder).where(Reminder.claim_token == token,
                                               Reminder.status == "claimed")
                        .values(status="waiting", claim_token=None, lease_until=None))
        session.commit()
        raise
    _mark(session, row, token, None, status="sent", sent_at=now(), last_error=None,
          claim_token=None, lease_until=None)
    summary.sent += 1
    return 1


def _mark(session: Session, row: int, token: str, only_if: str | None, **values) -> bool:
    """Updates this run's row (and only while its status is `only_if`), and commits."""
    _writing(session)
    conditions = [Reminder.id == row, Reminder.claim_token == token]
    if only_if:
        conditions.append(Reminder.status == only_if)
    changed = session.execute(update(Reminder).where(*conditions).values(**values)).rowcount
    session.commit()
    return changed == 1


def _writing(session: Session) -> None:
    """Ends the session's transaction and starts one that writes before it reads.

    On SQLite, a transaction that has read cannot write once another writer has committed
    since (SQLITE_BUSY_SNAPSHOT: waiting does not cure it), so two hosts would fail with
    "database is locked". Taking the write lock first, by an UPDATE of no row, makes the
    second one wait its turn (busy_timeout) instead.
    """
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Reminder).where(false()).values(attempts=Reminder.attempts))


def _skip_reason(session: Session, catalog: Catalog, reminder: Reminder,
                 today: date) -> tuple[str | None, LearnerAssignment | None]:
    """Why this row must not be sent now, or (None, the learner's assignment)."""
    assignment, user = reminder.assignment, reminder.user
    if rule_for((assignment.due_on - today).days) != reminder.rule:
        return "outdated", None
    item = next((item for item in for_learner(session, user, catalog, today)
                 if item.assignment.id == assignment.id), None)
    if item is None:  # moved to another unit, or the same course is due earlier elsewhere
        return "outdated", None
    if item.done:
        return "finished", None
    if opted_out(user, reminder.channel):
        return "opted-out", None
    if contact(user, reminder.channel) is None:
        return "no-contact", None
    return None, item


def _rehearse(session: Session, catalog: Catalog, now: datetime, limit: int | None,
              summary: SendSummary) -> None:
    """What a run would do with the rows due now, deciding each as sending would."""
    if not sending_hours(now):
        summary.outside_hours = True
        return
    for reminder in session.scalars(select(Reminder).where(Reminder.id.in_(due(now)))
                                    .order_by(Reminder.next_try_at, Reminder.id)):
        if limit is not None and summary.would_send >= limit:
            break
        reason, _item = _skip_reason(session, catalog, reminder, vietnam_date(now))
        if reason:
            summary.skipped[reason] += 1
        else:
            summary.would_send += 1


# --- a person's channels --------------------------------------------------------------------

def contact(user: User, channel: str) -> str | None:
    """Where `channel` reaches `user`: a phone number or address they proved, else None."""
    if channel == "sms":
        return user.phone if user.phone and user.phone_proven_at else None
    return user.email if user.email and user.email_proven_at else None


def opted_out(user: User, channel: str) -> bool:
    return (user.sms_reminders_off_at if channel == "sms" else user.email_reminders_off_at) \
        is not None


def choose_channels(user: User, sms: bool, email: bool, now: datetime) -> None:
    """The person's choice on their settings page; turning a channel off keeps the moment.

    A channel the account has no phone number (or address) for is not on the form, so its
    unticked box says nothing: it is left as it was.
    """
    if user.phone:
        user.sms_reminders_off_at = None if sms else user.sms_reminders_off_at or now
    if user.email:
        user.email_reminders_off_at = None if email else user.email_reminders_off_at or now


def language_of(user: User) -> str:
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


# --- the words ------------------------------------------------------------------------------

def compose(user: User, item: LearnerAssignment, channel: str, today: date,
            base_url: str) -> tuple[str, str]:
    """The subject and text of a reminder, in the person's language.

    Dates as dd/mm/yyyy, in both languages. SMS text has no Vietnamese marks: with them, every
    SMS is UCS-2 (70 characters, not 160), so this one would cost three or four SMS instead of
    one or two, and many brand-name SMS gateways in Vietnam accept only unaccented text. All
    of it is stripped, not only the title, so that one message never mixes the two. The
    title is shortened if the SMS would need more than SMS_PARTS.
    """
    language = language_of(user)
    title = item.subject.title(language)
    due_on = day_month_year(item.assignment.due_on)
    days_left = (item.assignment.due_on - today).days
    me, settings = f"{base_url}/me/", f"{base_url}/me/settings"
    with force_locale(BABEL_LOCALES[language]):
        def lead(title: str) -> str:
            if days_left < 0:
                return _('"%(title)s" was due on %(date)s and is not done yet.', title=title,
                         date=due_on)
            if days_left == 0:
                return _('"%(title)s" is due today, %(date)s.', title=title, date=due_on)
            if days_left == 1:
                return _('"%(title)s" is due tomorrow, %(date)s.', title=title, date=due_on)
            return _('"%(title)s" is due on %(date)s, in %(days)d days.', title=title,
                     date=due_on, days=days_left)

        if channel == "sms":
            tail = _("Continue: %(me)s Stop SMS reminders: %(settings)s", me=me,
                     settings=settings)
            return "", _sms(lambda shown: f"lms: {lead(shown)} {tail}", title)
        subject = (_("Overdue: %(title)s", title=title) if days_left < 0
                   else _("Due on %(date)s: %(title)s", date=due_on, title=title))
        text = "\n\n".join((
            _("Hello %(name)s,", name=user.full_name), lead(title),
            _("Continue learning: %(me)s", me=me),
            _("You get this email because this training is assigned to you. To stop "
              "due-date reminders by email, untick it on your settings page: %(settings)s",
              settings=settings)))
        return subject, text + "\n"


def _sms(write: Callable[[str], str], title: str) -> str:
    """The SMS unaccented, its title shortened (at a word) until it fits SMS_PARTS."""
    title = messaging.unaccented(title)
    text = messaging.unaccented(write(title))
    while messaging.sms_parts(text) > SMS_PARTS and len(title) > 10:
        title = title[:len(title) - 5].rsplit(" ", 1)[0].rstrip(" ,.:;-") + "..."
        text = messaging.unaccented(write(title))
    return text


# --- what the learner's pages and organisers see --------------------------------------------

def notices(items: list[LearnerAssignment], course: str | None = None) -> list[LearnerAssignment]:
    """The learner's assignments to flag at the top of their pages, whatever the channels:
    not done, and due within 7 days or overdue (for as long as it is). With `course`, only
    those the course counts for: itself, or a program it belongs to."""
    return [item for item in items if item.state in ("due-soon", "overdue")
            and (course is None or _counts_for(item, course))]


def _counts_for(item: LearnerAssignment, course: str) -> bool:
    if item.assignment.subject_kind == "course":
        return item.subject.slug == course
    return course in item.subject.courses


GROUPS = {"waiting": "waiting", "claimed": "waiting", "sending": "waiting", "sent": "sent",
          "failed": "failed", "given-up": "failed", "unknown": "failed",
          **{reason: "skipped" for reason in SKIPPED}}


@dataclass(frozen=True)
class Failure:
    """A reminder that did not go (or may not have), as staff may see it: no message text."""

    name: str
    unit: str
    rule: str
    channel: str
    status: str
    last_error: str
    next_try_at: datetime | None  # for "failed": when it is tried again


@dataclass
class ReminderCounts:
    groups: Counter = field(default_factory=Counter)  # sent, waiting, failed, skipped
    skipped: Counter = field(default_factory=Counter)  # by reason
    failures: list[Failure] = field(default_factory=list)


def counts(session: Session, prefix: str, assignment_ids: list[int],
           failures_shown: int = 20) -> dict[int, ReminderCounts]:
    """Reminders of these assignments to people under `prefix`, counted by status: one
    grouped query for them all, and one list for each assignment with failures."""
    found: dict[int, ReminderCounts] = defaultdict(ReminderCounts)
    if not assignment_ids:
        return found
    mine = and_(Reminder.assignment_id.in_(assignment_ids), in_subtree(prefix))
    rows = session.execute(
        select(Reminder.assignment_id, Reminder.status, func.count())
        .join(User, User.id == Reminder.user_id).join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(mine).group_by(Reminder.assignment_id, Reminder.status))
    for assignment_id, status, number in rows:
        found[assignment_id].groups[GROUPS[status]] += number
        if status in SKIPPED:
            found[assignment_id].skipped[status] += number
    for assignment_id in [a for a in assignment_ids if found[a].groups["failed"]]:
        failed = session.execute(
            select(User.full_name, OrgUnit.name, Reminder.rule, Reminder.channel,
                   Reminder.status, Reminder.last_error, Reminder.next_try_at)
            .join(User, User.id == Reminder.user_id).join(OrgUnit, OrgUnit.id == User.org_unit_id)
            .where(Reminder.assignment_id == assignment_id, in_subtree(prefix),
                   Reminder.status.in_(("failed", "given-up", "unknown")))
            .order_by(OrgUnit.path, User.full_name, Reminder.id).limit(failures_shown))
        found[assignment_id].failures.extend(
            Failure(name, unit, rule, channel, status, error or "",
                    next_try if status == "failed" else None)
            for name, unit, rule, channel, status, error, next_try in failed)
    return found
