"""The database connection: SQLite tuning, migrations on start-up, a reachability check."""
from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
import flask_migrate
from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lms.extensions import db, migrate

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")
MIGRATION_LOCK_KEY = 0x6C6D73  # "lms": any constant both workers agree on


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers work while one writer commits; the busy timeout makes a second
    # writer wait instead of failing with "database is locked".
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # pysqlite begins transactions itself, late, and ignores SAVEPOINT: hand transaction
        # control to SQLAlchemy, which then emits BEGIN (below), so a savepoint is a savepoint
        # and a failed request leaves no partial commit (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


def init_app(app: Flask, after_upgrade=None) -> None:
    """Binds the database; with LMS_AUTO_MIGRATE, migrates it, then calls `after_upgrade`."""
    create_private_sqlite_file(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    if app.config["LMS_AUTO_MIGRATE"]:
        upgrade_database(app, after_upgrade)


def create_private_sqlite_file(app: Flask) -> None:
    """Creates the SQLite file 0600 before SQLite does: it would take the umask's mode (often
    0644), and anyone on the host could read names, phones and password hashes."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or url.database.startswith("file:"):
        return
    path = Path(app.instance_path, url.database)  # Flask-SQLAlchemy's base for a relative path
    if not path.parent.is_dir():
        return  # SQLite does not create folders either: the health check reports it
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    # SQLite gives its -wal and -shm files the database file's mode; an older install's
    # files are tightened here too.
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists() and companion.stat().st_uid == os.getuid() \
                and companion.stat().st_mode & 0o077:
            companion.chmod(0o600)


def upgrade_database(app: Flask, after_upgrade=None) -> None:
    """Migrates to the latest schema; several workers starting at once take turns."""
    with app.app_context(), _migration_lock(app):
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        if after_upgrade is not None:
            after_upgrade(db.session)
            db.session.commit()


@contextmanager
def _migration_lock(app: Flask):
    """One migrating process at a time: gunicorn starts its workers together."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": MIGRATION_LOCK_KEY})
                connection.commit()
    else:
        lock_path = Path(app.instance_path) / "migrate.lock"
        with lock_path.open("w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def database_is_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False
