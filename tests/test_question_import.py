"""Importing Moodle question files: `flask content import` and the trainers' upload form."""
import io
import re
from html import unescape
from pathlib import Path

import pytest

from lms.content.imports.model import MAX_IMPORT_BYTES

SAMPLES = Path(__file__).parent / "content" / "samples"


@pytest.fixture
def trainer(app, learners, runner):
    client = learners.register(identifier="0912 345 678")
    assert runner.invoke(args=["users", "set-role", "0912345678", "trainer"]).exit_code == 0
    return client


def upload(client, name, data=None, **fields):
    data = (SAMPLES / name).read_bytes() if data is None else data
    return client.post("/admin/content/import", data={
        "file": (io.BytesIO(data), name), "course": "data-security", **fields},
        content_type="multipart/form-data")


def test_the_command_writes_the_quiz_and_prints_what_it_left_out(runner, tmp_path):
    output = tmp_path / "quizzes" / "data-security.md"
    source = SAMPLES / "ngan-hang-cau-hoi.xml"
    result = runner.invoke(args=["content", "import", str(source), "--course", "data-security",
                                 "-o", str(output)])
    assert result.exit_code == 1  # a question was left out: scripts notice
    assert f"{source}:151: question \"Kinh nghiệm nộp hồ sơ\" is of type essay" in result.output
    assert "3 questions written to" in result.output
    text = output.read_text(encoding="utf-8")
    assert text.startswith("---\ncourse: data-security\n") and text.count("\n## ") == 3


def test_the_command_never_overwrites_a_file(runner, tmp_path):
    output = tmp_path / "quiz.md"
    output.write_text("a trainer's work", encoding="utf-8")
    result = runner.invoke(args=["content", "import", str(SAMPLES / "tin-gia.txt"), "-o",
                                 str(output)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert output.read_text(encoding="utf-8") == "a trainer's work"


def test_the_command_prints_the_quiz_without_an_output_file(runner):
    result = runner.invoke(args=["content", "import", str(SAMPLES / "an-toan-so.gift"),
                                 "--course", "data-security", "--lesson", "otp"])
    assert "## Ai được phép biết mã OTP ngân hàng gửi cho bạn? {lesson=otp}" in result.output


def test_only_trainers_and_administrators_may_convert(client, learners):
    assert client.post("/admin/content/import").status_code == 302  # to sign in
    learners.register(client)
    assert upload(client, "tin-gia.txt").status_code == 403
    assert client.post("/admin/content/import/download",
                       data={"markdown": "x", "filename": "x.md"}).status_code == 403


def test_a_trainer_converts_a_file_and_downloads_the_quiz(trainer):
    form = trainer.get("/admin/content/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="course"' in form
    response = upload(trainer, "an-toan-so.gift", lesson="never-share-otp")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 câu hỏi đã được chuyển đổi" in page
    assert ("<code>an-toan-so.gift:37</code> không chuyển được câu hỏi GIFT loại essay"
            in page)
    markdown = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
    assert "{lesson=never-share-otp}" in markdown
    download = trainer.post("/admin/content/import/download",
                            data={"markdown": markdown.replace("\n", "\r\n"),
                                  "filename": "data-security.md"})
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert 'filename="data-security.md"' in download.headers["Content-Disposition"]
    assert download.get_data(as_text=True).startswith("---\ncourse: data-security\n")


def test_a_lesson_the_course_does_not_have_is_refused(trainer):
    response = upload(trainer, "tin-gia.txt", lesson="no-such-lesson")
    assert response.status_code == 422
    assert "Khoá học không có bài “no-such-lesson”" in response.get_data(as_text=True)


def test_a_file_that_converts_nothing_says_so(trainer):
    response = upload(trainer, "notes.txt", b"just some notes\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<textarea" not in page
    assert "notes.txt:1</code> đây không phải tệp GIFT, Aiken hay Moodle XML" in page


def test_an_upload_over_the_bound_is_refused_kindly(trainer):
    # Built by hand: the test client would spool a body this big to a file it never closes.
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.xml"\r\n'
            b"Content-Type: text/xml\r\n\r\n" + b"<" * (MAX_IMPORT_BYTES + 100 * 1024)
            + b"\r\n--b--\r\n")
    response = trainer.post("/admin/content/import", data=body,
                            content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "Tệp lớn hơn 2 MB" in response.get_data(as_text=True)


def test_a_forged_download_name_is_refused(trainer):
    response = trainer.post("/admin/content/import/download",
                            data={"markdown": "x", "filename": "../../etc/passwd"})
    assert response.status_code == 400
