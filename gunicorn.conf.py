"""Gunicorn settings: `gunicorn wsgi:app`, run from the repository root, reads this file.

SQLite takes one writer at a time: with several worker processes, simultaneous quiz
submissions fail with "database is locked" and answers are lost. So the server refuses to
start with more than one worker on SQLite, before any worker is forked.
"""
from lms.config import database_url_from_environment, instance_path_from_environment


# Threaded workers, not gunicorn's default sync ones: a sync worker busy for longer than
# `timeout` (30 s) is killed mid-response, so a province's export, which streams for
# minutes, would end early and look complete. A gthread worker's main thread reports to
# the master while its threads serve. On PostgreSQL a second thread keeps a worker answering
# pages while the first streams an export; on SQLite one thread, for the reason below.
DATABASE_URL = database_url_from_environment(instance_path_from_environment())
worker_class = "gthread"
threads = 1 if DATABASE_URL.startswith("sqlite") else 2


def on_starting(server) -> None:
    url = DATABASE_URL
    workers = server.cfg.workers
    if url.startswith("sqlite") and workers > 1:
        # Gunicorn prints a RuntimeError's message and exits with status 1.
        raise RuntimeError(
            f"lms: {workers} worker processes cannot share an SQLite database ({url}): "
            "SQLite takes one writer at a time, and simultaneous submissions would fail with "
            "\"database is locked\". Use PostgreSQL: set LMS_DATABASE_URL, e.g. "
            "LMS_DATABASE_URL=postgresql://lms@db:5432/lms (see the README, \"Production\"), "
            "or start one worker (-w 1).")
    if url.startswith("sqlite") and server.cfg.threads > 1:
        raise RuntimeError(
            f"lms: {server.cfg.threads} threads cannot share an SQLite database ({url}), for the "
            "same reason as several workers. Use PostgreSQL (LMS_DATABASE_URL), or one thread.")
