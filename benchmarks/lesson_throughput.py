"""How fast does gunicorn serve the pages learners read, next to a bare Flask "hello"?

Targets, as a share of "hello" in the same run: anonymous lesson >= 0.8, signed-in lesson
>= 0.5, signed-in course page >= 0.4, /me >= 0.3.

Serves lms with `gunicorn -w 2 wsgi:app` (development settings, on the PostgreSQL database
given, which it EMPTIES first: gunicorn refuses several workers on SQLite) and the bare
Flask app in `hello_app.py` the same way, each by its own gunicorn. Signs a learner with some
progress, a passed quiz and a certificate in (signed_in_learner.py) and sends that session
cookie for the signed-in pages; checks that every page answers 200 (else stops), warms each up,
then loads them from this machine in turns (5 rounds of 2 s each per page by default, over a
fixed number of connections, the order rotating each round), so that anything else running on
the machine weighs on all alike. The load generator is `wrk` if it is installed
(`apt-get install wrk`), else threads of keep-alive `http.client` connections, which saturate
sooner and flatter the ratio. It shares the 2 CPUs with the servers, so the absolute figures
say little: the figure is each page's ratio to hello, from the same run.

    python benchmarks/lesson_throughput.py
        [--database-url postgresql://postgres@127.0.0.1:5432/lms_bench]
        [--redis-url redis://127.0.0.1:6379/0] [--lesson /courses/ai-basics/what-is-ai/]
        [--seconds 10] [--rounds 5] [--concurrency 8] [--warmup 2]
        [--load-generator auto|wrk|python]

Beside the pages it measures their floors, served by an app of their own (hello_app.py): a
stored page of a lesson's size, then with the signed session read, then with one indexed
query on PostgreSQL through Flask-SQLAlchemy (or one Redis read instead): the least each
kind of page does on this stack, with no target of their own.

Exit status: 0 PASS (every target met), 1 FAIL, 2 when it could not measure (e.g. a page
does not answer 200).
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
WORKERS = 2
# Each page as a share of "hello" in the same run (issue 14).
TARGETS = {"anonymous lesson": 0.8, "signed-in lesson": 0.5, "course page": 0.4, "/me": 0.3}
# The floors of the pages on this stack (hello_app.py): no target, but what the
# targets are measured against.
FLOORS = ("floor: stored page", "floor: signed session", "floor: session + query",
          "floor: session + Redis")
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/lms_bench"


class CannotMeasure(RuntimeError):
    """The benchmark cannot produce a meaningful figure."""


@dataclass
class Load:
    requests: int
    seconds: float
    median_ms: float | None
    errors: int  # connect/read/write errors and timeouts
    not_ok: int  # responses other than 2xx (wrk also counts 3xx as fine)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None,
        timeout: float = 30) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.reason, response.read()
    finally:
        conn.close()


class Gunicorn:
    """`gunicorn -w 2` (or more) in its own process group, so stopping it leaves nothing behind."""

    def __init__(self, name: str, app: str, chdir: Path, env: dict, log: Path,
                 workers: int = WORKERS, options: tuple[str, ...] = ()):
        self.name, self.app, self.chdir, self.env, self.log_path = name, app, chdir, env, log
        self.workers, self.options = workers, options
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(self.workers),
                 "-b", f"{HOST}:{self.port}", "--chdir", str(self.chdir),
                 "--graceful-timeout", "5", *self.options, self.app],
                cwd=self.chdir, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def has_exited(self) -> bool:
        # WNOWAIT leaves the master a zombie, so its process group id stays ours until stop().
        try:
            return os.waitid(os.P_PID, self.process.pid,
                             os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:  # already reaped
            return True

    def log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text("utf-8", "replace").splitlines()
        return "\n".join("    " + line for line in text[-lines:])

    def wait_until_answering(self, path: str, headers: dict,
                             timeout: float = 60) -> tuple[int, str, bytes]:
        # The master listens before the workers have loaded the app, so the first answer
        # means one worker is up; the other boots alongside it and the warm-up covers it.
        deadline = time.monotonic() + timeout
        while True:
            if self.has_exited():
                raise CannotMeasure(f"{self.name}: gunicorn exited while starting; "
                                    f"the end of its log:\n{self.log_tail()}")
            try:
                return get(self.port, path, headers)
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise CannotMeasure(f"{self.name}: no answer on {HOST}:{self.port} after "
                                        f"{timeout:.0f} s; the end of its log:\n{self.log_tail()}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()  # graceful: the master stops its workers, then itself
        deadline = time.monotonic() + 15
        while not self.has_exited() and time.monotonic() < deadline:
            time.sleep(0.05)
        try:  # whatever is left of the group (a stuck master or an orphaned worker)
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def backends(url: str) -> list[int]:
    """This database's client backends but the asking one."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        return [pid for (pid,) in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")]


