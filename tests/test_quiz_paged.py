"""One question per screen (the default), the review of blanks before submitting, and answers
kept on the server as the learner moves, even when the session ends; all without JavaScript."""
import re
from dataclasses import replace

from lms.extensions import db
from lms.services import record
from tests.conftest import form_answers

SLUG = "ai-basics"
QUIZ = f"/courses/{SLUG}/quiz/"


def on_screen(page: str) -> tuple[str, list[str]]:
    """The attempt token and the question keys this page shows."""
    token = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    return token, list(dict.fromkeys(re.findall(r'name="q-([0-9a-f]+)"', page)))


def right(client, token, catalog, key) -> list[str]:
    """The right options' places on the question's page."""
    correct = sorted(catalog.course(SLUG).quiz.question(key).correct)
    return form_answers(client.application, token, {key: correct})[f"q-{key}"]


def go(client, token, key, picked, to):
    return client.post(f"{QUIZ}save", data={"attempt": token, "shown": key, f"q-{key}": picked,
                                            "go": to})


def test_the_quiz_shows_one_question_per_screen_with_its_number(client, learners):
    learners.register(client)
    page = client.get(QUIZ).get_data(as_text=True)
    token, keys = on_screen(page)
    assert len(keys) == 1 and "Câu 1/10" in page and "Đã trả lời 0/10 câu" in page
    assert "Câu tiếp theo" in page and "Câu trước" not in page
    last = client.get(f"{QUIZ}?q=10").get_data(as_text=True)
    assert "Câu 10/10" in last and "Câu trước" in last and "Câu tiếp theo" not in last
    assert on_screen(last)[0] == token and on_screen(last)[1] != keys
    for junk in ("abc", "0", "999", "²", "9" * 5000):  # junk numbers show a real question, never an error
        response = client.get(QUIZ, query_string={"q": junk})
        assert response.status_code == 200 and len(on_screen(response.get_data(as_text=True))[1]) == 1


def test_answers_are_saved_as_the_learner_moves_and_shown_again(client, learners, bundled_catalog):
    learners.register(client)
    token, [first] = on_screen(client.get(QUIZ).get_data(as_text=True))
    response = go(client, token, first, right(client, token, bundled_catalog, first), "2")
    assert response.status_code == 303 and response.headers["Location"] == f"{QUIZ}?q=2"
    second = client.get(f"{QUIZ}?q=2").get_data(as_text=True)
    assert "Câu 2/10" in second and "Đã trả lời 1/10 câu" in second
    back = client.get(f"{QUIZ}?q=1").get_data(as_text=True)
    for value in right(client, token, bundled_catalog, first):
        assert f'name="q-{first}" value="{value}" checked' in back
    go(client, token, first, ["99", *map(str, range(5000))], "1")  # forged: real options only
    assert len(re.findall(r" checked", client.get(f"{QUIZ}?q=1").get_data(as_text=True))) <= 6
    go(client, token, first, [], "1")  # unticked on its page: blank again
    assert "checked" not in client.get(f"{QUIZ}?q=1").get_data(as_text=True)


def test_the_review_lists_the_blanks_then_grades_the_saved_answers(client, learners,
                                                                   bundled_catalog):
    learners.register(client)
    for lesson in bundled_catalog.course(SLUG).lessons:
        client.post(f"/courses/{SLUG}/{lesson.slug}/done")
    token, _ = on_screen(client.get(QUIZ).get_data(as_text=True))
    keys = [on_screen(client.get(f"{QUIZ}?q={n}").get_data(as_text=True))[1][0]
            for n in range(1, 11)]
    for n, key in enumerate(keys[:7], start=1):
        go(client, token, key, right(client, token, bundled_catalog, key), str(n + 1))
    review = client.get(f"{QUIZ}review").get_data(as_text=True)
    assert "Đã trả lời 7/10 câu" in review and "Còn 3 câu chưa trả lời" in review
    assert [int(n) for n in re.findall(r'href="/courses/ai-basics/quiz/\?q=(\d+)">Câu', review)] \
        == [8, 9, 10]
    # The blanks are answered from the review's links; the last step goes back to the review.
    for n, key in enumerate(keys[7:], start=8):
        response = go(client, token, key, right(client, token, bundled_catalog, key), "review")
    assert response.headers["Location"] == f"{QUIZ}review"
    assert "Mọi câu đều đã có câu trả lời" in client.get(f"{QUIZ}review").get_data(as_text=True)
    graded = client.post(QUIZ, data={"attempt": token})  # the review's button sends the token alone
    result = client.get(graded.headers["Location"]).get_data(as_text=True)
    assert "100%" in result
    again = client.post(QUIZ, data={"attempt": token})
    assert again.status_code == 409  # graded once


