"""Quizzes: drawn on the server, graded on the server, submitted exactly once."""
import re

import pytest

from lms.extensions import db
from lms.models import QuizAttempt
from tests.conftest import form_answers


@pytest.fixture(autouse=True)
def all_questions_on_one_page(client):
    """These tests read every drawn question from one page (the layout a learner can choose)."""
    client.set_cookie("quiz_layout", "all")


def form_of(page: str) -> dict:
    token = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    keys = list(dict.fromkeys(re.findall(r'name="q-([0-9a-f]+)"', page)))
    return {"attempt": token, "keys": keys}


def answers(app, catalog, slug, form, right=True):
    """Form data answering every drawn question right (or every one wrong)."""
    quiz = catalog.course(slug).quiz
    chosen = {}
    for key in form["keys"]:
        question = quiz.question(key)
        wrong = [i for i in range(question.option_count) if i not in question.correct]
        chosen[key] = sorted(question.correct) if right else [wrong[0]]
    return form_answers(app, form["attempt"], chosen)


def test_the_quiz_needs_an_account(client):
    response = client.get("/courses/ai-basics/quiz/")
    assert response.status_code == 302 and "next=%2Fcourses%2Fai-basics%2Fquiz%2F" in \
        response.headers["Location"]


def test_the_quiz_page_draws_the_configured_number_of_questions(client, learners, bundled_catalog):
    learners.register(client)
    page = client.get("/courses/ai-basics/quiz/").get_data(as_text=True)
    assert len(form_of(page)["keys"]) == bundled_catalog.course("ai-basics").quiz.questions_per_attempt


def test_the_quiz_page_contains_no_correct_answer_marker(client, learners, bundled_catalog):
    learners.register(client)
    response = client.get("/courses/ai-basics/quiz/")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    for marker in ("correct", "is-right", "data-answer", "checked", "explanation", "bạn chọn"):
        assert marker not in page.lower(), marker
    # Every option is the same markup but for its index: nothing tells a right one apart.
    inputs = re.findall(r"<input [^>]*name=\"q-[^>]*>", page)
    assert len(inputs) >= 20
    assert all(re.fullmatch(r'<input type="(radio|checkbox)" name="q-[0-9a-f]{16}" value="\d+">', tag)
               for tag in inputs), inputs
    # An option's value is its place on the page, never its place in the quiz file, where
    # trainers often put the right answer at the same place.
    for key in form_of(page)["keys"]:
        values = re.findall(rf'name="q-{key}" value="(\d+)"', page)
        assert values == [str(n) for n in range(len(values))]
    quiz = bundled_catalog.course("ai-basics").quiz
    for key in form_of(page)["keys"]:  # explanations are shown only after submitting
        explanation = quiz.question(key).texts.get("vi").explanation_html
        assert explanation[:60] not in page


def test_options_are_shuffled_between_attempts(client, learners, clock):
    learners.register(client)
    orders = set()
    for _ in range(4):
        page = client.get("/courses/data-security/quiz/").get_data(as_text=True)
        orders.add(tuple(re.findall(r'value="\d+">\s*<span>(.*?)</span>', page, re.S)))
        form = form_of(page)
        client.post("/courses/data-security/quiz/", data={"attempt": form["attempt"]})
        clock.advance(minutes=5)
    assert len(orders) > 1


def test_reloading_or_a_second_tab_shows_the_same_attempt(client, learners):
    learners.register(client)
    first = form_of(client.get("/courses/ai-basics/quiz/").get_data(as_text=True))
    second = form_of(client.get("/courses/ai-basics/quiz/").get_data(as_text=True))
    assert first == second


def test_failing_then_passing_and_the_course_completes(client, learners, bundled_catalog, clock):
    learners.register(client)
    for lesson in bundled_catalog.course("ai-basics").lessons:
        client.post(f"/courses/ai-basics/{lesson.slug}/done")
    form = form_of(client.get("/courses/ai-basics/quiz/").get_data(as_text=True))
    failed = client.post("/courses/ai-basics/quiz/", data={
        "attempt": form["attempt"],
        **answers(learners.app, bundled_catalog, "ai-basics", form, False)})
    assert failed.status_code == 303
    result = client.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Đúng 0/10 câu: 0%" in result and "Chưa đạt" in result
    assert "Hãy đọc lại các bài này" in result and "is-right" not in result
    assert "Chúc mừng" not in client.get("/courses/ai-basics/").get_data(as_text=True)

    clock.advance(minutes=5)  # the wait after a failed attempt
    form = form_of(client.get("/courses/ai-basics/quiz/").get_data(as_text=True))
    assert form["attempt"] != failed.headers["Location"].rsplit("/", 1)[1]  # a new draw
    passed = client.post("/courses/ai-basics/quiz/", data={
        "attempt": form["attempt"], **answers(learners.app, bundled_catalog, "ai-basics",
                                              form)})
    result = client.get(passed.headers["Location"]).get_data(as_text=True)
    assert "Đúng 10/10 câu: 100%" in result and "Chúc mừng, bạn đã đạt!" in result
    assert "Bạn đã hoàn thành khoá học này ngày" in client.get("/courses/ai-basics/").get_data(as_text=True)
    me = client.get("/me/").get_data(as_text=True)
    assert "✓ Đã hoàn thành" in me and "100% · đạt" in me and "0% · chưa đạt" in me