def serving_cpu(server: "Gunicorn", database_url: str | None) -> dict[int, float]:
    """CPU seconds so far of the server's workers and (for lms) the database's backends: per
    request, a figure that other work on the machine changes far less than throughput."""
    pids = children(server.process.pid) + (backends(database_url) if database_url else [])
    return {pid: process_cpu(pid) for pid in pids}


def parse_duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 60e3, "h": 3600e3}[unit]


def wrk_load(wrk: str, port: int, path: str, headers: dict, seconds: int,
             concurrency: int) -> Load:
    command = [wrk, f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{seconds}s",
               "--timeout", "10s", "--latency",
               *[f"-H{name}: {value}" for name, value in headers.items()],
               f"http://{HOST}:{port}{path}"]
    done = subprocess.run(command, check=False, capture_output=True, text=True,
                          timeout=seconds + 60)
    out = done.stdout
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out, re.MULTILINE)
    if done.returncode != 0 or total is None:
        raise CannotMeasure(f"wrk failed ({done.returncode}):\n{out}{done.stderr}")
    median = re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    elapsed = parse_duration_ms(total.group(2) + total.group(3)) / 1000
    if elapsed < 0.9 * seconds:  # wrk stops early, and reports, when it gets a Ctrl-C
        raise CannotMeasure(f"wrk stopped after {elapsed:.1f} s of {seconds} s")
    return Load(requests=int(total.group(1)), seconds=elapsed,
                median_ms=parse_duration_ms(median.group(1)) if median else None,
                errors=sum(map(int, sockets.groups())) if sockets else 0,
                not_ok=int(not_ok.group(1)) if not_ok else 0)


def python_load(port: int, path: str, headers: dict, seconds: int, concurrency: int) -> Load:
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    not_ok = [0] * concurrency
    stop = threading.Event()

    def client(i: int) -> None:
        # http.client keeps the connection open and reopens it when the server closes it
        # (gunicorn's sync workers close after every response).
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            while not stop.is_set():
                started = time.perf_counter()
                if started >= deadline:
                    break
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    errors[i] += 1
                    conn.close()
                    time.sleep(0.01)
                    continue
                latencies[i].append(time.perf_counter() - started)
                if not 200 <= response.status < 300:
                    not_ok[i] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    began = time.perf_counter()
    deadline = began + seconds
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    finally:
        stop.set()
    elapsed = time.perf_counter() - began
    every = [latency for per_thread in latencies for latency in per_thread]
    return Load(requests=len(every), seconds=elapsed,
                median_ms=statistics.median(every) * 1000 if every else None,
                errors=sum(errors), not_ok=sum(not_ok))


def machine_cpu_seconds() -> float | None:
    """CPU time used on the whole machine since boot (Linux), to tell how busy it was."""
    # Interrupt time is left out: most of it is the loopback traffic of the benchmark itself,
    # which no process is charged for.
    try:
        with open("/proc/stat") as stat:
            user, nice, system, _idle, _iowait, _irq, _softirq, steal = map(
                int, stat.readline().split()[1:9])
    except (OSError, ValueError):
        return None
    return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    # Includes the children this script has reaped: wrk, and the gunicorn masters, which
    # have reaped their workers, so this holds once the servers are stopped.
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def session_cookie(port: int, path: str) -> str:
    """The session cookie a GET of `path` sets, as a Cookie header's value."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.getheader("Set-Cookie", "").split(";", 1)[0]
    finally:
        conn.close()


def check_answers(server: Gunicorn, path: str, headers: dict) -> int:
    """Wait for the server, make sure `path` answers 200, and return the page's size."""
    status, reason, body = server.wait_until_answering(path, headers)
    if status != 200:
        hint = " (the page does not exist, yet?)" if status == 404 else ""
        if status >= 500:
            hint = f"; the end of the server's log:\n{server.log_tail(30)}"
        raise CannotMeasure(f"{server.name}: GET {path} answered {status} {reason}, "
                            f"not 200; nothing measured{hint}")
    return len(body)


def combine(slices: list[Load]) -> Load:
    medians = [one.median_ms for one in slices if one.median_ms is not None]
    return Load(requests=sum(one.requests for one in slices),
                seconds=sum(one.seconds for one in slices),
                # wrk reports percentiles, not samples: the median of the rounds' medians.
                median_ms=statistics.median(medians) if medians else None,
                errors=sum(one.errors for one in slices),
                not_ok=sum(one.not_ok for one in slices))


