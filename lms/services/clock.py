"""Vietnam's calendar: times are stored in UTC and counted, and shown, in Vietnam's days.

Services take `now` or `today` as arguments; views and commands get them from here, so a test
can set the clock and every page, export and report agrees on which day a moment belongs to.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.orm import Session

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return vietnam_date(now())


def aware(moment: datetime) -> datetime:
    """SQLite hands stored UTC times back without a time zone; say what they are."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def vietnam_date(moment: datetime) -> date:
    """The Vietnam calendar day a stored moment falls on (06:30 in Hà Nội is 23:30 UTC)."""
    return aware(moment).astimezone(VIETNAM).date()


def day_start_utc(day: date) -> datetime:
    """When `day` begins in Vietnam, in UTC: how stored times are compared with days."""
    return datetime.combine(day, time(), VIETNAM).astimezone(timezone.utc)


def end_of_day_utc(day: date) -> datetime:
    """The first moment after `day` in Vietnam, in UTC."""
    return day_start_utc(day + timedelta(days=1))


def vietnam_day(session: Session, moment):
    """The Vietnam calendar day of a stored UTC time, as SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Ho_Chi_Minh", moment))
    return func.date(moment, "+7 hours")  # SQLite keeps UTC text; no DST in Vietnam since 1975
