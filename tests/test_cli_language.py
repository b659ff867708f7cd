"""The commands trainers and organisers run speak Vietnamese by default, English with LANG=en."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms.extensions import db
from lms.models import User
from lms.services.accounts import HASHER

ROOT = Path(__file__).resolve().parent.parent
VIETNAMESE = {"LANG": None}  # what a fresh server or a trainer's Windows shell has
ENGLISH = {"LANG": "en"}


def add_person(app, phone="+84912345678"):
    with app.app_context():
        db.session.add(User(full_name="Bà Tư", phone=phone, password_hash=HASHER.hash("x" * 12),
                            session_token="t"))
        db.session.commit()


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, "Bà Tư giờ là trainer."), (ENGLISH, "Bà Tư is now trainer.")])
def test_users_set_role_speaks_the_language_of_lang(app, runner, env, expected):
    add_person(app)
    result = runner.invoke(args=["users", "set-role", "0912345678", "trainer"], env=env)
    assert result.exit_code == 0 and result.output.strip() == expected


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, "Không có tài khoản nào có số điện thoại hoặc email"),
    (ENGLISH, "no account has the phone number or email")])
def test_an_error_of_set_role_is_in_the_language_of_lang(runner, env, expected):
    result = runner.invoke(args=["users", "set-role", "0999999999", "admin"], env=env)
    assert result.exit_code == 1 and expected in result.output


def test_org_import_and_reports_refresh_speak_vietnamese_by_default(runner, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("code,name,parent_code,kind\nT,Tỉnh Thử,,province\n", encoding="utf-8")
    dry = runner.invoke(args=["org", "import", "--dry-run", str(units)], env=VIETNAMESE)
    assert "thêm 1, đổi tên 0, giữ nguyên 0 (chạy thử: chưa ghi gì)" in dry.output
    english = runner.invoke(args=["org", "import", str(units)], env=ENGLISH)
    assert english.output.strip().endswith("1 added, 0 renamed, 0 unchanged")
    refresh = runner.invoke(args=["reports", "refresh"], env=VIETNAMESE)
    assert refresh.exit_code == 0 and "Đã đếm lại số liệu báo cáo trong" in refresh.output


@pytest.mark.parametrize("lang, expected", [("C.UTF-8", "khoá học"), ("en", "courses")])
def test_the_real_content_check_command_follows_lang(lang, expected):
    env = {**os.environ, "LANG": lang}
    result = subprocess.run([sys.executable, "-m", "flask", "content", "check"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert expected in summary
    assert ("lỗi" in summary) == (lang != "en")