def test_a_double_submitted_quiz_records_one_attempt(app, client, learners, bundled_catalog):
    learners.register(client)
    form = form_of(client.get("/courses/ai-basics/quiz/").get_data(as_text=True))
    right = {"attempt": form["attempt"],
             **answers(learners.app, bundled_catalog, "ai-basics", form)}
    wrong = {"attempt": form["attempt"],
             **answers(learners.app, bundled_catalog, "ai-basics", form, right=False)}
    first = client.post("/courses/ai-basics/quiz/", data=right)
    second = client.post("/courses/ai-basics/quiz/", data=wrong)  # back button, changed answers
    assert first.status_code == 303 and second.status_code == 409
    assert "Lần nộp đầu tiên được tính" in second.get_data(as_text=True)
    with app.app_context():
        attempts = db.session.query(QuizAttempt).all()
        assert len(attempts) == 1 and attempts[0].score_percent == 100


def test_a_submission_with_an_unknown_token_changes_nothing(app, client, learners):
    learners.register(client)
    response = client.post("/courses/ai-basics/quiz/", data={"attempt": "made-up"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 0


def test_answers_outside_the_options_are_ignored(app, client, learners):
    learners.register(client)
    form = form_of(client.get("/courses/ai-basics/quiz/").get_data(as_text=True))
    data = {"attempt": form["attempt"], **{f"q-{key}": ["99", "-1", "x"] for key in form["keys"]}}
    response = client.post("/courses/ai-basics/quiz/", data=data)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.query(QuizAttempt).one().score_percent == 0


def test_one_learner_cannot_see_or_submit_another_learners_attempt(app, learners, bundled_catalog):
    owner, other = learners.register(), learners.register()
    form = form_of(owner.get("/courses/ai-basics/quiz/").get_data(as_text=True))
    stolen = other.post("/courses/ai-basics/quiz/", data={
        "attempt": form["attempt"], **answers(learners.app, bundled_catalog, "ai-basics",
                                              form)})
    assert stolen.status_code == 409
    done = owner.post("/courses/ai-basics/quiz/", data={"attempt": form["attempt"]})
    assert done.status_code == 303
    assert other.get(done.headers["Location"]).status_code == 404
    assert owner.get(done.headers["Location"]).status_code == 200
    assert "/quiz/results/" not in other.get("/me/").get_data(as_text=True)


@pytest.mark.parametrize("slug", ["ai-basics", "data-security", "online-public-services"])
def test_every_bundled_quiz_can_be_passed(client, learners, bundled_catalog, slug):
    learners.register(client)
    form = form_of(client.get(f"/courses/{slug}/quiz/").get_data(as_text=True))
    response = client.post(f"/courses/{slug}/quiz/", data={
        "attempt": form["attempt"], **answers(learners.app, bundled_catalog, slug, form)})
    assert "100%" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_trainers_see_which_questions_learners_get_wrong(app, learners, bundled_catalog):
    from lms.models import User

    quiz = bundled_catalog.course("ai-basics").quiz
    for right in (True, False):
        client = learners.register()
        form = form_of(client.get("/courses/ai-basics/quiz/").get_data(as_text=True))
        client.post("/courses/ai-basics/quiz/", data={
            "attempt": form["attempt"], **answers(learners.app, bundled_catalog, "ai-basics", form,
                                                  right)})
    from lms.services.quiz_stats import question_statistics
    with app.app_context():
        stats = question_statistics(db.session, bundled_catalog.course("ai-basics")).questions
    answered = [s for s in stats if s.answered]
    assert sum(s.answered for s in stats) == 2 * quiz.questions_per_attempt
    assert answered[0].percent_right <= answered[-1].percent_right  # hardest first
    assert any(s.most_picked_wrong_option is not None for s in answered)

    trainer = learners.register(identifier="0977000000")
    assert trainer.get("/admin/questions/").status_code == 403
    with app.app_context():
        db.session.query(User).filter_by(phone="+84977000000").one().role = "trainer"
        db.session.commit()
    page = trainer.get("/admin/questions/").get_data(as_text=True)
    assert bundled_catalog.course("ai-basics").title("vi") in page
