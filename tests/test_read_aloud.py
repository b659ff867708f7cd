"""Lessons read aloud: paragraphs as the page shows them, recorded by espeak-ng into small Opus
files by `flask content audio`, served for read-aloud.js, made again only where text changed."""
import shutil

import pytest

from lms.content import load_catalog
from lms.services import read_aloud
from tests.conftest import skip_or_fail
from tests.content.trees import LESSON_1, valid_tree

LESSON = "/courses/sample/first"


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


def test_the_command_says_what_to_install(make_app, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = make_app().test_cli_runner().invoke(args=["content", "audio", "--course", "ai-basics"])
    assert result.exit_code == 1 and "apt-get install espeak-ng opus-tools" in result.output
