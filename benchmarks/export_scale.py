"""How long does a province's people export take at 1,000,000 rows, and how much memory?

Target (issue "Campaign figures that organisers can put in a year-end report"): the export
streams, so a million rows never sit in memory. Reuses the data set of reports_scale.py (its
seed: one province, 2,000 units, the learners, ~30% certified), then downloads the province's
people export as CSV and as XLSX through Flask's test client, reading the response piece by
piece as a browser would. Peak memory is the process's peak resident size (ru_maxrss) after
each download, against the baseline before the first; with --trace, tracemalloc's peak of
Python objects too (it slows the run several times).

    python benchmarks/export_scale.py --learners 100000                 # reduced scale
    python benchmarks/export_scale.py --reuse                           # keep the seeded data
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reports_scale  # noqa: E402 - the seed and its helpers

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test_reports_bench"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--lesson-rows-per-learner", type=float, default=0.0)
    parser.add_argument("--certified", type=float, default=0.30)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LMS_INSTANCE_DIR", tempfile.mkdtemp(prefix="lms-bench-"))
    reports_scale.ensure_database(args.database_url)
    app = reports_scale.make_app(args.database_url, migrate=False)
    if args.reuse and reports_scale.seeded_scale(args.database_url) == \
            reports_scale.scale_key(args):
        print(f"reusing the data seeded at {reports_scale.scale_key(args)}")
    else:
        print(f"seeding {args.learners} learners in {args.units} units ...", flush=True)
        reports_scale.seed(args, app.extensions["lms.catalog"])
    client = app.test_client()
    login = client.post("/login", data={"identifier": "0900000001",
                                        "password": reports_scale.PASSWORD})
    assert login.status_code == 302, login.status_code
    for fmt in args.formats.split(","):
        baseline = peak_mib()
        if args.trace:
            tracemalloc.start()
        started = time.perf_counter()
        response = client.get(f"/reports/units/BP/people.{fmt}", buffered=False)
        size = lines = 0
        for piece in response.response:
            size += len(piece)
            lines += piece.count(b"\n") if fmt == "csv" else 0
        response.close()
        elapsed = time.perf_counter() - started
        traced = ""
        if args.trace:
            traced = f", Python objects peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
            tracemalloc.stop()
        rows = f"{lines - 1} rows, " if fmt == "csv" else ""
        print(f"province people export, {fmt}: {elapsed:.1f} s, {rows}{size / 2**20:.0f} MiB; "
              f"peak resident {peak_mib():.0f} MiB (baseline {baseline:.0f} MiB){traced}",
              flush=True)


if __name__ == "__main__":
    main()
