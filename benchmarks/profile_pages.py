"""Where a page's time goes: each page served in-process through the WSGI app, timed (wall and
CPU per request), its SQL queries counted, and optionally profiled with pyinstrument.

Uses the benchmark database and learner of lesson_throughput.py (signed_in_learner.py: it
EMPTIES the database first), with the same development settings, so the figures explain
that benchmark's ratios without gunicorn, the network or the load generator in the way.

    python benchmarks/profile_pages.py
        [--database-url postgresql://postgres@127.0.0.1:5432/lms_bench]
        [--redis-url redis://127.0.0.1:6379/0] [--requests 500]
        [--profile "course page"] [--queries] [--reuse]

`--profile NAME` prints pyinstrument's call tree for that page (`pip install -e .[bench]`);
`--reuse` keeps the database as a previous run left it (and its learner's cookie).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lesson_throughput import (DEFAULT_DATABASE, benchmark_environment,  # noqa: E402
                               empty_database, process_cpu, signed_in_cookie)

PAGES = {"hello": None, "anonymous lesson": "/courses/ai-basics/what-is-ai/",
         "signed-in lesson": "/courses/ai-basics/what-is-ai/",
         "course page": "/courses/ai-basics/", "/me": "/me/"}
COOKIE_FILE = Path(tempfile.gettempdir()) / "lms-profile-pages-cookie"


def environ_for(path: str, cookie: str | None) -> dict:
    from werkzeug.test import EnvironBuilder

    headers = {"Cookie": cookie} if cookie else {}
    return EnvironBuilder(path=path, headers=headers,
                          environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()


def serve(app, environ: dict) -> tuple[str, bytes]:
    """One request through the WSGI app, as gunicorn would make it."""
    status = []
    body = b"".join(app(dict(environ), lambda s, h, e=None: status.append(s)))
    return status[0], body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", choices=list(PAGES), action="append", default=[])
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--all", action="store_true", help="profiles show library frames too")
    parser.add_argument("--flat", action="store_true", help="profiles list functions by own time")
    args = parser.parse_args()

    env = benchmark_environment(str(Path(tempfile.mkdtemp(prefix="lms-profile-pages-")) /
                                    "instance"), args.database_url, args.redis_url)
    if args.reuse and COOKIE_FILE.exists():
        cookie = COOKIE_FILE.read_text()
    else:
        empty_database(args.database_url)
        cookie = signed_in_cookie(env)
        COOKIE_FILE.write_text(cookie)
    os.environ.update(env)

    from sqlalchemy import event

    from hello_app import app as hello  # the same "hello" lesson_throughput.py serves
    from lms import create_app
    from lms.extensions import db

    lms = create_app(json.loads(os.environ.get("PROFILE_SETTINGS", "{}")))
    statements: list[str] = []
    backends: set[int] = set()  # the PostgreSQL server processes serving this app
    with lms.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_a: statements.append(statement))
        if db.engine.dialect.name == "postgresql":
            db.engine.dispose()  # connections made from here on are counted
            event.listen(db.engine, "connect", lambda connection, _record: backends.add(
                connection.execute("SELECT pg_backend_pid()").fetchone()[0]))

    print(f"{args.requests} requests per page, in-process (no gunicorn, no network)")
    for name, path in PAGES.items():
        app = hello if path is None else lms
        environ = environ_for(path or "/", cookie if "anonymous" not in name and path else None)
        status, body = serve(app, environ)
        if not status.startswith("200"):
            print(f"{name}: {path} answered {status}", file=sys.stderr)
            return 2
        for _ in range(50):  # warm-up: caches, pool, prepared statements
            serve(app, environ)
        statements.clear()
        serve(app, environ)
        queries = [s for s in statements if "content_releases" not in s]
        profiler = None
        if name in args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
        walls, cpus = [], []
        server_before = sum(map(process_cpu, backends))
        for _ in range(args.requests):
            wall, cpu = time.perf_counter(), time.thread_time()
            serve(app, environ)
            cpus.append(time.thread_time() - cpu)
            walls.append(time.perf_counter() - wall)
        server = (sum(map(process_cpu, backends)) - server_before) / args.requests
        if profiler:
            profiler.stop()
        print(f"{name:<17} {path or '/':<32} median {statistics.median(walls) * 1000:.2f} ms wall,"
              f" {statistics.median(cpus) * 1000:.2f} ms CPU (fastest tenth: "
              f"{statistics.quantiles(cpus, n=10)[0] * 1000:.2f}), PostgreSQL "
              f"{server * 1000:.2f} ms CPU; {len(queries)} queries, {len(body):,} bytes")
        if args.queries or profiler:
            for statement in queries:
                print("    " + " ".join(statement.split())[:160])
        if profiler:
            print(profiler.output_text(unicode=True, color=False, show_all=args.all, flat=args.flat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
