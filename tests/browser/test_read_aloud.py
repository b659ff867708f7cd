"""Read aloud on a phone: the button comes with JavaScript only; without a voice of the phone's
own for the language, the recorded reading plays, each paragraph highlighted as it is read."""
import shutil

import pytest

from lms.content import load_catalog
from lms.services import read_aloud
from tests.conftest import skip_or_fail
from tests.content.trees import valid_tree

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app_settings(content_tree, tmp_path):
    if not (shutil.which("espeak-ng") and shutil.which("opusenc")):
        skip_or_fail("espeak-ng or opusenc missing: apt-get install espeak-ng opus-tools")
    catalog = load_catalog(content_tree(valid_tree()))
    read_aloud.make_course_audio(catalog.course("sample"), tmp_path / "audio", languages=("vi",))
    return {"LMS_CATALOG": catalog, "LMS_AUDIO_DIR": str(tmp_path / "audio")}


def test_a_lesson_is_read_paragraph_by_paragraph(live_server, phone_page, browser,
                                                 assert_accessible, screenshot):
    page = phone_page
    page.goto(f"{live_server}/courses/sample/second/")
    listen = page.get_by_role("button", name="Nghe đọc")
    listen.wait_for()
    if page.evaluate("speechSynthesis.getVoices().some(v => v.lang.startsWith('vi'))"):
        pytest.skip("this Chromium has a Vietnamese voice: the recorded reading is not used")
    listen.click()
    reading = page.locator(".prose .reading")
    reading.wait_for()
    assert reading.inner_text() == "Bài hai"
    assert page.get_by_role("button", name="Tạm dừng").is_visible()
    page.get_by_role("button", name="Tốc độ 1×").click()
    assert page.get_by_role("button", name="Tốc độ 1,25×").is_visible()
    page.wait_for_function(
        "document.querySelector('.prose .reading') && "
        "document.querySelector('.prose .reading').textContent.includes('Nội dung bài hai')",
        timeout=15000)
    assert_accessible(page)
    screenshot(page, "read-aloud-phone")
    page.get_by_role("button", name="Tạm dừng").click()
    assert page.get_by_role("button", name="Nghe tiếp").is_visible()

    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{live_server}/courses/sample/second/")
        assert plain.get_by_role("button", name="Nghe đọc").count() == 0
    finally:
        context.close()