def describe(name: str, path: str, load: Load, size: int) -> str:
    median = f"median {load.median_ms:.1f} ms" if load.median_ms is not None else "median n/a"
    problems = "".join([f", {load.errors} connection errors" if load.errors else "",
                        f", {load.not_ok} non-2xx responses" if load.not_ok else ""])
    return (f"{name:<16} {path}: {load.per_second:,.0f} requests/s, {median} "
            f"({load.requests:,} requests in {load.seconds:.1f} s, {size:,} bytes each{problems})")


@dataclass
class Page:
    name: str
    server: Gunicorn
    path: str
    headers: dict
    database_url: str | None = None  # whose backends' CPU counts for this page


def empty_database(url: str) -> None:
    """The benchmark starts from an empty database: drops and recreates its public schema."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except Exception as problem:  # noqa: BLE001 - any failure means: cannot measure
        raise CannotMeasure(f"cannot empty {url}: {problem}") from problem
    finally:
        engine.dispose()


def benchmark_environment(instance_dir: str, database_url: str, redis_url: str | None) -> dict:
    """The LMS_* settings lms runs with in a benchmark: development, on the database given."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("LMS_AUTO_MIGRATE", "LMS_REDIS_URL")}
    env.update(LMS_INSTANCE_DIR=instance_dir, LMS_SECRET_KEY="bench", LMS_ENV="development",
               LMS_DATABASE_URL=database_url)
    if redis_url:
        env["LMS_REDIS_URL"] = redis_url
    return env


