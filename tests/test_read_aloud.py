"""Lessons and quiz questions read aloud: paragraphs (and options) as the page shows them,
recorded by espeak-ng into small Opus files by `flask content audio`, served for read-aloud.js,
made again only where text changed; a question's recording never says or hints at its answer."""
import html
import re
import shutil

import pytest

from lms.content import load_catalog
from lms.services import read_aloud
from tests.conftest import Learners, skip_or_fail
from tests.content.trees import LESSON_1, QUIZ, QUIZ_EN, valid_tree

LESSON = "/courses/sample/first"
QUIZ_PAGE = "/courses/sample/quiz/"
MULTIPLE = "Việc nào bảo vệ điện thoại?"
SCENARIO = "Bạn nhận được tin nhắn này. Bạn làm gì?"


def quiz_tree(vi: str = QUIZ, en: str = QUIZ_EN) -> dict[str, str]:
    """The valid tree, every question of its quiz drawn in each attempt."""
    every = "questions_per_attempt: 3"
    return {**valid_tree(), "quizzes/sample.md": vi.replace("questions_per_attempt: 2", every),
            "quizzes/sample.en.md": en.replace("questions_per_attempt: 2", every)}


def clips_on(page: str) -> list[dict]:
    """Each question on a quiz page as read-aloud.js plays it without a voice: for its prompt,
    then for each of its other blocks in the page's order, (the words the block shows, the name
    of the clip it carries); and the clip of the plain player shown without JavaScript."""
    questions = []
    for fieldset in re.findall(r'<fieldset class="question".*?</fieldset>', page, re.S):
        legend = re.search(r'<legend data-clips="([^"]*)">(.*?)</legend>', fieldset, re.S)
        prompt = list(zip(read_aloud.paragraphs(legend.group(2)), legend.group(1).split(" "),
                          strict=True))
        blocks = [(" ".join(html.unescape(re.sub("<[^>]+>", "", shown)).split()), clip)
                  for clip, shown in re.findall(
                      r'<(?:p class="hint"|label class="option" data-listen) data-clips="([^"]*)">'
                      r'(.*?)</(?:p|label)>', fieldset, re.S)]
        audio = re.search(r'<noscript><audio controls preload="none" src="([^"]+)"', fieldset)
        questions.append({"prompt": [(text, url.rsplit("/", 1)[1]) for text, url in prompt],
                          "blocks": [(text, url.rsplit("/", 1)[1]) for text, url in blocks],
                          "audio": audio.group(1).rsplit("/", 1)[1]})
    return questions


def explanations(catalog, language: str) -> list[str]:
    return [text for question in catalog.course("sample").quiz.questions
            for text in read_aloud.paragraphs(question.texts.get(language).explanation_html)]


def test_paragraphs_are_the_innermost_blocks_in_order():
    html = ("<h1>Tiêu đề &amp; bài</h1><p>Một <strong>hai</strong>.</p>"
            "<ul><li><p>Ba</p></li><li>Bốn</li></ul><div><p> Năm \n sáu </p></div><p></p>")
    assert read_aloud.paragraphs(html) == ["Tiêu đề & bài", "Một hai.", "Ba", "Bốn", "Năm sáu"]


def test_file_names_follow_the_words_and_are_checked():
    name = read_aloud.file_name("vi", "Xin chào.")
    assert name == read_aloud.file_name("vi", "Xin chào.") != read_aloud.file_name("en", "Xin chào.")
    assert read_aloud.is_file_name(name)
    for junk in ("../secret_key", name.replace(".opus", ".wav"), "x" * 24 + ".opus", ""):
        assert not read_aloud.is_file_name(junk)


def test_a_question_is_read_as_shown_and_never_its_answer(make_app, content_tree):
    catalog = load_catalog(content_tree(quiz_tree()))
    quiz = catalog.course("sample").quiz
    with make_app(LMS_CATALOG=catalog).app_context():
        true_false, scenario, multiple = (read_aloud.question_reading(q, "vi")
                                          for q in quiz.questions)
        english = read_aloud.question_reading(quiz.questions[2], "en")
        spoken = {text for question in quiz.questions for language in ("vi", "en")
                  for _, text in read_aloud.question_reading(question, language).spoken()}
    assert true_false == read_aloud.QuestionReading(
        "vi", ("Chatbot luôn trả lời đúng.",), None, "vi", ("Đúng", "Sai"))
    assert scenario.prompt == (SCENARIO, '"Tài khoản bị khoá, bấm vi-du.top"')
    assert scenario.whole_prompt == f'{SCENARIO} "Tài khoản bị khoá, bấm vi-du.top"'
    assert multiple.prompt == (MULTIPLE,) and multiple.hint == "Chọn tất cả các đáp án đúng."
    assert multiple.options == ("Khoá màn hình", "Cập nhật phần mềm", "Cài ứng dụng từ link lạ",
                                "Tắt cập nhật")
    assert english.language == "en" and english.hint == "Choose every right answer."
    assert english.options[0] == "A screen lock"
    assert spoken and not spoken & set(explanations(catalog, "vi") + explanations(catalog, "en"))


