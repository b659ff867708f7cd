"""The record (services/record.py): one answer to "has this person completed this course", and
every page, export and report agreeing with it; atomic issuing; Vietnam's calendar."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from lms.config import REPOSITORY_ROOT
from lms.content import load_catalog
from lms.extensions import db
from lms.models import Certificate, CertificatePdf, QuizAttempt, User
from lms.campaign import assignments, exports
from lms.services import access, audit, clock, record

from conftest import complete_through_the_record
from test_certificates import complete_course, pdf_text


@pytest.fixture(autouse=True)
def all_questions_on_one_page(client):
    """These tests read every drawn question from one page (the layout a learner can choose)."""
    client.set_cookie("quiz_layout", "all")


COURSE = "data-security"


def user_of(app, phone="+84912345678") -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.phone == phone))


def make_manager(app, learners, phone="0987 000 111"):
    """A manager of the unit learners sign up in, granted as an operator would."""
    manager = learners.register(name="Quản Lý Xã", identifier=phone)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "+84" + phone.replace(" ", "")[1:]))
        unit = db.session.get(User, user.id).org_unit
        access.grant_role(db.session, user, "manager", unit.code, audit.Actor.command_line())
        db.session.commit()
        return manager, unit.code, unit.path


def status_everywhere(app, user_id: int, unit_path: str) -> dict[str, bool]:
    """Every reader's answer to "has this person completed COURSE?"."""
    catalog = app.extensions["lms.catalog"]
    today = clock.today()
    with app.app_context():
        user = db.session.get(User, user_id)
        learner = record.course_record(db.session, user_id, catalog.course(COURSE), catalog)
        columns = exports.person_columns(catalog)
        index = columns.index(exports.Column("course_completed", COURSE))
        rows = {row[0]: row for row in exports.person_rows(db.session, unit_path, catalog,
                                                                today)}
        from lms.services import personal_data
        data = personal_data.export(db.session, user, catalog, clock.now())
        (summary,) = [s for s in assignments.summaries(db.session, unit_path, catalog, today)
                      if s.assignment.subject_slug == COURSE]
        (mine,) = [a for a in assignments.for_learner(db.session, user, catalog, today)
                   if a.assignment.subject_slug == COURSE]
        return {
            "learner page": learner.complete,
            "assignment (learner)": mine.done,
            "manager summary": summary.done == 1,
            "export": rows[user.full_name][index] is not None,
            "personal data": any(c["course"] == COURSE for c in data["courses_completed"]),
        }


def test_a_revoked_certificate_voids_the_completion_everywhere_until_passed_again(
        app, client, learners, bundled_catalog):
    manager, unit_code, unit_path = make_manager(app, learners)
    manager.post("/reports/assignments/", data={"subject": f"course:{COURSE}", "unit": unit_code,
                                               "people": "", "due_on": "2099-01-01"})
    learners.register(client, identifier="0912345678")
    learner_id = user_of(app)
    complete_course(client, bundled_catalog, COURSE)
    assert set(status_everywhere(app, learner_id, unit_path).values()) == {True}

    with app.app_context():
        first = db.session.scalar(select(Certificate).where(Certificate.kind == "course"))
        admin = db.session.scalar(select(User).where(User.role == "manager"))
        admin.role = "admin"  # the manager, made an administrator to revoke
        db.session.commit()
        code = first.code
    assert manager.post(f"/admin/certificates/{code}", data={"reason": "Làm hộ"}).status_code == 302
    assert set(status_everywhere(app, learner_id, unit_path).values()) == {False}
    page = client.get(f"/courses/{COURSE}/").get_data(as_text=True)
    assert "Làm bài kiểm tra" in page or "quiz" in page  # the quiz is offered again

    complete_course(client, bundled_catalog, COURSE)  # passing the quiz again
    assert set(status_everywhere(app, learner_id, unit_path).values()) == {True}
    with app.app_context():
        codes = {c.code: c.revoked_at is None for c in db.session.scalars(
            select(Certificate).where(Certificate.kind == "course"))}
    assert len(codes) == 2 and codes[code] is False  # a new certificate, a new code


