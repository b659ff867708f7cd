"""Mixed load on PostgreSQL and Redis: how many concurrent learners per vCPU are served with
p95 < 300 ms and no errors? Target (issue 14): at least 2,000 per vCPU on this machine.

Empties the PostgreSQL database given, signs up the learners and a manager
(mixed_load_setup.py), serves lms with `gunicorn -w WORKERS wsgi:app` and runs Locust
headless (locustfile.py) against it: learners who read lessons, mark them done, take and
submit quizzes and download certificates, each about one request every 20 s, and a manager
per 200 learners opening the commune's dashboard and exports. Each step of --learners is its
own run; every run samples PostgreSQL's lock waits (pg_locks, not granted) twice a second.

With --burst, every learner of the commune instead opens and submits the final quiz within one
minute; afterwards the submitted attempts and certificates in the database are counted
against the submissions Locust saw answered.

The load generator shares the machine's CPUs with the servers and the database, so the
per-vCPU figure counts the vCPUs of the whole machine and is a floor.

    python benchmarks/mixed_load.py [--database-url postgresql://postgres@127.0.0.1:5432/lms_bench]
        [--redis-url redis://127.0.0.1:6379/0] [--workers 4] [--learners 1000,2000,4000]
        [--seconds 120] [--burst]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lesson_throughput import (DEFAULT_DATABASE, ROOT, CannotMeasure, Gunicorn,  # noqa: E402
                               backends, children, empty_database, process_cpu)

HERE = Path(__file__).resolve().parent
P95_LIMIT_MS = 300


class LockSampler(threading.Thread):
    """Twice a second: how many backends wait for a lock, and for how long at most."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.stop = url, threading.Event()
        self.samples, self.waiting, self.longest = 0, 0, 0.0

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.wait(0.5):
                waiting, longest = connection.execute(
                    "SELECT count(*), coalesce(max(extract(epoch FROM now() - query_start)), 0) "
                    "FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()").fetchone()
                self.samples += 1
                self.waiting = max(self.waiting, waiting)
                if waiting:
                    self.longest = max(self.longest, float(longest))


class CpuMeter(threading.Thread):
    """CPU used by the app's workers and by the database's backends per request answered,
    from WARM_UP seconds into the run to its end (so not the workers' start-up nor the
    learners' arrival): unlike latencies, it hardly depends on how busy the machine is with
    other work. Requests are counted in gunicorn's access log."""

    WARM_UP = 20

    def __init__(self, master: int, url: str, access_log: Path):
        super().__init__(daemon=True)
        self.master, self.url, self.access_log = master, url, access_log
        self.start_cpu: dict[str, dict[int, float]] | None = None
        self.start_requests = 0

    def run(self) -> None:
        time.sleep(self.WARM_UP)
        self.start_requests, self.start_cpu = self._requests(), self._read()

    def _requests(self) -> int:
        with open(self.access_log, "rb") as log:
            return sum(1 for _ in log)

    def _read(self) -> dict[str, dict[int, float]]:
        return {"app": {pid: process_cpu(pid) for pid in children(self.master)},
                "database": {pid: process_cpu(pid) for pid in backends(self.url)}}

    def per_request_ms(self) -> dict[str, float] | None:
        if self.start_cpu is None:
            return None
        end, requests = self._read(), self._requests() - self.start_requests
        if requests <= 0:
            return None
        return {part: sum(cpu - self.start_cpu[part].get(pid, 0.0) for pid, cpu in now.items())
                / requests * 1000 for part, now in end.items()}