def test_moving_the_right_answer_changes_no_clip(make_app, content_tree):
    """A clip is named and made from the words alone: which option is right, and the
    explanation, change nothing a learner's phone can fetch or measure."""
    root = content_tree(quiz_tree())
    before = load_catalog(root)
    moved = (QUIZ.replace("- [x] Gọi tổng đài", "- [ ] Gọi tổng đài")
             .replace("- [ ] Bấm link", "- [x] Bấm link")
             .replace("Ngân hàng không gửi link mở khoá.", "Giải thích khác hẳn."))
    moved_en = (QUIZ_EN.replace("- [x] Call the number", "- [ ] Call the number")
                .replace("- [ ] Tap the link", "- [x] Tap the link")
                .replace("Banks do not send unlock links.", "Another explanation."))
    content_tree({name: quiz_tree(moved, moved_en)[name]
                  for name in ("quizzes/sample.md", "quizzes/sample.en.md")})
    after = load_catalog(root)
    assert before.course("sample").quiz.questions[1].correct != \
        after.course("sample").quiz.questions[1].correct
    assert after.course("sample").quiz.questions[1].texts.has("en")
    with make_app(LMS_CATALOG=before).app_context():
        readings = [[read_aloud.question_reading(q, language)
                     for q in catalog.course("sample").quiz.questions for language in ("vi", "en")]
                    for catalog in (before, after)]
    assert readings[0] == readings[1]  # the same words, so the same clips


def test_an_untranslated_question_is_read_in_its_own_language(make_app, content_tree):
    tree = quiz_tree()
    del tree["quizzes/sample.en.md"]
    catalog = load_catalog(content_tree(tree))
    with make_app(LMS_CATALOG=catalog).app_context():
        reading = read_aloud.question_reading(catalog.course("sample").quiz.questions[2], "en")
    assert reading.language == "vi" and reading.prompt == (MULTIPLE,)
    assert reading.hint_language == "en" and reading.hint == "Choose every right answer."
    assert (("vi", MULTIPLE) in reading.spoken() and
            ("en", "Choose every right answer.") in reading.spoken())


@pytest.fixture
def audio_tools():
    if not (shutil.which("espeak-ng") and shutil.which("opusenc")):
        skip_or_fail("espeak-ng or opusenc missing: apt-get install espeak-ng opus-tools")


def test_flask_content_audio_records_each_lesson_once(audio_tools, make_app, content_tree,
                                                      tmp_path):
    root = content_tree(valid_tree())
    app = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(root), LMS_CONTENT_RELOAD=True,
                   LMS_AUDIO_DIR=str(tmp_path / "audio"))
    client = app.test_client()
    assert client.get(f"{LESSON}/audio.vi.json").status_code == 404  # not made yet
    result = app.test_cli_runner().invoke(args=["content", "audio", "--course", "sample"])
    assert result.exit_code == 0, result.output
    assert "sample/first (vi): 2 paragraphs, 2 new" in result.output
    files = client.get(f"{LESSON}/audio.vi.json").get_json()["files"]
    assert len(files) == 2
    with client.get(files[0]) as sound:
        assert sound.mimetype == "audio/ogg" and sound.data[:4] == b"OggS"
        assert b"OpusHead" in sound.data[:100]
        assert sound.cache_control.max_age >= 365 * 24 * 3600
        assert 1000 < len(sound.data) < 20_000  # "Bài một", at 16 kbit/s
    assert client.get(f"{LESSON}/audio.en.json").status_code == 200
    assert client.get(f"{LESSON}/audio.fr.json").status_code == 404
    assert client.get("/audio/..%2Fsecret_key").status_code == 404

    again = app.test_cli_runner().invoke(args=["content", "audio"])
    assert "sample/first (vi): 2 paragraphs, 0 new" in again.output
    # An edited lesson's old recording is not offered for its new words.
    (root / "courses/sample/01-first.md").write_text(LESSON_1.replace("Xin chào.", "Chào bạn."),
                                                     encoding="utf-8")
    course = load_catalog(root).course("sample")
    assert read_aloud.lesson_audio_files(tmp_path / "audio", course, course.lessons[0],
                                         "vi") is None
    assert read_aloud.lesson_audio_files(tmp_path / "audio", course, course.lessons[1],
                                         "vi") is not None