def test_answers_are_kept_when_the_session_ends_while_answering(client, learners,
                                                                bundled_catalog):
    learners.register(client, identifier="0912 111 222")
    token, [first] = on_screen(client.get(QUIZ).get_data(as_text=True))
    go(client, token, first, right(client, token, bundled_catalog, first), "2")
    _, [second] = on_screen(client.get(f"{QUIZ}?q=2").get_data(as_text=True))
    client.post("/logout")  # the session ends (here signed out; or it expired)
    kept = go(client, token, second, right(client, token, bundled_catalog, second), "3")
    assert kept.status_code == 303 and "/login?next=" in kept.headers["Location"]
    assert "Câu trả lời của bạn vẫn được giữ" in client.get(kept.headers["Location"]).get_data(
        as_text=True)
    submitted = client.post(QUIZ, data={"attempt": token})  # nor is a submit lost: kept, not graded
    assert submitted.status_code == 303 and "/login?next=" in submitted.headers["Location"]
    learners.login(client, "0912 111 222")
    page = client.get(f"{QUIZ}?q=3").get_data(as_text=True)
    assert "Đã trả lời 2/10 câu" in page and on_screen(page)[0] == token
    assert "Đã trả lời 2/10 câu" in client.get(f"{QUIZ}review").get_data(as_text=True)


def test_a_graded_attempt_takes_no_more_saved_answers(client, learners):
    learners.register(client)
    token, [first] = on_screen(client.get(QUIZ).get_data(as_text=True))
    client.post(QUIZ, data={"attempt": token})
    assert go(client, token, first, ["0"], "2").status_code == 409
    assert go(client, "not-a-token", first, ["0"], "2").status_code == 409


def test_the_layout_choice_is_remembered_on_the_device(client, learners):
    learners.register(client)
    switch = client.get("/quiz-layout/all", query_string={"next": QUIZ})
    assert switch.status_code == 302 and switch.headers["Location"] == QUIZ
    assert "quiz_layout=all" in switch.headers["Set-Cookie"]
    page = client.get(QUIZ).get_data(as_text=True)
    assert len(on_screen(page)[1]) == 10 and "Một câu mỗi màn hình" in page
    client.get("/quiz-layout/paged")
    assert len(on_screen(client.get(QUIZ).get_data(as_text=True))[1]) == 1
    assert client.get("/quiz-layout/sideways").status_code == 404
    assert client.get("/quiz-layout/all", query_string={"next": "//evil.example/"}) \
        .headers["Location"] == "/"


def test_a_mark_sent_again_from_an_offline_queue_counts_once(make_app, learners, bundled_catalog,
                                                             clock):
    # A course without a quiz, where marking a done lesson again dates the mark anew.
    catalog = replace(bundled_catalog, courses=tuple(
        replace(c, quiz=None) if c.slug == SLUG else c for c in bundled_catalog.courses))
    app = make_app(LMS_CATALOG=catalog)
    learners.app = app
    client = learners.register()
    lesson = catalog.course(SLUG).lessons[0]

    def last_mark():
        with app.app_context():
            user = db.session.query(record.User).one()
            return record.course_record(db.session, user.id, catalog.course(SLUG)).last_lesson_at
    url = f"/courses/{SLUG}/{lesson.slug}/done"
    client.post(url, data={"action": "k-1"})
    first = last_mark()
    clock.advance(hours=3)
    assert client.post(url, data={"action": "k-1"}).status_code == 302  # the resend
    assert last_mark() == first
    client.post(url, data={"action": "k-2"})  # a new mark, made later
    assert last_mark() > first
