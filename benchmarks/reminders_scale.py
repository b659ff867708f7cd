"""How long do `flask reminders send`'s two phases take: filling the outbox for a commune, and
sending its messages?

Fills the reminders of one assignment reaching N people (one INSERT ... SELECT per channel,
whatever N), fills again (nothing new: the unique constraint), then sends M of them through the
outbox backend (files), so what is measured is lms's own work per message (claim, the
send-time checks, the "sending" and "sent" commits), not a gateway's.

    python benchmarks/reminders_scale.py                      # SQLite in a temporary folder
    python benchmarks/reminders_scale.py --database-url postgresql://postgres@127.0.0.1:5432/x
"""
from __future__ import annotations

import argparse
import secrets
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert, text  # noqa: E402

from benchmark_app import benchmark_app  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import Assignment, OrgUnit, User  # noqa: E402
from lms.campaign import reminders  # noqa: E402

# 10:00 in Vietnam on 1 December 2026, four days before the due date.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--send", type=int, default=500)
    args = parser.parse_args()
    app, url = benchmark_app(args.database_url, "reminders")
    catalog = app.extensions["lms.catalog"]
    with app.app_context():
        tag = secrets.token_hex(3)
        unit = OrgUnit(code=f"BENCH-{tag}", name="Xã thử", kind="commune", path=f"/b{tag}/")
        db.session.add(unit)
        db.session.flush()
        db.session.execute(insert(User), [
            {"full_name": f"Người thử {n}", "phone": f"+8497{n:07d}",
             "phone_proven_at": NOW, "password_hash": "!", "session_token": "b",
             "org_unit_id": unit.id} for n in range(args.people)])
        assignment = Assignment(subject_kind="course", subject_slug="ai-basics",
                                org_unit_id=unit.id, due_on=date(2026, 12, 5))
        db.session.add(assignment)
        db.session.commit()
        start = time.perf_counter()
        added = reminders.fill(db.session, catalog, NOW)
        db.session.commit()
        filled = time.perf_counter() - start
        start = time.perf_counter()
        again = reminders.fill(db.session, catalog, NOW)
        db.session.commit()
        refilled = time.perf_counter() - start
        start = time.perf_counter()
        summary = reminders.send_due(db.session, catalog, lambda: NOW, "https://hoc.example.vn",
                                     limit=args.send)
        sent = time.perf_counter() - start
        for table in ("reminders", "assignments"):
            db.session.execute(text(f"DELETE FROM {table} WHERE "
                                    + ("id = :id" if table == "assignments"
                                       else "assignment_id = :id")), {"id": assignment.id})
        db.session.execute(text("DELETE FROM users WHERE org_unit_id = :id"), {"id": unit.id})
        db.session.execute(text("DELETE FROM org_units WHERE id = :id"), {"id": unit.id})
        db.session.commit()
    print(f"{url.split(':')[0]}, {args.people:,} people: fill {added:,} rows in {filled:.2f} s; "
          f"fill again ({again} new) in {refilled:.2f} s; send {summary.sent} "
          f"(+{sum(summary.skipped.values())} skipped) in {sent:.2f} s, "
          f"{1000 * sent / max(summary.sent, 1):.1f} ms a message")


if __name__ == "__main__":
    main()
