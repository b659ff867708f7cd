"""Publishing courses through the web: checked by the loader, staged, previewed, published in
one step, put back; bad uploads change nothing; every worker serves the newest release."""
from __future__ import annotations

import io
import re
import shutil
import stat
import zipfile

import pytest

from lms import catalog as catalog_module
from lms.config import REPOSITORY_ROOT
from lms.extensions import db
from lms.models import AuditEntry, ContentPackage, User
from lms.services import access, audit

NEW_TEXT = "Đoạn mới do giảng viên đăng qua trang web."
LESSON = "courses/ai-basics/01-what-is-ai.md"



@pytest.fixture
def site(make_app, editable, monkeypatch):
    monkeypatch.setattr(catalog_module, "LOOK_EVERY_SECONDS", 0)
    return make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(editable), LMS_CONTENT_RELOAD=False)


def course_zip(editable, changes: dict[str, str | None] | None = None, layout="repository",
               extra: dict[str, bytes] | None = None) -> bytes:
    """ai-basics as a ZIP, with some files changed (None removes one)."""
    files = {p.relative_to(editable).as_posix(): p.read_bytes()
             for p in (editable / "courses/ai-basics").rglob("*") if p.is_file()}
    for name in ("ai-basics.md", "ai-basics.en.md"):
        files[f"quizzes/{name}"] = (editable / "quizzes" / name).read_bytes()
    for path, text in (changes or {}).items():
        if text is None:
            files.pop(path)
        else:
            files[path] = text.encode()
    if layout == "folder":
        files = {(p.replace("courses/", "", 1) if p.startswith("courses/") else
                  "ai-basics/" + p.split("/")[1].replace("ai-basics", "quiz")): c
                 for p, c in files.items()}
    files.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return out.getvalue()


def upload(client, data: bytes, name="ai-basics.zip", course=""):
    return client.post("/admin/publish/", data={"file": (io.BytesIO(data), name),
                                                "course": course},
                       content_type="multipart/form-data")


def lesson_text(editable):
    return (editable / LESSON).read_text(encoding="utf-8") + f"\n{NEW_TEXT}\n"


@pytest.fixture
def trainer(site, learners):
    learners.app = site
    admin = learners.with_role("admin")
    client = learners.with_role("trainer")
    granted = admin.post("/admin/publishers/", data={"identifier": client.phone,
                                                      "course": "ai-basics", "action": "grant"})
    assert granted.status_code == 303
    client.admin = admin
    return client


def test_upload_preview_publish_and_put_back(site, trainer, editable):
    reader = site.test_client()
    url = "/courses/ai-basics/what-is-ai/"
    staged = upload(trainer, course_zip(editable, {LESSON: lesson_text(editable)}))
    assert staged.status_code == 303
    page = trainer.get(staged.headers["Location"]).get_data(as_text=True)
    assert "Không có vấn đề nào." in page and "Đăng phiên bản này" in page
    preview = trainer.get(staged.headers["Location"] + "what-is-ai/").get_data(as_text=True)
    assert NEW_TEXT in preview
    assert NEW_TEXT not in reader.get(url).get_data(as_text=True)  # staged only

    package_id = int(re.search(r"/admin/publish/(\d+)/", staged.headers["Location"]).group(1))
    published = trainer.post(f"/admin/publish/{package_id}/publish")
    assert published.status_code == 303
    assert NEW_TEXT in reader.get(url).get_data(as_text=True)
    versions = trainer.get("/admin/publish/courses/ai-basics/").get_data(as_text=True)
    assert "đang được dùng" in versions

    back = trainer.post("/admin/publish/courses/ai-basics/put-back", data={"package": ""})
    assert back.status_code == 303
    assert NEW_TEXT not in reader.get(url).get_data(as_text=True)
    with site.app_context():
        actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
        assert actions[-3:] == ["publisher-granted", "content-published", "content-rolled-back"]


def test_a_version_with_errors_is_kept_but_never_published(site, trainer, editable):
    quiz = (editable / "quizzes/ai-basics.md").read_text(encoding="utf-8").replace(
        "- [x]", "- [ ]", 1)
    staged = upload(trainer, course_zip(editable, {"quizzes/ai-basics.md": quiz,
                                                   LESSON: lesson_text(editable)}))
    page = trainer.get(staged.headers["Location"]).get_data(as_text=True)
    # In the page's language, like every problem the site shows.
    assert "quizzes/ai-basics.md:" in page and "câu hỏi này chưa có đáp án đúng" in page
    assert "Đăng phiên bản này" not in page
    package_id = int(re.search(r"/admin/publish/(\d+)/", staged.headers["Location"]).group(1))
    refused = trainer.post(f"/admin/publish/{package_id}/publish", follow_redirects=True)
    assert "Phiên bản này có lỗi" in refused.get_data(as_text=True)
    assert NEW_TEXT not in site.test_client().get(
        "/courses/ai-basics/what-is-ai/").get_data(as_text=True)


