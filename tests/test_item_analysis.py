"""Item analysis on the question statistics pages: facility, discrimination (upper and lower
27%), blanks, each option's share, the small-sample warning, one question per page, CSV."""
import csv
import io
import re
from dataclasses import replace

import pytest
from sqlalchemy import event

from lms.extensions import db
from lms.export_files import day_month_year
from lms.services import clock
from lms.services.quiz_stats import discrimination_index
from tests.conftest import form_answers


@pytest.fixture(autouse=True)
def all_questions_on_one_page(client):
    """These tests read every drawn question from one page (the layout a learner can choose)."""
    client.set_cookie("quiz_layout", "all")

SLUG = "ai-basics"

# Ten learners, each answering the four questions of a small quiz. The columns: how many of
# questions 2-4 they get right (the score question 1's discrimination ranks them by), and
# what they tick for question 1 (option 1 is right; None leaves it blank).
#   upper 27% (k = round(0.27 × 10) = 3): the three with 3 others right: 2 of 3 right on Q1
#   lower 27%: the three with 0 others right: 1 of 3 right (one wrong, one blank)
#   D = 2/3 − 1/3 = 0.33; facility 5/10 = 50%; option 1: 50%, 0: 20%, 2: 10%, 3: 10%.
LEARNERS = [(3, 1), (3, 1), (3, 0), (2, 1), (2, 2), (1, 1), (1, 0), (0, 1), (0, 3), (0, None)]


@pytest.fixture
def small_quiz(bundled_catalog):
    """ai-basics with only its first four questions, all drawn in every attempt."""
    course = bundled_catalog.course(SLUG)
    quiz = replace(course.quiz, questions=course.quiz.questions[:4], questions_per_attempt=4,
                   content_hash="small-quiz")
    return replace(bundled_catalog, courses=tuple(
        replace(c, quiz=quiz) if c.slug == SLUG else c for c in bundled_catalog.courses))


@pytest.fixture
def analysed(make_app, learners, small_quiz):
    """The app after the ten learners took the small quiz through the real quiz pages, and a
    trainer's client."""
    app = make_app(LMS_CATALOG=small_quiz)
    learners.app = app
    questions = small_quiz.course(SLUG).quiz.questions
    for others_right, first_choice in LEARNERS:
        client = learners.register()
        page = client.get(f"/courses/{SLUG}/quiz/").get_data(as_text=True)
        token = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
        chosen = {} if first_choice is None else {questions[0].key: [first_choice]}
        for n, question in enumerate(questions[1:]):
            wrong = next(i for i in range(question.option_count) if i not in question.correct)
            chosen[question.key] = sorted(question.correct) if n < others_right else [wrong]
        data = {"attempt": token, **form_answers(app, token, chosen)}
        assert client.post(f"/courses/{SLUG}/quiz/", data=data).status_code == 303
    trainer = learners.register(identifier="0912 345 678")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "set-role", "0912345678", "trainer"]).exit_code == 0
    return app, trainer


def test_discrimination_by_hand():
    # 10 attempts, k = 3; ranked by the other questions' score: upper right 2 of 3, lower 1 of 3
    results = [(1.0, True), (1.0, True), (1.0, False), (0.67, True), (0.67, False),
               (0.33, True), (0.33, False), (0.0, True), (0.0, False), (0.0, False)]
    assert discrimination_index(results) == pytest.approx(1 / 3)
    assert discrimination_index([(1.0, False), (0.0, True)]) == -1  # the weak do better
    assert discrimination_index([(1.0, True)]) is None  # one attempt tells nothing
    # 27% of 37 is 9.99: groups of 10
    ranked = [(1 - n / 37, n < 10) for n in range(37)]
    assert discrimination_index(ranked) == 1


def test_the_question_page_shows_facility_discrimination_blanks_and_shares(analysed):
    app, trainer = analysed
    response = trainer.get(f"/admin/questions/{SLUG}/1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    figures = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Đúng (độ dễ) 50% (5 trên 10)" in figures
    assert "Độ phân biệt (D) 0,33 (phân biệt tốt)" in figures
    assert "Bỏ trống 1" in figures
    shares = re.findall(r"được chọn (\d+)%", figures)
    assert shares == ["20", "50", "10", "10"]  # options 0-3, in the quiz file's order
    assert figures.count("(đáp án đúng)") == 1
    assert "Mới có 10 lượt làm bài gặp câu này: dưới 30 lượt, các số liệu chưa đáng tin." \
        in figures


def test_one_question_per_page_with_the_next_hardest_a_link_away(analysed):
    _app, trainer = analysed
    index = trainer.get(f"/admin/questions/{SLUG}/").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(rf'href="/admin/questions/{SLUG}/(\d+)"', index)]
    assert sorted(numbers) == [1, 2, 3, 4]
    page = trainer.get(f"/admin/questions/{SLUG}/{numbers[0]}").get_data(as_text=True)
    assert page.count('<ol class="option-shares">') == 1
    assert f'href="/admin/questions/{SLUG}/{numbers[1]}" rel="next"' in page
    assert 'rel="prev"' not in page
    assert trainer.get(f"/admin/questions/{SLUG}/99").status_code == 404
    assert trainer.get("/admin/questions/no-such-course/").status_code == 404


def test_the_index_warns_about_few_attempts_and_lists_blanks(analysed):
    _app, trainer = analysed
    index = trainer.get(f"/admin/questions/{SLUG}/").get_data(as_text=True)
    assert index.count("<strong>dưới 30 lượt</strong>") == 4  # every question: 10 attempts each
    assert "1 lượt bỏ trống" in index
    listing = trainer.get("/admin/questions/").get_data(as_text=True)
    assert "10 lượt làm bài" in listing


def test_the_pages_read_the_attempts_in_one_query(analysed):
    app, trainer = analysed
    statements = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for path in (f"/admin/questions/{SLUG}/", f"/admin/questions/{SLUG}/1",
                     f"/admin/questions/{SLUG}.csv", "/admin/questions/"):
            statements.clear()
            assert trainer.get(path).status_code == 200
            assert sum("quiz_attempts" in s for s in statements) == 1, path
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_csv_export_in_the_readers_language(analysed):
    _app, trainer = analysed
    response = trainer.get(f"/admin/questions/{SLUG}.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:7] == ["Câu số", "Câu hỏi", "Bài", "Số lượt", "Đúng (%)",
                           "Độ phân biệt (D)", "Bỏ trống"]
    first = [row for row in rows[1:] if row[0] == "1"]
    assert len(first) == 4  # one row per option
    today = day_month_year(clock.vietnam_date(clock.now()))  # exports write dd/mm/yyyy
    assert first[1][3:] == ["10", "50", "0.33", "1", "có", first[1][8], "có", "50", today, today]
    english = trainer.get(f"/admin/questions/{SLUG}.csv?lang=en").get_data(as_text=True)
    assert english.lstrip("\ufeff").startswith("Question no.,Question,Lesson,Attempts")
    assert english.rstrip().endswith(",".join([today] * 2))


def test_only_trainers_and_administrators_see_the_statistics(client, learners):
    learners.register(client)
    for path in ("/admin/questions/", f"/admin/questions/{SLUG}/", f"/admin/questions/{SLUG}/1",
                 f"/admin/questions/{SLUG}.csv"):
        assert client.get(path).status_code == 403, path
