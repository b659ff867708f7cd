"""How long does confirming a 1,000-row staff import take?

Target (issue "Campaign figures that organisers can put in a year-end report"): at most 3 s,
so three managers confirming at once stay far from gunicorn's 30 s timeout. Uploads a
1,000-person CSV through Flask's test client (the dry run), then times pressing "Import these
people" (the plan is checked again, 1,000 accounts are created, each gets an activation code
and two audit entries). Each run uses fresh phone numbers.

    python benchmarks/staff_import.py                       # SQLite in a temporary folder
    python benchmarks/staff_import.py --database-url postgresql://postgres@127.0.0.1:5432/test_h11b
"""
from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from benchmark_app import benchmark_app  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import OrgUnit, User  # noqa: E402
from lms.services.accounts import HASHER  # noqa: E402

PASSWORD = "benchmark passphrase"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app, url = benchmark_app(args.database_url, "staff", WTF_CSRF_ENABLED=False,
                             RATELIMIT_ENABLED=False)
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DELETE FROM users WHERE email = 'bench@example.vn'"))
        units = [OrgUnit(code=f"BENCH-{n}", name=f"Phường thử {n}", kind="ward",
                         path=f"/bench{n}/") for n in range(10)
                 if db.session.query(OrgUnit).filter_by(code=f"BENCH-{n}").first() is None]
        db.session.add_all(units)
        db.session.add(User(full_name="Benchmark admin", email="bench@example.vn", role="admin",
                            password_hash=HASHER.hash(PASSWORD), session_token="bench"))
        db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"identifier": "bench@example.vn",
                                       "password": PASSWORD}).status_code == 302
    times = []
    for run in range(args.runs):
        rows = "".join(f"Người thử {run}-{n},09{run}{n:07d},BENCH-{n % 10},Chuyên viên\n"
                       for n in range(args.rows))
        csv = ("Họ và tên,Số điện thoại,Mã đơn vị,Chức vụ\n" + rows).encode()
        dry_run = client.post("/staff/import", data={"file": (io.BytesIO(csv),
                                                              "staff.csv")},
                              content_type="multipart/form-data").get_data(as_text=True)
        fields = dict(re.findall(r'<input id="(sheet|digest)" name="\1" type="hidden" '
                                 r'value="([^"]*)"', dry_run))
        start = time.perf_counter()
        page = client.post("/staff/import/confirm", data=fields)
        times.append(time.perf_counter() - start)
        assert page.status_code == 200, page.status_code
        assert page.get_data(as_text=True).count('class="slip-card"') == args.rows
    with app.app_context():
        db.session.execute(text("DELETE FROM users WHERE email = 'bench@example.vn'"))
        db.session.commit()
    print(f"{args.rows} rows on {url.split(':')[0]}: confirm median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
