"""The commands trainers and organisers run speak Vietnamese by default, English with LANG=en."""
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.support import Translations

from lms import cli
from lms.command_line import TRANSLATIONS, command_language
from lms.extensions import db
from lms.models import User
from lms.services.accounts import HASHER

ROOT = Path(__file__).resolve().parent.parent
# What a fresh server or a trainer's Windows shell has; the locale variables a developer's
# shell may set are cleared so that only LANG speaks.
VIETNAMESE = {"LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LMS_LANGUAGE": None}
ENGLISH = {**VIETNAMESE, "LANG": "en"}


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


# --- help, usage and errors (issue 11, item 8) ----------------------------------------------

def our_commands() -> list[tuple[list[str], click.Command]]:
    """Every command and group lms adds to `flask`, with the words that name it."""
    found = []

    def walk(path, command):
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    for top in (cli.audit_command, cli.content_cli, cli.org_cli, cli.reports_cli, cli.users_cli):
        walk([top.name], top)
    return found


def help_texts(command: click.Command) -> list[str]:
    return [text for text in [command.help, *(getattr(p, "help", None) for p in command.params)]
            if text]


def test_every_help_text_of_our_commands_has_its_vietnamese():
    vietnamese = Translations.load(str(TRANSLATIONS), ["vi"])
    commands = our_commands()
    assert len(commands) >= 11  # 5 at the top, 4 groups' 6 commands
    untranslated = {f"{' '.join(path)}: {text[:40]}" for path, command in commands
                    for text in help_texts(command) if vietnamese.gettext(text) == text}
    assert untranslated == set()


@pytest.mark.parametrize("path", [path for path, _command in our_commands()],
                         ids=lambda path: " ".join(path))
def test_help_is_in_the_language_of_lang(runner, path):
    vietnamese = runner.invoke(args=[*path, "--help"], env=VIETNAMESE)
    english = runner.invoke(args=[*path, "--help"], env=ENGLISH)
    assert vietnamese.exit_code == english.exit_code == 0, vietnamese.output
    assert vietnamese.output.startswith("Cách dùng: ") and "Tuỳ chọn:" in vietnamese.output
    assert "Hiện hướng dẫn này rồi thoát." in vietnamese.output
    assert english.output.startswith("Usage: ") and "Options:" in english.output
    assert "Show this message and exit." in english.output
    for english_only in ("Usage:", "Options:", "Commands:", "Show this message"):
        assert english_only not in vietnamese.output
    command = dict((tuple(p), c) for p, c in our_commands())[tuple(path)]
    first_words = " ".join(command.help.split()[:4])
    assert first_words in " ".join(english.output.split())
    assert first_words not in " ".join(vietnamese.output.split())


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, ["--dry-run  Kiểm tra tệp và cho biết những gì sẽ thay đổi; không ghi gì.",
                  "Cả tệp được kiểm tra trước"]),
    (ENGLISH, ["--dry-run  Check the file and say what would change; write nothing.",
               "The whole file is checked first"])])
def test_the_org_import_help_says_what_it_does_in_the_language_of_lang(runner, env, expected):
    output = runner.invoke(args=["org", "import", "--help"], env=env).output
    assert all(words in output for words in expected), output


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, ["org Đơn vị: tỉnh, xã, phường, cơ quan.", "users Vai trò của từng người.",
                  "reminders Nhắc hạn hoàn thành qua SMS và email."]),
    (ENGLISH, ["org Organisation units: provinces, communes, wards, units.",
               "users People's roles.", "reminders Reminders of due dates, by SMS and email."])])