def prepare(env: dict, url: str, learners: int, people: Path) -> None:
    empty_database(url)
    done = subprocess.run([sys.executable, str(HERE / "mixed_load_setup.py"), str(learners),
                           str(people)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800, check=False)
    if done.returncode != 0:
        raise CannotMeasure(f"preparing the database failed:\n{done.stderr[-3000:]}")


def locust(env: dict, port: int, users: int, seconds: int, prefix: Path, burst: bool) -> dict:
    classes = ["Learner"] if burst else ["Learner", "Manager"]
    spawn_rate = max(1, users // (5 if burst else 30))  # everyone on within 30 s (burst: 5 s)
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s",
               "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
               "--stop-timeout", "20", *classes]
    done = subprocess.run(command, cwd=HERE, env=env, capture_output=True, text=True,
                          timeout=seconds + 300, check=False)
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    if not rows:
        raise CannotMeasure(f"locust wrote no figures:\n{done.stderr[-3000:]}")
    for failure in csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")):
        print(f"  failed: {failure['Name']}: {failure['Error']} ({failure['Occurrences']} times)")
    return {row["Name"]: row for row in rows}


def describe(stats: dict) -> list[str]:
    lines = []
    for name, row in stats.items():
        lines.append(f"  {name:<22} {int(row['Request Count']):>6} requests, "
                     f"{int(row['Failure Count'])} failed, median {row['50%']} ms, "
                     f"p95 {row['95%']} ms, {float(row['Requests/s']):.1f}/s")
    return lines


def count_final(url: str, course: str, answered: list[str]) -> tuple[int, int, int, int]:
    """For the final course in the database: the people with a passed, submitted attempt (one
    who submitted twice counts once), its valid certificates, how many of those have their
    PDF in the learner's language (Vietnamese here: the other is drawn when first downloaded),
    and how many of the submissions Locust saw answered are missing."""
    with psycopg.connect(url) as connection:
        passed = connection.execute(
            "SELECT count(DISTINCT user_id) FROM quiz_attempts WHERE course_slug = %s "
            "AND submitted_at IS NOT NULL AND passed", (course,)).fetchone()[0]
        certificates, drawn = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE (SELECT count(*) FROM certificate_pdfs p "
            "WHERE p.certificate_id = c.id AND p.current AND p.language = 'vi') = 1) "
            "FROM certificates c "
            "WHERE kind = 'course' AND subject_slug = %s AND revoked_at IS NULL",
            (course,)).fetchone()
        kept = connection.execute(
            "SELECT count(*) FROM quiz_attempts WHERE token = ANY(%s) "
            "AND submitted_at IS NOT NULL", (answered,)).fetchone()[0]
    return passed, certificates, drawn, len(answered) - kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE,
                        help="a PostgreSQL database this benchmark may empty")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--learners", default="1000,2000,4000",
                        help="concurrent learners of each run, comma-separated")
    parser.add_argument("--seconds", type=int, default=120, help="length of each run")
    parser.add_argument("--burst", action="store_true",
                        help="one commune's final quiz within a minute instead")
    args = parser.parse_args()
    steps = [int(one) for one in args.learners.split(",")]
    cpus = os.cpu_count()
    held = 0
    with tempfile.TemporaryDirectory(prefix="lms-mixed-load-") as tmp:
        env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
        env.update(LMS_INSTANCE_DIR=str(Path(tmp) / "instance"), LMS_SECRET_KEY="bench",
                   LMS_ENV="development", LMS_DATABASE_URL=args.database_url,
                   LMS_REDIS_URL=args.redis_url, LMS_PEOPLE=str(Path(tmp) / "people.json"),
                   LMS_SUBMITTED_FILE=str(Path(tmp) / "submitted"),
                   LMS_BURST="1" if args.burst else "0")
        for learners in steps:
            try:
                prepare(env, args.database_url, learners, Path(env["LMS_PEOPLE"]))
                access_log = Path(tmp) / f"access{learners}.log"
                with Gunicorn("lms", "wsgi:app", ROOT, env, Path(tmp) / "lms.log",
                              workers=args.workers,
                              options=("--access-logfile", str(access_log))) as server:
                    server.wait_until_answering("/healthz", {}, timeout=300)
                    sampler = LockSampler(args.database_url)
                    sampler.start()
                    meter = CpuMeter(server.process.pid, args.database_url, access_log)
                    meter.start()
                    seconds = 75 if args.burst else args.seconds
                    stats = locust(env, server.port, learners, seconds,
                                   Path(tmp) / f"run{learners}", args.burst)
                    per_request = meter.per_request_ms()
                    sampler.stop.set()
                    sampler.join()
            except CannotMeasure as problem:
                print(f"cannot measure: {problem}", file=sys.stderr)
                return 2
            total = stats.pop("Aggregated")
            p95, failed = float(total["95%"]), int(total["Failure Count"])
            kept = p95 < P95_LIMIT_MS and failed == 0
            print(f"{learners} learners on gunicorn -w {args.workers}, {cpus} vCPUs "
                  f"({learners / cpus:,.0f} per vCPU): {int(total['Request Count'])} requests, "
                  f"{failed} failed, p95 {p95:.0f} ms, {float(total['Requests/s']):.1f}/s: "
                  f"{'held' if kept else 'NOT held'}")
            print("\n".join(describe(stats)))
            if per_request:
                both = sum(per_request.values())
                print(f"  CPU per request (after {CpuMeter.WARM_UP} s): app "
                      f"{per_request['app']:.1f} ms, PostgreSQL {per_request['database']:.1f} "
                      f"ms; at one request per learner every 20 s, one fully used vCPU serves "
                      f"{20_000 / both:,.0f} learners (app and database on the same vCPU)")
            print(f"  lock waits: at most {sampler.waiting} backends waiting at once, longest "
                  f"{sampler.longest * 1000:.0f} ms ({sampler.samples} samples)")
            if args.burst:
                people = json.loads(Path(env["LMS_PEOPLE"]).read_text())
                answered = json.loads(Path(env["LMS_SUBMITTED_FILE"]).read_text() or "[]")
                passed, certificates, drawn, missing = count_final(
                    args.database_url, people["final_course"], answered)
                # Locust stops at the end of the run with some submissions in flight: the
                # database may hold more than were answered, never fewer.
                verdict = ("nothing lost" if missing == 0 and passed == certificates == drawn
                           else "LOST OR MISMATCHED")
                print(f"  burst: {len(answered)} submissions answered (all right answers), "
                      f"{passed} people passed and {certificates} certificates in the "
                      f"database ({drawn} with their PDF drawn), {missing} answered ones "
                      f"missing: {verdict}")
            if kept:
                held = max(held, learners)
    if not args.burst:
        print(f"held at p95 < {P95_LIMIT_MS} ms with no errors: {held} learners, "
              f"{held / cpus:,.0f} per vCPU (target: 2,000 per vCPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