def signed_in_cookie(env: dict) -> str:
    done = subprocess.run([sys.executable, str(HERE / "signed_in_learner.py")], cwd=ROOT,
                          env=env, check=False, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not done.stdout.strip():
        raise CannotMeasure(f"lms: preparing the database failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE,
                        help="a PostgreSQL database this benchmark may empty "
                             "(default: %(default)s)")
    parser.add_argument("--redis-url", default=None,
                        help="Redis for rate limits, as in production (default: none)")
    parser.add_argument("--lesson", default="/courses/ai-basics/what-is-ai/",
                        help="the lesson page to measure (default: %(default)s)")
    parser.add_argument("--seconds", type=int, default=10, help="measured load time per page")
    parser.add_argument("--rounds", type=int, default=5,
                        help="slices the measured time is cut into, alternating the pages")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--load-generator", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args()
    if not re.fullmatch(r"/courses/[^/]+/[^/]+/", args.lesson):
        parser.error("--lesson must look like /courses/<course>/<lesson>/")
    if not args.database_url.startswith("postgresql://"):
        parser.error("--database-url must be postgresql://... (gunicorn -w 2 refuses SQLite)")
    if min(args.seconds, args.rounds, args.concurrency) < 1 or args.warmup < 0:
        parser.error("--seconds, --rounds and --concurrency must be at least 1, --warmup 0")
    if args.seconds % args.rounds:
        parser.error("--seconds must be a multiple of --rounds (wrk takes whole seconds)")
    slice_seconds = args.seconds // args.rounds
    course_path = args.lesson.rsplit("/", 2)[0] + "/"

    wrk = shutil.which("wrk") if args.load_generator != "python" else None
    if args.load_generator == "wrk" and wrk is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    if wrk:
        generator = "wrk"

        def load(page: Page, seconds: int) -> Load:
            return wrk_load(wrk, page.server.port, page.path, page.headers, seconds,
                            args.concurrency)
    else:
        generator = "Python threads (http.client)"

        def load(page: Page, seconds: int) -> Load:
            return python_load(page.server.port, page.path, page.headers, seconds,
                               args.concurrency)

    # Ctrl-C raises KeyboardInterrupt; make a plain `kill` unwind through the same finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    print(f"gunicorn -w {WORKERS} on {HOST}, PostgreSQL{' and Redis' if args.redis_url else ''}; "
          f"{args.concurrency} connections from {generator} on the same {os.cpu_count()}-CPU "
          f"machine; {args.warmup} s of warm-up, then {args.rounds} rounds of {slice_seconds} s "
          "per page")
    machine_before, own_before, began = machine_cpu_seconds(), own_cpu_seconds(), time.monotonic()
    try:
        with (tempfile.TemporaryDirectory(prefix="lms-lesson-throughput-") as tmp,
              ExitStack() as servers):
            env = benchmark_environment(str(Path(tmp) / "instance"), args.database_url,
                                        args.redis_url)
            empty_database(args.database_url)
            # Migrated once, here, and the learner made, before the workers start.
            cookie = {"Cookie": signed_in_cookie(env)}
            lms = servers.enter_context(Gunicorn("lms", "wsgi:app", ROOT, env,
                                                 Path(tmp) / "lms.log"))
            # Served the same way: lms's gunicorn.conf.py (threaded workers) for both.
            hello_app = servers.enter_context(Gunicorn(
                "hello", "hello_app:app", HERE, env, Path(tmp) / "hello.log",
                options=("-c", str(ROOT / "gunicorn.conf.py"))))
            url = args.database_url
            floor_app = servers.enter_context(Gunicorn(
                "floors", "hello_app:floors", HERE, env, Path(tmp) / "floors.log",
                options=("-c", str(ROOT / "gunicorn.conf.py"))))
            floor_app.wait_until_answering("/floor/page", {})
            floor_cookie = {"Cookie": session_cookie(floor_app.port, "/floor/sign-in")}
            pages = [Page("hello", hello_app, "/", {}),
                     Page("anonymous lesson", lms, args.lesson, {}, url),
                     Page("signed-in lesson", lms, args.lesson, cookie, url),
                     Page("course page", lms, course_path, cookie, url),
                     Page("/me", lms, "/me/", cookie, url),
                     Page(FLOORS[0], floor_app, "/floor/page", {}),
                     Page(FLOORS[1], floor_app, "/floor/session", floor_cookie),
                     Page(FLOORS[2], floor_app, "/floor/session-query", floor_cookie, url)]
            if args.redis_url:
                pages.append(Page(FLOORS[3], floor_app, "/floor/session-redis", floor_cookie))
            sizes = {page.name: check_answers(page.server, page.path, page.headers)
                     for page in pages}
            for page in pages:
                if args.warmup:
                    load(page, args.warmup)
            # All servers run throughout (an idle one costs nothing) and the pages take turns,
            # the order rotating each round, so that other work on the machine, or its drift,
            # weighs on all alike.
            slices: dict[str, list[Load]] = {page.name: [] for page in pages}
            cpu = {page.name: 0.0 for page in pages}
            for round_ in range(args.rounds):
                shift = round_ % len(pages)
                for page in pages[shift:] + pages[:shift]:
                    before = serving_cpu(page.server, page.database_url)
                    slices[page.name].append(load(page, slice_seconds))
                    after = serving_cpu(page.server, page.database_url)
                    cpu[page.name] += sum(used - before.get(pid, 0.0)
                                          for pid, used in after.items())
    except CannotMeasure as problem:
        print(f"cannot measure: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130

    others = None
    if machine_before is not None and (machine_after := machine_cpu_seconds()) is not None:
        others = ((machine_after - machine_before) - (own_cpu_seconds() - own_before)) / (
            (time.monotonic() - began) * os.cpu_count())
    totals = {name: combine(parts) for name, parts in slices.items()}
    if not all(total.requests for total in totals.values()):
        print("cannot measure: no request completed for some page", file=sys.stderr)
        return 2
    for page in pages:
        print(describe(page.name, page.path, totals[page.name], sizes[page.name]))
    for page in pages:
        print(f"CPU per request, {page.name}: "
              f"{1000 * cpu[page.name] / totals[page.name].requests:.2f} ms (gunicorn's "
              f"workers{' and PostgreSQL' if page.database_url else ''})")
    hello = totals["hello"]
    for name in (name for name in FLOORS if name in totals):
        print(f"ratio {name} / hello: {totals[name].per_second / hello.per_second:.2f} (no "
              "target: the least such a page does on Flask, SQLAlchemy and PostgreSQL)")
    passed = True
    for name, target in TARGETS.items():
        ratio = totals[name].per_second / hello.per_second
        rounds = [(one.per_second / other.per_second) if other.requests else float("nan")
                  for one, other in zip(slices[name], slices["hello"], strict=True)]
        verdict = "PASS" if ratio >= target else "FAIL"
        passed &= verdict == "PASS"
        print(f"ratio {name} / hello: {ratio:.2f} (target: at least {target}): {verdict}; "
              "per round: " + " ".join(f"{one:.2f}" for one in rounds))
    if any(total.errors or total.not_ok for total in totals.values()):
        print("warning: some requests failed (see above); the figures are suspect")
    if others is not None:
        print(f"other work on the machine during the run: {max(others, 0):.0%} of its CPU")
        if others > 0.1:
            print("warning: other work competed with the servers for the CPUs, so the ratio "
                  "is less reliable: measure again on a quiet machine")
    if not wrk:
        print("note: the Python load generator saturates well before wrk does, which flatters "
              "the ratio; install wrk for a truer figure")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