def test_flask_help_lists_our_groups_in_the_language_of_lang(runner, env, expected):
    output = runner.invoke(args=["--help"], env=env).output
    # The column's width follows the longest name: the words are compared, not the spaces.
    assert all(words in " ".join(output.split()) for words in expected), output


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, ["dòng 3, cột “kind”: “city” không phải là loại đơn vị: hãy dùng một trong: "
                  "province, commune,", "dòng 4, cột “code”: Hãy nhập mã.",
                  "2 lỗi: chưa nhập gì."]),
    (ENGLISH, ["row 3, column “kind”: “city” is not a kind of unit: use one of province, "
               "commune,", "row 4, column “code”: Enter a code.",
               "2 problems: nothing was imported."])])
def test_a_bad_org_csv_row_is_reported_with_its_line_in_the_language_of_lang(runner, tmp_path,
                                                                             env, expected):
    units = tmp_path / "units.csv"
    units.write_text("code,name,parent_code,kind\nT,Tỉnh Thử,,province\n"
                     "T-X,Xã X,T,city\n,Xã Y,T,commune\n", encoding="utf-8")
    result = runner.invoke(args=["org", "import", str(units)], env=env)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{units}: {expected[0]}" + lines[0].split("commune,", 1)[1]
    assert lines[1] == f"{units}: {expected[1]}" and lines[2] == expected[2]


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, "Lỗi: Vai trò manager cần mã của đơn vị mà người đó phụ trách."),
    (ENGLISH, "Error: A manager needs the code of the unit they are responsible for.")])
def test_a_role_error_is_in_the_language_of_lang(app, runner, env, expected):
    add_person(app)
    result = runner.invoke(args=["users", "set-role", "0912345678", "manager"], env=env)
    assert result.exit_code == 1 and result.output.strip() == expected


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, ["Cách dùng: lms users set-role [OPTIONS] IDENTIFIER ROLE",
                  "Gõ “lms users set-role --help” để xem hướng dẫn.",
                  "Lỗi: Giá trị của 'ROLE' không đúng: “king” không nằm trong: learner, "
                  "helper, trainer, manager, organiser, admin."]),
    (ENGLISH, ["Usage: lms users set-role [OPTIONS] IDENTIFIER ROLE",
               "Try “lms users set-role --help” for help.",
               "Error: Invalid value for 'ROLE': “king” is not one of learner, helper, trainer, "
               "manager, organiser, admin."])])
def test_a_command_typed_wrongly_is_told_in_the_language_of_lang(runner, env, expected):
    # (the test runner calls the program "lms", the shell "flask")
    result = runner.invoke(args=["users", "set-role", "0912345678", "king"], env=env)
    assert result.exit_code == 2
    assert [line for line in result.output.splitlines() if line] == expected


@pytest.mark.parametrize("args, vietnamese", [
    (["org", "import"], "Lỗi: Còn thiếu 'CSV_FILE'."),
    (["org", "import", "nowhere.csv"], "Lỗi: Giá trị của 'CSV_FILE' không đúng: Không có tệp "
                                       "nowhere.csv."),
    (["org", "import", "--dry"], "Lỗi: Không có tuỳ chọn --dry. Có phải bạn muốn gõ --dry-run?"),
    (["org", "imprt"], "Lỗi: Không có lệnh “imprt”. Có phải bạn muốn gõ import?"),
    (["users", "set-role", "0912345678", "admin", "--unit"],
     "Lỗi: Tuỳ chọn --unit cần một giá trị."),
    (["reports", "refresh", "now"], "Lỗi: Thừa tham số: now"),
    (["audit", "--since", "1/12/2026"], "Lỗi: Giá trị của '--since' không đúng: “1/12/2026” "
                                        "không phải là ngày: hãy viết theo năm-tháng-ngày, "
                                        "ví dụ 2026-12-01."),
    (["audit", "--limit", "0"], "Lỗi: Giá trị của '--limit' không đúng: “0” không phải là số "
                                "nguyên từ 1 trở lên."),
    (["content", "check", "--path", "pyproject.toml"],
     "Lỗi: Giá trị của '--path' không đúng: pyproject.toml là một tệp, không phải thư mục."),
])
def test_every_kind_of_typing_mistake_is_told_in_vietnamese(runner, monkeypatch, args,
                                                           vietnamese):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=args, env=VIETNAMESE)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == vietnamese


