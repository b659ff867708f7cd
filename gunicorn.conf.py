"""Gunicorn settings: `gunicorn wsgi:app`, run from the repository root, reads this file.

SQLite takes one writer at a time: with several worker processes, simultaneous quiz
submissions fail with "database is locked" and answers are lost. So the server refuses to
start with more than one worker on SQLite, before any worker is forked.
"""
from lms.config import database_url_from_environment, instance_path_from_environment


def on_starting(server) -> None:
    url = database_url_from_environment(instance_path_from_environment())
    workers = server.cfg.workers
    if url.startswith("sqlite") and workers > 1:
        # Gunicorn prints a RuntimeError's message and exits with status 1.
        raise RuntimeError(
            f"lms: {workers} worker processes cannot share an SQLite database ({url}): "
            "SQLite takes one writer at a time, and simultaneous submissions would fail with "
            "\"database is locked\". Use PostgreSQL: set LMS_DATABASE_URL, e.g. "
            "LMS_DATABASE_URL=postgresql://lms@db:5432/lms (see the README, \"Production\"), "
            "or start one worker (-w 1).")