def test_a_version_kept_before_problems_had_their_words_still_shows_them(site, trainer,
                                                                          editable):
    quiz = (editable / "quizzes/ai-basics.md").read_text(encoding="utf-8").replace(
        "- [x]", "- [ ]", 1)
    staged = upload(trainer, course_zip(editable, {"quizzes/ai-basics.md": quiz}))
    package_id = int(re.search(r"/admin/publish/(\d+)/", staged.headers["Location"]).group(1))
    with site.app_context():  # as an older version of lms stored them: lines of English
        package = db.session.get(ContentPackage, package_id)
        package.problems = ["quizzes/ai-basics.md:9: this question has no right option"]
        db.session.commit()
    page = trainer.get(staged.headers["Location"]).get_data(as_text=True)
    assert "quizzes/ai-basics.md:9: this question has no right option" in page


def symlinked_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("courses/x/course.md", "---\ntitle: x\n---\n")
        link = zipfile.ZipInfo("courses/x/images/db.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "../../../../instance/lms.sqlite3")
    return out.getvalue()


@pytest.mark.parametrize("make_upload, message", [
    (lambda e: b"not a zip at all", "không phải tệp ZIP"),
    (lambda e: course_zip(e, extra={"courses/ai-basics/../../evil.md": b"x"}), "không có .."),
    (lambda e: course_zip(e, extra={"courses/ai-basics/page.html": b"<script>"}),
     "khoá học chỉ chứa tệp Markdown (.md) và hình ảnh"),
    (lambda e: symlinked_zip(), "không nhận liên kết"),
    (lambda e: course_zip(e, extra={"courses/ai-basics/images/big.png": b"\0" * (2 * 2**20 + 1)}),
     "big.png: lớn hơn 2 MB"),
    (lambda e: course_zip(e, extra={f"courses/ai-basics/images/{n}.png": b"\0" * (2 * 2**20 - 1)
                                    for n in range(11)}), "khi giải nén lớn hơn 20 MB"),
    (lambda e: course_zip(e, {"courses/ai-basics/course.md": None}),
     "Thiếu courses/ai-basics/course.md"),
    (lambda e: course_zip(e, extra={f"courses/ai-basics/images/{n}.png": b"x"
                                    for n in range(301)}), "tối đa 300"),
])
def test_a_bad_upload_is_refused_with_the_reason_and_changes_nothing(site, trainer, editable,
                                                                     make_upload, message):
    response = upload(trainer, make_upload(editable))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with site.app_context():
        assert db.session.query(ContentPackage).count() == 0


def test_a_trainer_publishes_only_the_courses_allowed(site, trainer, learners, editable):
    other = learners.with_role("trainer")
    refused = upload(other, course_zip(editable))
    assert refused.status_code == 422 and "ai-basics" in refused.get_data(as_text=True)
    learner = learners.with_role("learner")
    assert learner.get("/admin/publish/").status_code == 403
    staged = upload(trainer, course_zip(editable))
    assert other.get(staged.headers["Location"]).status_code == 404  # not theirs to see


def test_one_file_or_a_zipped_folder_makes_a_new_version(site, trainer, editable):
    single = upload(trainer, lesson_text(editable).encode(), name="01-what-is-ai.md",
                    course="ai-basics")
    assert single.status_code == 303
    assert NEW_TEXT in trainer.get(single.headers["Location"] + "what-is-ai/").get_data(
        as_text=True)
    folder = upload(trainer, course_zip(editable, layout="folder"))
    assert folder.status_code == 303
    assert "Không có vấn đề nào." in trainer.get(folder.headers["Location"]).get_data(as_text=True)


def test_every_worker_serves_the_newest_release(site, trainer, editable, make_app):
    other_worker = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(editable),
                            LMS_CONTENT_RELOAD=False).test_client()  # same database
    staged = upload(trainer, course_zip(editable, {LESSON: lesson_text(editable)}))
    package_id = int(re.search(r"/admin/publish/(\d+)/", staged.headers["Location"]).group(1))
    trainer.post(f"/admin/publish/{package_id}/publish")
    assert NEW_TEXT in other_worker.get("/courses/ai-basics/what-is-ai/").get_data(as_text=True)
    restarted = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(editable),
                         LMS_CONTENT_RELOAD=False).test_client()
    assert NEW_TEXT in restarted.get("/courses/ai-basics/what-is-ai/").get_data(as_text=True)


def test_an_upload_over_the_request_limit_is_refused_kindly(site, trainer):
    # The length a browser announces is enough to refuse it, before a byte is read.
    response = trainer.post("/admin/publish/", data=b"--x--\r\n",
                            content_type="multipart/form-data; boundary=x",
                            environ_overrides={"CONTENT_LENGTH": str(5 * 2**20 + 10)})
    assert response.status_code == 413
    assert "Tệp lớn hơn 5 MB" in response.get_data(as_text=True)
    with site.app_context():
        assert db.session.query(ContentPackage).count() == 0


@pytest.mark.parametrize("course", ["/?", "../courses", "data-security"])
def test_one_file_for_a_course_not_offered_is_refused_and_nothing_staged(site, trainer, editable,
                                                                        course):
    # Found by the fuzz test: a course field of "/?" reached the file system (a 500).
    response = upload(trainer, lesson_text(editable).encode(), name="01-what-is-ai.md",
                      course=course)
    assert response.status_code == 422
    with site.app_context():
        assert db.session.query(ContentPackage).count() == 0