def test_the_audit_command_names_actions_and_the_command_line_in_the_language_of_lang(
        runner, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("code,name,parent_code,kind\nT,Tỉnh Thử,,province\n", encoding="utf-8")
    runner.invoke(args=["org", "import", str(units)], env=ENGLISH)
    vietnamese = runner.invoke(args=["audit", "--action", "units-imported"], env=VIETNAMESE)
    english = runner.invoke(args=["audit", "--action", "units-imported"], env=ENGLISH)
    assert " dòng lệnh [-] Nhập danh sách đơn vị (units-imported) " in vietnamese.output
    assert " command line [-] Units imported (units-imported) " in english.output


@pytest.mark.parametrize("env, expected", [
    ({"LANG": "en_US.UTF-8", "LMS_LANGUAGE": "vi"}, "vi"),  # the project's own setting wins
    ({"LANG": "C.UTF-8", "LMS_LANGUAGE": "en"}, "en"),
    ({"LANG": "C.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),  # LC_ALL before LANG, as in POSIX
    ({"LANG": "en_US.UTF-8", "LC_ALL": "C.UTF-8"}, "vi"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "vi_VN.UTF-8"}, "vi"),
    ({"LANG": "vi_VN.UTF-8", "LMS_LANGUAGE": "fr"}, "vi"),  # not a language of ours: ignored
    ({}, "vi"),
])
def test_the_language_follows_lms_language_then_the_shells_locale(monkeypatch, env, expected):
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "LMS_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert command_language() == expected


# --- the content checker and the question import (issue 11, item 8) ------------------------

BROKEN_COURSE = {
    "courses/sample/course.md": "---\ntitle: Khoá thử\nsummary: Thử\naudience: citizen\n"
                                "level: basic\nminutes: 5\ncompetences: [9.9]\ntitel: x\n---\n"
                                "Giới thiệu.\n",
    "courses/sample/01-first.md": "---\ntitle: Bài một\n---\nNội dung.\n",
}


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, ['courses/sample/course.md:7: không có mã năng lực "9.9": hãy dùng mã như '
                  '"4.2" theo Thông tư 02/2025/TT-BGDĐT',
                  'courses/sample/course.md:8: cảnh báo: trường lạ "titel" (có phải gõ nhầm?)',
                  "0 khoá học, 0 bài học, 0 bài kiểm tra, 0 chương trình: 1 lỗi, 1 cảnh báo"]),
    (ENGLISH, ['courses/sample/course.md:7: unknown competence code "9.9": use codes such as '
               '"4.2" from Circular 02/2025/TT-BGDĐT',
               'courses/sample/course.md:8: warning: unknown field "titel" (is it misspelt?)',
               "0 courses, 0 lessons, 0 quizzes, 0 programs: 1 errors, 1 warnings"])])
def test_content_check_prints_its_problems_in_the_language_of_lang(runner, content_tree, env,
                                                                   expected):
    root = content_tree(BROKEN_COURSE)
    result = runner.invoke(args=["content", "check", "--strict", "--path", str(root)], env=env)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 3, result.output
    assert all(line.startswith(words) for line, words in zip(lines, expected, strict=True))


@pytest.mark.parametrize("env, expected", [
    (VIETNAMESE, "đây không phải tệp GIFT, Aiken hay Moodle XML"),
    (ENGLISH, "this is not a GIFT, Aiken or Moodle XML file")])
def test_question_import_prints_its_problems_in_the_language_of_lang(runner, tmp_path, env,
                                                                     expected):
    bank = tmp_path / "bank.doc"
    bank.write_text("Chỉ là ghi chú, không phải câu hỏi.\n", encoding="utf-8")
    result = runner.invoke(args=["content", "import", str(bank)], env=env)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(f"{bank}:1: {expected}"), result.output
