"""Serving with a real gunicorn: several worker processes never share an SQLite database."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from lms.config import REPOSITORY_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(tmp_path, *arguments: str, app: str = "wsgi:app", **environment: str
             ) -> tuple[subprocess.Popen, int]:
    """`gunicorn wsgi:app` as the README runs it: from the repository root, which holds
    gunicorn.conf.py."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    env.update(LMS_INSTANCE_DIR=str(tmp_path / "instance"), PYTHONPATH=str(REPOSITORY_ROOT),
               **environment)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", *arguments, app],
        cwd=REPOSITORY_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    return process, port


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output


def test_two_workers_on_sqlite_refuse_to_start_and_say_to_use_postgresql(tmp_path):
    process, _port = gunicorn(tmp_path, "-w", "2")
    try:
        returncode = process.wait(timeout=60)
    finally:
        output = stop(process)
    assert returncode != 0, output
    assert "2 worker processes cannot share an SQLite database" in output
    assert "Use PostgreSQL: set LMS_DATABASE_URL" in output
    assert "Booting worker" not in output  # refused before any worker was forked


def answers_health_check(process: subprocess.Popen, port: int, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, stop(process)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
                assert reply.status == 200
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer within 90 s:\n" + stop(process))
            time.sleep(0.3)


def test_one_worker_on_sqlite_starts_and_serves(tmp_path):
    process, port = gunicorn(tmp_path, "-w", "1")
    try:
        answers_health_check(process, port)
    finally:
        stop(process)


def test_several_workers_on_postgresql_start_and_serve(tmp_path, postgres_url):
    process, port = gunicorn(tmp_path, "-w", "2", LMS_DATABASE_URL=postgres_url)
    try:
        answers_health_check(process, port)
    finally:
        output = stop(process)
    assert output.count("Booting worker") == 2, output


def test_a_download_that_streams_longer_than_the_worker_timeout_arrives_whole(tmp_path):
    # A sync worker busy past `timeout` is killed, and a province's export with it: the file
    # just ends early and looks complete. gunicorn.conf.py's workers report in while serving.
    from tests import streaming_app

    process, port = gunicorn(tmp_path, "-w", "1", "--timeout", "1", app="tests.streaming_app:app")
    try:
        answers_health_check(process, port, path="/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as reply:
            lines = reply.read().decode().split()
    finally:
        output = stop(process)
    assert lines == [str(n) for n in range(streaming_app.SECONDS * 4)], output
    assert "WORKER TIMEOUT" not in output
