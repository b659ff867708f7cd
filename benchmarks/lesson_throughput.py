"""How fast does gunicorn serve the lesson page? Target: at least 0.5 x a bare Flask "hello".

Serves the lesson page with `gunicorn -w 2 wsgi:app` (development settings, a fresh SQLite
database in a temporary instance directory) and the bare Flask app in `hello_app.py` the
same way, each by its own gunicorn; checks that the page answers 200 (else stops), warms
both up, then loads them from this machine in turns (5 rounds of 2 s each by default, over
a fixed number of connections), so that anything else running on the machine weighs on
both alike. The load generator is `wrk` if it is installed (`apt-get install wrk`), else
threads of keep-alive `http.client` connections, which saturate sooner and flatter the
ratio. It shares the 2 CPUs with the servers, so the absolute figures say little: the
figure is the ratio lesson / hello, from the same run.

    python benchmarks/lesson_throughput.py [--path /courses/ai-basics/what-is-ai/]
        [--seconds 10] [--rounds 5] [--concurrency 8] [--warmup 2]
        [--load-generator auto|wrk|python]

Exit status: 0 PASS, 1 FAIL, 2 when it could not measure (e.g. the page does not answer 200).
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
TARGET = 0.5


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


def get(port: int, path: str, timeout: float = 30) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.reason, response.read()
    finally:
        conn.close()


class Gunicorn:
    """`gunicorn -w 2` in its own process group, so stopping it leaves nothing behind."""

    def __init__(self, name: str, app: str, chdir: Path, env: dict, log: Path):
        self.name, self.app, self.chdir, self.env, self.log_path = name, app, chdir, env, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(WORKERS),
                 "-b", f"{HOST}:{self.port}", "--chdir", str(self.chdir),
                 "--graceful-timeout", "5", self.app],
                cwd=self.chdir, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def has_exited(self) -> bool:
        # WNOWAIT leaves the master a zombie, so its process group id stays ours until stop().
        return os.waitid(os.P_PID, self.process.pid,
                         os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text("utf-8", "replace").splitlines()
        return "\n".join("    " + line for line in text[-lines:])

    def wait_until_answering(self, path: str, timeout: float = 60) -> tuple[int, str, bytes]:
        # The master listens before the workers have loaded the app, so the first answer
        # means one worker is up; the other boots alongside it and the warm-up covers it.
        deadline = time.monotonic() + timeout
        while True:
            if self.has_exited():
                raise CannotMeasure(f"{self.name}: gunicorn exited while starting; "
                                    f"the end of its log:\n{self.log_tail()}")
            try:
                return get(self.port, path)
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


def parse_duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 60e3, "h": 3600e3}[unit]


def wrk_load(wrk: str, port: int, path: str, seconds: int, concurrency: int) -> Load:
    command = [wrk, f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{seconds}s",
               "--timeout", "10s", "--latency", f"http://{HOST}:{port}{path}"]
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


def python_load(port: int, path: str, seconds: int, concurrency: int) -> Load:
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
                    conn.request("GET", path)
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


def check_answers(server: Gunicorn, path: str) -> int:
    """Wait for the server, make sure `path` answers 200, and return the page's size."""
    status, reason, body = server.wait_until_answering(path)
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
    return (f"{name:<6} {path}: {load.per_second:,.0f} requests/s, {median} "
            f"({load.requests:,} requests in {load.seconds:.1f} s, {size:,} bytes each{problems})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/courses/ai-basics/what-is-ai/",
                        help="the lesson page to measure (default: %(default)s)")
    parser.add_argument("--seconds", type=int, default=10, help="measured load time per server")
    parser.add_argument("--rounds", type=int, default=5,
                        help="slices the measured time is cut into, alternating the servers")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--load-generator", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args()
    if not args.path.startswith("/"):
        parser.error("--path must start with /")
    if min(args.seconds, args.rounds, args.concurrency) < 1 or args.warmup < 0:
        parser.error("--seconds, --rounds and --concurrency must be at least 1, --warmup 0")
    if args.seconds % args.rounds:
        parser.error("--seconds must be a multiple of --rounds (wrk takes whole seconds)")
    slice_seconds = args.seconds // args.rounds

    wrk = shutil.which("wrk") if args.load_generator != "python" else None
    if args.load_generator == "wrk" and wrk is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    if wrk:
        generator = "wrk"

        def load(port, path, seconds, concurrency):
            return wrk_load(wrk, port, path, seconds, concurrency)
    else:
        generator, load = "Python threads (http.client)", python_load

    # Ctrl-C raises KeyboardInterrupt; make a plain `kill` unwind through the same finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    print(f"gunicorn -w {WORKERS} on {HOST}; {args.concurrency} connections from {generator} on "
          f"the same {os.cpu_count()}-CPU machine; {args.warmup} s of warm-up, then "
          f"{args.rounds} rounds of {slice_seconds} s per server")
    machine_before, own_before, began = machine_cpu_seconds(), own_cpu_seconds(), time.monotonic()
    try:
        with (tempfile.TemporaryDirectory(prefix="lms-lesson-throughput-") as tmp,
              ExitStack() as servers):
            env = {key: value for key, value in os.environ.items()
                   if key not in ("LMS_DATABASE_URL", "LMS_AUTO_MIGRATE")}
            env.update(LMS_INSTANCE_DIR=str(Path(tmp) / "instance"), LMS_SECRET_KEY="bench",
                       LMS_ENV="development")
            # Create and migrate the fresh database once, here: two workers migrating the
            # same new SQLite file at boot can race ("table alembic_version already exists").
            created = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                                     check=False, capture_output=True, text=True, timeout=300)
            if created.returncode != 0:
                raise CannotMeasure(f"lms: creating the app failed:\n{created.stderr[-3000:]}")
            lms = servers.enter_context(Gunicorn("lesson", "wsgi:app", ROOT, env,
                                                 Path(tmp) / "lms.log"))
            lesson_size = check_answers(lms, args.path)
            hello_app = servers.enter_context(Gunicorn("hello", "hello_app:app", HERE, env,
                                                       Path(tmp) / "hello.log"))
            hello_size = check_answers(hello_app, "/")
            targets = {"lesson": (lms, args.path), "hello": (hello_app, "/")}
            if args.warmup:
                for server, path in targets.values():
                    load(server.port, path, args.warmup, args.concurrency)
            # Both servers run throughout (an idle one costs nothing) and take turns, in the
            # order lesson, hello, hello, lesson, ..., so that other work on the machine, or
            # its drift, weighs on both alike.
            slices: dict[str, list[Load]] = {"lesson": [], "hello": []}
            for round_ in range(args.rounds):
                for name in ("lesson", "hello") if round_ % 2 == 0 else ("hello", "lesson"):
                    server, path = targets[name]
                    slices[name].append(load(server.port, path, slice_seconds, args.concurrency))
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
    lesson, hello = combine(slices["lesson"]), combine(slices["hello"])
    if not lesson.requests or not hello.requests:
        print("cannot measure: no request completed", file=sys.stderr)
        return 2
    print(describe("lesson", args.path, lesson, lesson_size))
    print(describe("hello", "/", hello, hello_size))
    ratio = lesson.per_second / hello.per_second
    rounds = [(one.per_second / other.per_second) if other.requests else float("nan")
              for one, other in zip(slices["lesson"], slices["hello"], strict=True)]
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(f"ratio lesson / hello: {ratio:.2f} (target: at least {TARGET}): {verdict}")
    print("ratio per round: " + " ".join(f"{one:.2f}" for one in rounds))
    if lesson.errors or lesson.not_ok or hello.errors or hello.not_ok:
        print("warning: some requests failed (see above); the figures are suspect")
    if others is not None:
        print(f"other work on the machine during the run: {max(others, 0):.0%} of its CPU")
        if others > 0.1:
            print("warning: other work competed with the servers for the CPUs, so the ratio "
                  "is less reliable: measure again on a quiet machine")
    if not wrk:
        print("note: the Python load generator saturates well before wrk does, which flatters "
              "the ratio; install wrk for a truer figure")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
