"""Settings come from LMS_* variables; production refuses to start without a secret key."""
import re

import pytest

from lms.config import ConfigurationError, settings_from_environment


PRODUCTION = {"LMS_ENV": "production", "LMS_SECRET_KEY": "k",
              "LMS_PUBLIC_URL": "https://lms.example.vn/"}


def test_production_without_a_secret_key_is_a_start_up_error(tmp_path):
    with pytest.raises(ConfigurationError, match="LMS_SECRET_KEY must be set"):
        settings_from_environment(str(tmp_path), {"LMS_ENV": "production"})


def test_development_generates_a_key_once_and_keeps_it(tmp_path):
    first = settings_from_environment(str(tmp_path), {})["SECRET_KEY"]
    second = settings_from_environment(str(tmp_path), {})["SECRET_KEY"]
    assert len(first) == 64 and first == second
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_under_instance_and_migrated_automatically(tmp_path):
    settings = settings_from_environment(str(tmp_path), {})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    assert settings["LMS_AUTO_MIGRATE"] is True


def test_postgresql_urls_use_psycopg_3_and_are_not_migrated_by_workers(tmp_path):
    settings = settings_from_environment(
        str(tmp_path), {"LMS_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/lms"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/lms"
    assert settings["LMS_AUTO_MIGRATE"] is False


def test_cookies_are_secure_outside_development(tmp_path):
    production = settings_from_environment(str(tmp_path), PRODUCTION)
    development = settings_from_environment(str(tmp_path), {})
    assert production["SESSION_COOKIE_SECURE"] and not development["SESSION_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="LMS_ENV"):
        settings_from_environment(str(tmp_path), {"LMS_ENV": "prod"})


def test_production_without_a_public_address_is_a_start_up_error(tmp_path):
    settings = {**PRODUCTION, "LMS_PUBLIC_URL": ""}
    with pytest.raises(ConfigurationError, match="LMS_PUBLIC_URL must be set in production"):
        settings_from_environment(str(tmp_path), settings)
    assert settings_from_environment(str(tmp_path), PRODUCTION)[
        "LMS_PUBLIC_URL"] == "https://lms.example.vn"


@pytest.mark.parametrize("url, env, expected", [
    ("lms.example.vn", "development", "must be an address such as https://lms.example.vn"),
    ("https://lms.example.vn/?next=x", "development", "must be an address such as"),
    ("javascript:alert(1)", "development", "must be an address such as"),
    ("http://lms.example.vn", "production", "must start with https:// in production"),
])
def test_a_malformed_public_address_is_a_start_up_error(tmp_path, url, env, expected):
    with pytest.raises(ConfigurationError, match=re.escape(expected)):
        settings_from_environment(str(tmp_path), {**PRODUCTION, "LMS_ENV": env,
                                                  "LMS_PUBLIC_URL": url})


def test_trusted_hosts_come_from_a_comma_separated_list(tmp_path):
    settings = settings_from_environment(str(tmp_path), {
        "LMS_TRUSTED_HOSTS": "hoc.example.vn, .example.vn"})
    assert settings["TRUSTED_HOSTS"] == ["hoc.example.vn", ".example.vn"]
    assert settings_from_environment(str(tmp_path), {})["TRUSTED_HOSTS"] is None