def test_a_certificate_earned_at_0630_in_vietnam_carries_that_day(app, client, learners,
                                                                   bundled_catalog):
    learners.register(client, identifier="0912345678")
    catalog = app.extensions["lms.catalog"]
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)  # 06:30 on 1/12 in Hà Nội
    with app.app_context():
        user = db.session.get(User, user_of(app))
        (certificate,) = [c for c in complete_through_the_record(
            db.session, user, catalog, catalog.course(COURSE), moment) if c.kind == "course"]
        db.session.commit()
        code = certificate.code
    vi_pdf = pdf_text(client.get(f"/me/certificates/{code}/vi.pdf").data)
    en_pdf = pdf_text(client.get(f"/me/certificates/{code}/en.pdf").data)
    assert "1 tháng 12, 2026" in vi_pdf and "1 December 2026" in en_pdf
    assert "30" not in vi_pdf.split("Ngày cấp")[1][:20]
    assert "1/12/2026" in client.get(f"/verify/{code}").get_data(as_text=True)
    assert "1/12/2026" in client.get("/me/").get_data(as_text=True)
    client.get("/language/en")
    assert "01/12/2026" in client.get(f"/verify/{code}").get_data(as_text=True)


def test_the_certificate_pdf_says_what_it_is_evidence_of(app, client, learners, bundled_catalog):
    learners.register(client, identifier="0912345678")
    complete_course(client, bundled_catalog, COURSE)
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    text = " ".join(pdf_text(client.get(f"/me/certificates/{code}/vi.pdf").data).split())
    assert "GIẤY CHỨNG NHẬN" in text and "757/QĐ-BKHCN" in text and "VNeID" in text


# --- broken content never certifies ---------------------------------------------------------

@pytest.fixture
def broken_quiz_content(tmp_path):
    """The bundled content, with one error in the data-security quiz."""
    root = tmp_path / "content"
    for folder in ("courses", "quizzes", "certificates"):
        shutil.copytree(REPOSITORY_ROOT / folder, root / folder)
    quiz = root / "quizzes" / f"{COURSE}.md"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("pass_mark: 80", "pass_mark: lots"),
                    encoding="utf-8")
    return root


def test_a_course_whose_quiz_has_errors_never_certifies_but_keeps_earlier_certificates(
        make_app, learners, bundled_catalog, broken_quiz_content):
    good = make_app()
    early = good.test_client()
    Learners = type(learners)
    Learners(good).register(early, identifier="0912345678")
    complete_course(early, bundled_catalog, COURSE)

    broken_catalog = load_catalog(broken_quiz_content)
    assert COURSE in broken_catalog.withheld
    broken = make_app(LMS_CATALOG=broken_catalog)
    late = broken.test_client()
    Learners(broken).register(late, identifier="0912345679")
    for lesson in broken_catalog.course(COURSE).lessons:
        late.post(f"/courses/{COURSE}/{lesson.slug}/done")
    page = late.get(f"/courses/{COURSE}/").get_data(as_text=True)
    assert "đang được giảng viên chỉnh sửa" in page
    with broken.app_context():
        holders = {db.session.get(User, c.user_id).phone for c in db.session.scalars(
            select(Certificate).where(Certificate.revoked_at.is_(None)))}
        assert holders == {"+84912345678"}  # the earlier certificate, and no new one
        earlier = record.course_record(db.session, user_of(broken), broken_catalog.course(COURSE),
                                       broken_catalog)
        assert earlier.complete
    if broken_catalog.course(COURSE).quiz:  # if the quiz was served at all, it is not taken
        assert "đang được chỉnh sửa" in late.get(f"/courses/{COURSE}/quiz/").get_data(
            as_text=True)