def test_flask_content_audio_records_each_question_as_its_page_shows_it(
        audio_tools, make_app, content_tree, tmp_path):
    catalog = load_catalog(content_tree(quiz_tree()))
    folder = tmp_path / "audio"
    app = make_app(LMS_CATALOG=catalog, LMS_AUDIO_DIR=str(folder))
    client = Learners(app).register()
    client.set_cookie("quiz_layout", "all")
    before = client.get(QUIZ_PAGE).get_data(as_text=True)
    assert "data-clips" not in before and "<audio" not in before  # nothing recorded yet
    result = app.test_cli_runner().invoke(args=["content", "audio", "--course", "sample"])
    assert result.exit_code == 0, result.output
    # Per question: its prompt's paragraphs, the prompt whole (the same file when it is one
    # paragraph), each option, and the hint once for the quiz.
    assert "sample/quiz (vi): 3 questions, 15 clips, 15 new" in result.output
    assert "sample/quiz (en): 3 questions, 15 clips, 15 new" in result.output
    for language in ("en", "vi"):
        client.get(f"/language/{language}")
        shown = clips_on(client.get(QUIZ_PAGE).get_data(as_text=True))
        # true/false: 1 + 2 blocks; the message: 2 + 3; several right: 1 + the hint + 4
        assert sorted((len(q["prompt"]), len(q["blocks"])) for q in shown) == [(1, 2), (1, 5),
                                                                              (2, 3)]
        for question in shown:
            for text, name in question["prompt"] + question["blocks"]:
                assert name == read_aloud.file_name(language, text)  # says what it shows
                with client.get(f"/audio/{name}") as sound:
                    assert sound.status_code == 200 and sound.data[:4] == b"OggS"
            assert question["audio"] == read_aloud.file_name(
                language, " ".join(text for text, _ in question["prompt"]))
        named = {name for q in shown for _, name in q["prompt"] + q["blocks"]}
        never = {read_aloud.file_name(language, text) for text in explanations(catalog, language)}
        assert never and not never & named
        assert not any((folder / name).exists() for name in never)  # never even recorded

    # Served to a signed-in learner as to anyone: shared, kept a year, its name its version,
    # and no file time (which would tell the order the options were recorded in).
    name = shown[0]["blocks"][0][1]
    with client.get(f"/audio/{name}") as sound:
        assert sound.mimetype == "audio/ogg" and sound.cache_control.max_age >= 365 * 24 * 3600
        assert not sound.cache_control.no_store and "Last-Modified" not in sound.headers
        assert sound.headers["ETag"] == f'"{name.partition(".")[0]}"'
    with client.get(f"/audio/{name}", headers={"If-None-Match": sound.headers["ETag"]}) as kept:
        assert kept.status_code == 304
    with client.get(f"/audio/{name}", headers={"Range": "bytes=0-99"}) as part:  # seeking
        assert part.status_code == 206 and len(part.data) == 100

    again = app.test_cli_runner().invoke(args=["content", "audio", "--course", "sample"])
    assert "sample/quiz (vi): 3 questions, 15 clips, 0 new" in again.output
    # One option's clip lost: that question offers no recording at all, the others still do.
    with app.app_context():
        multiple = read_aloud.question_reading(catalog.course("sample").quiz.questions[2], "vi")
    offered = r'data-clips="[^"]*">\s*<input[^>]*>\s*<span>Tắt cập nhật'
    assert re.search(offered, client.get(QUIZ_PAGE).get_data(as_text=True))
    (folder / read_aloud.file_name("vi", multiple.options[3])).unlink()
    shown = client.get(QUIZ_PAGE).get_data(as_text=True)
    assert shown.count("<noscript><audio") == 2 and MULTIPLE in shown
    assert not re.search(offered, shown)


def test_the_command_says_what_to_install(make_app, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = make_app().test_cli_runner().invoke(args=["content", "audio", "--course", "ai-basics"])
    assert result.exit_code == 1 and "apt-get install espeak-ng opus-tools" in result.output
