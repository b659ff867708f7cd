"""Browser fixtures: the app over real HTTP, Debian's Chromium through Playwright, axe-core checks."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.config import REPOSITORY_ROOT
from lms.extensions import db
from tests.conftest import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPOSITORY_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# axe's impact levels, mildest first; "serious" and "critical" block a page.
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture
def live_app_settings() -> dict:
    """Settings over the live app's defaults; override this fixture in a test module to change them."""
    return {}


@pytest.fixture
def live_app(tmp_path, monkeypatch, bundled_catalog, live_app_settings):
    """The app live_server serves, on its own SQLite file; use it to seed users and records.

    CSRF stays on: the browser submits real forms, with the token the page gives it.
    """
    instance = tmp_path / "live-instance"
    monkeypatch.setenv("LMS_INSTANCE_DIR", str(instance))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'lms.sqlite3'}",
        "LMS_AUTO_MIGRATE": True,
        "LMS_CATALOG": bundled_catalog,
        **live_app_settings,
    })
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """Serves live_app over HTTP on 127.0.0.1 and a free port, in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    # A short poll interval makes shutdown() return in milliseconds instead of half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live_server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, once per session (Playwright never downloads a browser here)."""
    if not CHROMIUM.exists():
        skip_or_fail("Chromium not installed: apt-get install -y chromium")
    if not AXE.exists():
        skip_or_fail("axe-core not installed: npm install")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail('Playwright not installed: pip install -e ".[test]"')
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser, **options):
    # bypass_csp lets the tests inject axe-core into pages whose CSP forbids inline scripts.
    context = browser.new_context(locale="vi-VN", bypass_csp=True, **options)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone_page(browser):
    """A cheap Android phone: 360x640 CSS pixels, touch, Vietnamese."""
    yield from _page(browser, viewport={"width": 360, "height": 640}, device_scale_factor=2,
                     is_mobile=True, has_touch=True)


@pytest.fixture
def js_off_page(browser):
    """A cheap Android phone with JavaScript off: 360x640, Vietnamese. Pages must work so."""
    context = browser.new_context(locale="vi-VN", bypass_csp=True, java_script_enabled=False,
                                  viewport={"width": 360, "height": 640}, device_scale_factor=1)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def desktop_page(browser):
    """An office desktop: 1280x800, Vietnamese."""
    yield from _page(browser, viewport={"width": 1280, "height": 800})


def _assert_accessible(page) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = []
        for violation in blocking:
            targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            more = len(violation["nodes"]) - len(targets)
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}; "
                         f"at {'; '.join(targets)}" + (f" and {more} more" if more > 0 else ""))
        pytest.fail(f"{page.url}: {len(blocking)} serious/critical accessibility violations:\n"
                    + "\n".join(lines), pytrace=False)


@pytest.fixture(scope="session")
def assert_accessible():
    """assert_accessible(page) runs axe-core on the page; every serious or critical violation fails."""
    return _assert_accessible


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("LMS_SCREENSHOT_DIR")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(screenshot_dir):
    """screenshot(page, "home-phone") saves a full-page PNG and returns its path."""
    def take(page, name: str) -> Path:
        path = screenshot_dir / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def fill_sign_up(page, identifier: str, name: str, password: str, birth_year: str = "") -> None:
    """Fills the sign-up form as a person does, JavaScript or not: the province, then "show
    its communes", then a commune, the password and the consent box; does not submit."""
    page.fill("#identifier", identifier)
    page.fill("#full_name", name)
    if birth_year:
        page.fill("#birth_year", birth_year)
    page.select_option("#province", index=1)
    page.click("#choose_province")
    page.select_option("#org_unit", index=1)
    page.fill("#password", password)
    page.check("#consent")


@pytest.fixture(scope="session")
def sign_up():
    """sign_up(page, base_url, identifier, name, password): a new account through the real
    form, past the page that confirms the number ("later"); the page ends where `next` led."""
    def run(page, identifier, name, password, button="Tạo tài khoản", later="Để sau"):
        fill_sign_up(page, identifier, name, password)
        page.get_by_role("button", name=button).click()
        page.get_by_role("link", name=re.compile(later)).click()

    return run