def test_the_content_check_names_a_withheld_course(runner, broken_quiz_content):
    result = runner.invoke(args=["content", "check", "--path", str(broken_quiz_content)])
    assert result.exit_code == 1
    assert f"courses/{COURSE}: this course has errors" in result.output
    assert f"quizzes/{COURSE}.md:" in result.output


# --- issuing is atomic ----------------------------------------------------------------------

CRASH_AFTER_COMMIT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, os.environ["REPO"])
    from lms import create_app
    from lms.services import certificate_pdf, certificates

    def crash(*args, **kwargs):
        os._exit(9)  # the worker dies after the commit and the response, before any PDF

    certificates.render_pdf = crash
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": os.environ["DB"], "LMS_AUTO_MIGRATE": True})
    client = app.test_client()
    signed_in = client.post("/login", data={"identifier": "0912345678",
                                            "password": os.environ["PW"]})
    form = {"attempt": os.environ["TOKEN"], **__import__("json").loads(os.environ["ANSWERS"])}
    response = client.post("/courses/data-security/quiz/", data=form)
    print(signed_in.status_code, response.status_code, flush=True)  # answered, not drawn yet
    response.close()  # sent: the server draws the PDFs now, and the worker dies
    os._exit(0)  # not reached: the render crashes first
""")


def test_a_crash_between_commit_and_drawing_loses_nothing(app, client, learners,
                                                          bundled_catalog, database_url, tmp_path):
    from conftest import PASSWORD
    from test_quiz import answers, form_of

    learners.register(client, identifier="0912345678")
    for lesson in bundled_catalog.course(COURSE).lessons:
        client.post(f"/courses/{COURSE}/{lesson.slug}/done")
    form = form_of(client.get(f"/courses/{COURSE}/quiz/").get_data(as_text=True))
    script = tmp_path / "crash.py"
    script.write_text(CRASH_AFTER_COMMIT)
    environment = {**os.environ, "REPO": str(REPOSITORY_ROOT), "DB": app.config[
        "SQLALCHEMY_DATABASE_URI"], "PW": PASSWORD, "TOKEN": form["attempt"],
        "ANSWERS": json.dumps(answers(app, bundled_catalog, COURSE, form)),
        "LMS_INSTANCE_DIR": str(tmp_path / "instance2")}
    finished = subprocess.run([sys.executable, str(script)], env=environment, timeout=120,
                              capture_output=True, text=True)
    assert finished.returncode == 9, (finished.stdout + finished.stderr)[-2000:]
    assert finished.stdout.split() == ["302", "303"]  # the learner had the answer already

    with app.app_context():
        graded = db.session.scalars(select(QuizAttempt).where(
            QuizAttempt.submitted_at.is_not(None))).all()
        issued = db.session.scalars(select(Certificate)).all()
        assert [a.passed for a in graded] == [True]  # the grade is kept...
        assert [(c.kind, c.subject_slug) for c in issued] == [("course", COURSE)]  # ...with it
        assert db.session.scalars(select(CertificatePdf)).all() == []  # the crash came first
        code = issued[0].code
    response = client.get(f"/me/certificates/{code}/vi.pdf")  # drawn on demand
    assert response.status_code == 200 and code in pdf_text(response.data)
    assert client.get(f"/me/certificates/{code}/vi.pdf").data == response.data  # stored once
    with app.app_context():
        assert len(db.session.scalars(select(CertificatePdf).where(
            CertificatePdf.language == "vi")).all()) == 1


def test_a_savepoint_is_a_savepoint_and_a_failed_request_commits_nothing(app):
    with app.app_context():
        user = User(full_name="Savepoint", password_hash="!", session_token="t", phone="+84900")
        with db.session.begin_nested():  # the first statement of the transaction
            db.session.add(user)
        db.session.rollback()  # the request fails afterwards
        assert db.session.scalar(select(User).where(User.phone == "+84900")) is None
