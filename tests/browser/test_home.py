"""The home page on a cheap phone and on an office desktop: readable, no sideways scroll, accessible."""
import pytest

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": 360, "desktop": 1280}


@pytest.fixture(params=sorted(VIEWPORTS))
def home(request, live_server):
    page = request.getfixturevalue(f"{request.param}_page")
    response = page.goto(live_server + "/")
    assert response is not None and response.status == 200
    return request.param, page


def test_home_is_in_vietnamese(home):
    _, page = home
    assert page.locator("html").get_attribute("lang") == "vi"


def test_home_shows_every_course_title(home, bundled_catalog):
    _, page = home
    titles = [course.texts.get("vi").title for course in bundled_catalog.courses]
    assert len(titles) == 3
    hidden = [title for title in titles
              if not page.get_by_role("heading", name=title, exact=True).is_visible()]
    assert hidden == []


def test_home_does_not_scroll_sideways(home, screenshot):
    viewport, page = home
    screenshot(page, f"home-{viewport}")  # to look at the layout, whatever the assertion says
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]


def test_home_text_is_at_least_18px(home):
    _, page = home
    sizes = page.evaluate("""() => [document.documentElement, document.body]
        .map(element => parseFloat(getComputedStyle(element).fontSize))""")
    assert min(sizes) >= 18


def test_home_has_no_serious_accessibility_violations(home, assert_accessible):
    _, page = home
    assert_accessible(page)


def test_the_accessibility_check_fails_on_a_serious_violation(phone_page, assert_accessible):
    phone_page.set_content('<!doctype html><html lang="vi"><title>t</title>'
                           '<main><img src="data:,"></main></html>')
    with pytest.raises(pytest.fail.Exception, match=r"image-alt \(critical\)"):
        assert_accessible(phone_page)
