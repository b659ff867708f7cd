"""A quiz read aloud on a phone with no speech synthesis at all: the recorded clips play block
by block in the order this attempt shows the options, each highlighted as it is read; an
option can be heard alone; without JavaScript each question has a plain player."""
import shutil

import pytest

from lms.content import load_catalog
from lms.services import read_aloud
from tests.conftest import skip_or_fail
from tests.content.trees import valid_tree

pytestmark = pytest.mark.browser

QUIZ = "/courses/sample/quiz/"
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"
# Notes each sound the page plays (a clip heard twice comes from the cache, with no request).
PLAYS = """window.played = []; (function (play) {
  HTMLMediaElement.prototype.play = function () {
    window.played.push(this.src);
    return play.call(this);
  };
})(HTMLMediaElement.prototype.play);"""


@pytest.fixture
def live_app_settings(content_tree, tmp_path):
    if not (shutil.which("espeak-ng") and shutil.which("opusenc")):
        skip_or_fail("espeak-ng or opusenc missing: apt-get install espeak-ng opus-tools")
    tree = valid_tree()
    for name in ("quizzes/sample.md", "quizzes/sample.en.md"):  # every question, each attempt
        tree[name] = tree[name].replace("questions_per_attempt: 2", "questions_per_attempt: 3")
    return {"LMS_CATALOG": load_catalog(content_tree(tree)), "LMS_AUDIO_DIR": str(tmp_path / "a")}


def played(page) -> list[str]:
    """The clips the page has started playing, by name (PLAYS keeps them)."""
    return [url.rsplit("/", 1)[1] for url in page.evaluate("window.played")]


def test_a_question_is_played_from_its_clips_in_the_order_shown(
        live_app, live_server, phone_page, browser, sign_up, assert_accessible, screenshot):
    result = live_app.test_cli_runner().invoke(args=["content", "audio", "--course", "sample"])
    assert result.exit_code == 0, result.output
    page = phone_page
    page.add_init_script(NO_SPEECH)
    page.add_init_script(PLAYS)
    page.goto(f"{live_server}/register?next={QUIZ}")
    sign_up(page, "0912 345 678", "Nguyễn Thị Dung", "con mèo ngủ trên mái nhà")
    # The question where several options are right: its prompt, the hint, four shuffled options.
    for number in (1, 2, 3):
        page.goto(f"{live_server}{QUIZ}?q={number}")
        if page.locator("form.quiz .hint").count():
            break
    assert page.evaluate("window.speechSynthesis") is None
    listen = page.get_by_role("button", name="Nghe đọc", exact=True)
    listen.wait_for()
    blocks = page.locator("form.quiz legend p, form.quiz .hint, form.quiz label.option")
    words = [" ".join(text.split()) for text in blocks.all_inner_texts()]
    assert len(words) == 6
    # The clips the page carries say exactly what each block shows, in the shown order.
    expected = [read_aloud.file_name("vi", text) for text in words]
    carried = " ".join(page.locator("form.quiz [data-clips]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.clips)")).split(" ")
    assert [url.rsplit("/", 1)[1] for url in carried] == expected

    listen.click()
    reading = page.locator("form.quiz .reading")
    reading.wait_for()
    assert " ".join(reading.inner_text().split()) == words[0]
    assert page.get_by_role("button", name="Tạm dừng").is_visible()
    page.wait_for_function("document.querySelector('form.quiz .reading.hint')", timeout=15000)
    assert_accessible(page)
    screenshot(page, "quiz-read-aloud-phone")
    # Read through to the last option, each block in turn, then stopped.
    listen.wait_for(timeout=40000)
    assert reading.count() == 0
    assert played(page) == expected

    # One option alone, from its own button: that option's clip, nothing else.
    page.evaluate("window.played = []")
    options = page.locator("form.quiz .listen-row")
    assert options.count() == 4
    options.nth(2).get_by_role("button", name="Nghe đọc đáp án này").click()
    page.locator("form.quiz label.option.reading").wait_for()
    assert " ".join(reading.inner_text().split()) == words[4]
    listen.wait_for(timeout=15000)
    assert played(page) == [expected[4]]
    assert not page.locator("form.quiz input:checked").count()  # hearing it ticks nothing

    # Every question on one page: each has its own button.
    page.goto(f"{live_server}/quiz-layout/all?next={QUIZ}")
    page.get_by_role("button", name="Nghe đọc câu hỏi này").first.wait_for()
    assert page.get_by_role("button", name="Nghe đọc câu hỏi này").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    screenshot(page, "quiz-read-aloud-all-phone")

    plain = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 640},
                                storage_state=page.context.storage_state())
    try:
        without = plain.new_page()
        without.goto(f"{live_server}{QUIZ}")
        players = without.locator("form.quiz audio[controls]")
        assert players.count() == 3 and players.first.is_visible()
        assert without.get_by_role("button", name="Nghe đọc câu hỏi này").count() == 0
        clip = without.request.get(live_server + players.first.get_attribute("src"))
        assert clip.ok and clip.headers["content-type"] == "audio/ogg"
        screenshot(without, "quiz-no-javascript-phone")
    finally:
        plain.close()
