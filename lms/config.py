"""Settings, read from LMS_* environment variables once, when the app is created."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def content_dir(environ=os.environ) -> str:
    """The folder holding courses/, quizzes/ and certificates/."""
    return environ.get("LMS_CONTENT_DIR") or str(REPOSITORY_ROOT)


class ConfigurationError(RuntimeError):
    """The app cannot start safely with these settings."""


def instance_path_from_environment(environ=os.environ) -> str:
    return environ.get("LMS_INSTANCE_DIR") or str(REPOSITORY_ROOT / "instance")


def database_url_from_environment(instance_path: str, environ=os.environ) -> str:
    """LMS_DATABASE_URL, or the SQLite file in the instance folder (also read by gunicorn.conf.py)."""
    return _database_url(environ.get("LMS_DATABASE_URL")
                         or f"sqlite:///{Path(instance_path) / 'lms.sqlite3'}")


def make_private_folder(path: str) -> None:
    """The instance folder holds the SQLite file and the secret key: its owner's alone (0700)."""
    folder = Path(path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)  # a folder made before this rule, with the umask's mode


def settings_from_environment(instance_path: str, environ=os.environ) -> dict:
    env = environ.get("LMS_ENV", "development")
    if env not in ("development", "production", "testing"):
        raise ConfigurationError(f"LMS_ENV must be development, production or testing, not {env!r}")
    database_url = database_url_from_environment(instance_path, environ)
    is_sqlite = database_url.startswith("sqlite")
    return {
        "LMS_ENV": env,
        "SECRET_KEY": _secret_key(environ.get("LMS_SECRET_KEY"), env, instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_CONTENT_DIR": content_dir(environ),
        # SQLite is migrated on start-up so a fresh clone just runs; a shared PostgreSQL is
        # migrated once, by `flask db upgrade`, not by every worker racing at boot.
        "LMS_AUTO_MIGRATE": _flag(environ.get("LMS_AUTO_MIGRATE"), default=is_sqlite),
        "LMS_REDIS_URL": environ.get("LMS_REDIS_URL"),
        # Rate limits must be shared by every worker in production, hence Redis when given.
        "RATELIMIT_STORAGE_URI": environ.get("LMS_REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LMS_ORGANISATION": environ.get("LMS_ORGANISATION", "lms"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_NAME": "remember_token",
        # "Keep me signed in" lasts at most 30 days; each device's session row ends with it.
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        # Static files under versioned addresses get a year (lms/static_files.py).
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        # Uploads (a certificate to verify, a staff list) are small; refuse anything larger.
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # Printed on certificates and in their QR codes, which last for years: never taken from
        # a request's Host header in production (lms/issuing.py).
        "LMS_PUBLIC_URL": _public_url(environ.get("LMS_PUBLIC_URL"), env),
        # Host names the app answers to; any other Host header gets 400 (Flask's own check).
        "TRUSTED_HOSTS": [host.strip() for host in environ.get("LMS_TRUSTED_HOSTS", "").split(",")
                          if host.strip()] or None,
        # How many reverse proxies sit in front of the app. Only then are X-Forwarded-* headers
        # trusted, so per-address rate limits see the learner's address, not the proxy's.
        "LMS_PROXY_COUNT": int(environ.get("LMS_PROXY_COUNT") or 0),
        # Dashboards read the reporting snapshot (`flask reports refresh`, run from cron) while
        # it is younger than this many seconds, and count live otherwise.
        "LMS_REPORT_SNAPSHOT_MAX_AGE": int(environ.get("LMS_REPORT_SNAPSHOT_MAX_AGE") or 900),
        # A shared device at a support point signs its person out after this long unused:
        # short for privacy, long enough to read a lesson or answer a quiz between requests.
        "LMS_SHARED_DEVICE_IDLE_MINUTES": int(environ.get("LMS_SHARED_DEVICE_IDLE_MINUTES")
                                              or 10),
        # While trainers edit, changed content files are read again without a restart; in
        # production content changes with a graceful reload (`kill -HUP` to gunicorn).
        "LMS_CONTENT_RELOAD": _flag(environ.get("LMS_CONTENT_RELOAD"),
                                    default=env == "development"),
        # Where codes and, later, reminders go (lms/messaging.py): "outbox" writes each message
        # to LMS_OUTBOX_DIR for developers and tests; production sends by SMS gateway and SMTP.
        "LMS_SMS_BACKEND": environ.get("LMS_SMS_BACKEND") or "outbox",
        "LMS_EMAIL_BACKEND": environ.get("LMS_EMAIL_BACKEND") or "outbox",
        "LMS_OUTBOX_DIR": environ.get("LMS_OUTBOX_DIR") or str(Path(instance_path) / "outbox"),
        # Lessons read aloud, made by `flask content audio` (lms/services/read_aloud.py).
        "LMS_AUDIO_DIR": environ.get("LMS_AUDIO_DIR") or str(Path(instance_path) / "audio"),
        "LMS_SMS_GATEWAY_URL": environ.get("LMS_SMS_GATEWAY_URL"),
        "LMS_SMS_GATEWAY_TOKEN": environ.get("LMS_SMS_GATEWAY_TOKEN"),
        # JSON with {to} (+84...), {national} (09...) and {text}, as the provider's API wants it.
        "LMS_SMS_GATEWAY_BODY": environ.get("LMS_SMS_GATEWAY_BODY"),
        "MAIL_SERVER": environ.get("LMS_SMTP_HOST", "localhost"),
        "MAIL_PORT": int(environ.get("LMS_SMTP_PORT") or 25),
        "MAIL_USERNAME": environ.get("LMS_SMTP_USER"),
        "MAIL_PASSWORD": environ.get("LMS_SMTP_PASSWORD"),
        "MAIL_USE_TLS": _flag(environ.get("LMS_SMTP_STARTTLS"), default=False),
        "MAIL_USE_SSL": _flag(environ.get("LMS_SMTP_SSL"), default=False),
        "MAIL_DEFAULT_SENDER": environ.get("LMS_MAIL_FROM", "lms <no-reply@localhost>"),
        "MAIL_TIMEOUT": 10,
        "BABEL_DEFAULT_LOCALE": "vi",
        "CACHE_TYPE": "SimpleCache",
        "CACHE_THRESHOLD": 5000,
        "CACHE_DEFAULT_TIMEOUT": 3600,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def _database_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask SQLAlchemy for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(configured: str | None, env: str, instance_path: str) -> str:
    if configured:
        return configured
    if env == "production":
        raise ConfigurationError("LMS_SECRET_KEY must be set in production (LMS_ENV=production): "
                                 "generate one with: python -c 'import secrets; "
                                 "print(secrets.token_hex(32))'")
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _public_url(configured: str | None, env: str) -> str | None:
    if not configured:
        if env == "production":
            raise ConfigurationError("LMS_PUBLIC_URL must be set in production (LMS_ENV=production)"
                                     ": the address people open, e.g. https://lms.example.vn; "
                                     "certificates print it and their QR codes lead there")
        return None
    parts = urlsplit(configured)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query
            or parts.fragment or parts.username or parts.password):
        raise ConfigurationError(f"LMS_PUBLIC_URL must be an address such as "
                                 f"https://lms.example.vn, not {configured!r}")
    if env == "production" and parts.scheme != "https":
        raise ConfigurationError("LMS_PUBLIC_URL must start with https:// in production: "
                                 "sign-in cookies are sent over HTTPS only")
    return configured.rstrip("/")


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")
