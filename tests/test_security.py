"""Headers, cookies and page weight that every learner gets."""
import re
from pathlib import Path

import pytest

from lms.config import REPOSITORY_ROOT
from lms.content import load_catalog
from tests.conftest import PASSWORD, complete_through_the_record
from tests.content.trees import LESSON_1, valid_tree

LESSON_BUDGET_BYTES = 40 * 1024


@pytest.mark.parametrize("url", ["/", "/courses/ai-basics/", "/courses/ai-basics/what-is-ai/",
                                 "/login", "/register", "/nope"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_make_no_third_party_requests_and_use_no_inline_script(client, bundled_catalog):
    for lesson in bundled_catalog.course("data-security").lessons:
        page = client.get(f"/courses/data-security/{lesson.slug}/").get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page.replace(
            'href="https://', 'href="x'))  # outbound links are fine; loaded resources are not
        assert " style=" not in page
        # Scripts only from this site's files; the one inline block is data (JSON), never run.
        scripts = re.findall(r"<script[^>]*>", page)
        assert scripts and all(re.fullmatch(r'<script src="/static/[^"?]+\.js(\?v=[0-9a-f]+)?"[^>]*>', tag) or
                               tag == '<script type="application/json" id="script-texts">'
                               for tag in scripts), scripts


def test_every_lesson_page_with_its_css_fits_the_budget(client, bundled_catalog):
    css = client.get("/static/style.css")
    for course in bundled_catalog.courses:
        for lesson in course.lessons:
            for language in ("vi", "en"):
                client.get(f"/language/{language}")
                page = client.get(f"/courses/{course.slug}/{lesson.slug}/")
                total = len(page.data) + len(css.data)
                assert total <= LESSON_BUDGET_BYTES, (course.slug, lesson.slug, language, total)
    css.close()


def stylesheet_address(client) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)"',
                     client.get("/").get_data(as_text=True)).group(1)


def test_static_files_are_cached_for_a_long_time(client):
    response = client.get(stylesheet_address(client))
    assert response.cache_control.max_age >= 30 * 24 * 3600
    response.close()


def test_session_cookie_is_httponly_and_samesite_lax(client, learners):
    learners.register(client)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure(make_app, learners):
    app = make_app(SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/language/en")
    assert "Secure" in response.headers["Set-Cookie"]


def test_forms_are_refused_without_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/login", data={"identifier": "0912345678",
                                                      "password": "một câu dễ nhớ"})
    assert response.status_code == 400
    assert "Có thông tin trong biểu mẫu chưa đúng" in response.get_data(as_text=True)


def test_content_problems_page_is_for_trainers_and_administrators_only(app, client, learners):
    from lms.extensions import db
    from lms.models import User

    assert client.get("/admin/content/").status_code == 302
    learners.register(client, identifier="0912345678")
    assert client.get("/admin/content/").status_code == 403
    with app.app_context():
        db.session.query(User).one().role = "trainer"
        db.session.commit()
    page = client.get("/admin/content/")
    assert page.status_code == 200 and "Không có lỗi" in page.get_data(as_text=True)


def test_every_interface_string_has_a_vietnamese_translation():
    from babel.messages.pofile import read_po

    path = REPOSITORY_ROOT / "lms/translations/vi/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not (
        m.string if isinstance(m.string, str) else all(m.string)) or "fuzzy" in m.flags and m.id]
    assert untranslated == []
    from babel.messages.mofile import read_mo

    def pairs(messages):
        def hashable(value):
            return value if isinstance(value, str) else tuple(value)
        return {hashable(m.id): hashable(m.string) for m in messages if m.id}

    with path.with_suffix(".mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert pairs(compiled) == pairs(catalog), "run: pybabel compile -d lms/translations"


def test_forwarded_addresses_count_only_behind_a_configured_proxy(make_app, learners):
    def attempts(app, addresses):
        client = app.test_client()
        return [client.post("/login", data={"identifier": f"09{n:08d}", "password": "x" * 8},
                            headers={"X-Forwarded-For": address}).status_code
                for n, address in enumerate(addresses)]

    # 61 sign-ins from 61 learners behind one proxy: each address has its own limit.
    behind_proxy = make_app(LMS_PROXY_COUNT=1)
    assert attempts(behind_proxy, [f"10.0.{n // 250}.{n % 250}" for n in range(61)])[-1] == 200
    # Without a configured proxy the header is ignored: a spoofed address does not escape.
    direct = make_app()
    assert attempts(direct, [f"10.1.{n // 250}.{n % 250}" for n in range(61)])[-1] == 429


OUT_OF_RANGE_IDS = ["0", "00", str(2**31), str(2**63), "9" * 5000, "-1", "1.5", "١", "1e3"]


@pytest.mark.parametrize("kind", ["assignments", "targets"])
def test_ids_outside_the_database_range_are_not_found(app, learners, kind):
    manager = learners.with_role("manager")
    for number in OUT_OF_RANGE_IDS:
        for method in (manager.get, manager.post):
            response = method(f"/reports/{kind}/{number}/remove")
            assert response.status_code == 404, (number, response.status_code)
    # The largest id a row can have is still looked up: not found, and no error.
    assert manager.get(f"/reports/{kind}/{2**31 - 1}/remove").status_code == 404


def test_a_database_id_converter_round_trips_in_range(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("reports.remove_target", target_id=2**31 - 1).endswith(
            f"/{2**31 - 1}/remove")


ODD_NEXT = ["//／", "//／evil.example", "／／evil.example", "//evil.example", "///evil.example",
            "/\\evil.example", "\\\\evil.example", "https://evil.example/", "javascript:alert(1)",
            "/\t/evil.example", "/\n/evil.example", "\u2215\u2215evil.example",
            "//[", "/" + "a" * 5000, "evil.example", "%2F%2Fevil.example", " //evil.example"]


@pytest.mark.parametrize("odd", ODD_NEXT)
def test_odd_next_values_on_the_language_switch_fall_back_to_the_home_page(client, odd):
    response = client.get("/language/en", query_string={"next": odd})
    assert (response.status_code, response.headers["Location"]) == (302, "/")


PROVE = "/prove"


def test_odd_next_values_after_sign_up_and_sign_in_fall_back_to_the_learners_page(
        app, learners):
    for n, odd in enumerate(ODD_NEXT):
        client = app.test_client()
        response = client.post("/register", data={
            "identifier": f"0914 000 {n:03d}", "full_name": "Lê Văn Tám", "password": PASSWORD,
            "org_unit": learners.unit_id(), "consent": "y", "next": odd})
        # Sign-up goes on to confirming the number first; the odd next is dropped on the way.
        assert (response.status_code, response.headers["Location"]) == (302, PROVE), odd
        response = app.test_client().post("/login", data={
            "identifier": f"0914 000 {n:03d}", "password": PASSWORD, "next": odd})
        assert (response.status_code, response.headers["Location"]) == (302, "/me/"), odd


def test_a_next_path_on_this_site_is_kept(client, learners):
    learners.register(client, identifier="0912345678")
    response = client.post("/login", data={"identifier": "0912345678", "password": PASSWORD,
                                           "next": "/courses/ai-basics/?lang=en"})
    assert response.headers["Location"] == "/courses/ai-basics/?lang=en"
    response = client.get("/language/vi", query_string={"next": "/courses/ai-basics/"})
    assert response.headers["Location"] == "/courses/ai-basics/"


def test_production_tells_browsers_to_use_https_only(make_app):
    production = make_app(LMS_ENV="production").test_client().get("/")
    assert production.headers["Strict-Transport-Security"] == \
        "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in make_app().test_client().get("/").headers


def test_sign_in_and_sign_up_pages_are_never_stored(client):
    for url in ("/login", "/register", "/activate", "/language/en", "/me/", "/reports/"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url


def test_public_pages_for_anonymous_readers_keep_their_caching(client, bundled_catalog):
    course = bundled_catalog.courses[0]
    for url in ("/", f"/courses/{course.slug}/", f"/courses/{course.slug}/{course.lessons[0].slug}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in (response.headers.get("Cache-Control") or ""), url


def test_every_page_for_a_signed_in_learner_is_never_stored(app, client, learners,
                                                            bundled_catalog):
    learners.register(client, identifier="0912345678")
    course = bundled_catalog.courses[0]
    for url in ("/", "/me/", "/me/settings", "/me/data.json", f"/courses/{course.slug}/",
                f"/courses/{course.slug}/{course.lessons[0].slug}/", "/verify/", "/nope"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url
    # Files that are the same for everyone keep their long lifetimes.
    response = client.get(stylesheet_address(client))
    assert response.cache_control.max_age >= 30 * 24 * 3600
    response.close()


def test_staff_pages_are_never_stored(app, learners):
    manager = learners.with_role("manager")
    for url in ("/reports/", "/reports/assignments/", "/reports/targets/", "/admin/audit/",
                "/admin/audit.csv", "/staff/import", "/reports/units/HN-HK/people.csv"):
        response = manager.get(url)
        response.get_data()  # to the end of a streamed export, which closes its request
        assert (response.status_code, response.headers.get("Cache-Control")) == \
            (200, "no-store"), url
    trainer = learners.with_role("trainer")
    for url in ("/admin/content/", "/admin/questions/"):
        assert trainer.get(url).headers.get("Cache-Control") == "no-store", url


def test_certificate_downloads_are_never_stored(app, client, learners, bundled_catalog):
    from lms.extensions import db
    from lms.models import User
    from lms.services import clock

    learners.register(client, identifier="0912345678")
    with app.app_context():
        user = db.session.query(User).one()
        issued = complete_through_the_record(
            db.session, user, bundled_catalog, bundled_catalog.course("data-security"),
            clock.now())
        db.session.commit()
        code = next(c.code for c in issued if c.kind == "course")
    response = client.get(f"/me/certificates/{code}/vi.pdf")
    assert (response.mimetype, response.headers["Cache-Control"]) == \
        ("application/pdf", "no-store")


def test_nul_characters_are_a_bad_request_not_an_error(app, client, learners):
    manager = learners.with_role("manager")
    assert manager.get("/reports/units/HN%00/").status_code == 400
    assert manager.get("/admin/audit/", query_string={"person": "a\x00"}).status_code == 400
    response = client.post("/login", data={"identifier": "0912\x00", "password": "x" * 8})
    assert response.status_code == 400


def test_the_sqlite_file_and_instance_folder_are_private(tmp_path, monkeypatch, bundled_catalog):
    import os
    import stat

    from lms import create_app

    # The default install: no database URL, SQLite in the instance folder, a permissive umask.
    instance = tmp_path / "instance"
    monkeypatch.setenv("LMS_INSTANCE_DIR", str(instance))
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    monkeypatch.delenv("LMS_ENV", raising=False)
    old_umask = os.umask(0o022)
    try:
        app = create_app({"TESTING": True, "LMS_CATALOG": bundled_catalog})
        with app.app_context():
            from lms.extensions import db
            db.engine.dispose()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((instance / "lms.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    companions = [p for p in instance.iterdir() if p.name.startswith("lms.sqlite3-")]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in companions), companions


def test_an_existing_world_readable_sqlite_file_is_made_private(tmp_path, monkeypatch,
                                                                 bundled_catalog):
    import stat

    from lms import create_app

    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    database = instance / "lms.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)
    monkeypatch.setenv("LMS_INSTANCE_DIR", str(instance))
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    monkeypatch.delenv("LMS_ENV", raising=False)
    app = create_app({"TESTING": True, "LMS_CATALOG": bundled_catalog})
    assert app.test_client().get("/healthz").status_code == 200
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700


def test_a_form_part_without_a_name_is_not_an_error(client):
    import io

    # Found by tests/test_fuzz.py: the NUL check met a multipart part whose name is None.
    response = client.post("/verify/", data={"\n": "", "pdf": (io.BytesIO(b""), "a.pdf")})
    assert response.status_code < 500
# Course files: images inside their course folder, never through a link


def sqlite_file(database_url: str) -> Path:
    if not database_url.startswith("sqlite"):
        pytest.skip("the file a link would expose is the SQLite database")
    return Path(database_url.removeprefix("sqlite:///"))


LESSON_WITH_LINKS = LESSON_1 + "\n![Cơ sở dữ liệu](images/db.png)\n\n![Mật khẩu](images/passwd.svg)\n"


def test_symlinked_images_are_content_errors_at_their_line(app, database_url, content_tree,
                                                           runner):
    files = valid_tree()
    files["courses/sample/01-first.md"] = LESSON_WITH_LINKS
    root = content_tree(files)
    (root / "courses/sample/images/db.png").symlink_to(sqlite_file(database_url))
    (root / "courses/sample/images/passwd.svg").symlink_to("/etc/passwd")
    result = runner.invoke(args=["content", "check", "--path", str(root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for line, name in ((9, "images/db.png"), (11, "images/passwd.svg")):
        assert (f'courses/sample/01-first.md:{line}: "{name}" is a symbolic link (or inside one): '
                "put the file itself in the course folder; links could serve any file on the "
                "server") in lines


def test_symlinked_images_are_never_served(make_app, database_url, content_tree):
    files = valid_tree()
    files["courses/sample/01-first.md"] = LESSON_WITH_LINKS
    root = content_tree(files)
    (root / "courses/sample/images/db.png").symlink_to(sqlite_file(database_url))
    (root / "courses/sample/images/passwd.svg").symlink_to("/etc/passwd")
    client = make_app(LMS_CATALOG=load_catalog(root)).test_client()
    for name in ("images/db.png", "images/passwd.svg"):
        assert client.get(f"/courses/sample/files/{name}").status_code == 404


@pytest.mark.parametrize("target", ["database", "/etc/passwd"])
def test_an_image_replaced_by_a_link_after_start_is_not_served(make_app, database_url,
                                                               content_tree, target):
    root = content_tree(valid_tree())
    client = make_app(LMS_CATALOG=load_catalog(root)).test_client()
    image = root / "courses/sample/images/dot.svg"
    served = client.get("/courses/sample/files/images/dot.svg")
    assert served.status_code == 200
    served.close()
    image.unlink()
    image.symlink_to(sqlite_file(database_url) if target == "database" else target)
    response = client.get("/courses/sample/files/images/dot.svg")
    assert response.status_code == 404 and b"root:" not in response.data
    assert b"SQLite format" not in response.data


def test_an_image_in_a_linked_folder_is_not_served_either(make_app, content_tree, tmp_path):
    root = content_tree(valid_tree())
    client = make_app(LMS_CATALOG=load_catalog(root)).test_client()
    elsewhere = tmp_path / "elsewhere"
    (root / "courses/sample/images").rename(elsewhere)
    (root / "courses/sample/images").symlink_to(elsewhere)
    assert client.get("/courses/sample/files/images/dot.svg").status_code == 404


SVG_WITH_SCRIPT = ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
                   "<script>fetch('/me/')</script><circle r='4'/></svg>")


def test_an_svg_is_served_as_an_image_in_a_sandbox(make_app, content_tree):
    files = valid_tree()
    files["courses/sample/images/dot.svg"] = SVG_WITH_SCRIPT
    client = make_app(LMS_CATALOG=load_catalog(content_tree(files))).test_client()
    response = client.get("/courses/sample/files/images/dot.svg")
    assert response.status_code == 200
    assert response.headers.getlist("Content-Security-Policy") == [
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"]
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize("reference, line", [("![Trang](images/page.html)", 9),
                                             ("[Tải tệp](images/app.js)", 9),
                                             ("![Hình](images/DOT.SVG.exe)", 9)])
def test_a_file_that_is_not_an_image_is_a_content_error_and_not_served(make_app, content_tree,
                                                                       reference, line):
    files = valid_tree()
    files["courses/sample/01-first.md"] = LESSON_1 + f"\n{reference}\n"
    name = reference.split("(")[1].rstrip(")")
    files[f"courses/sample/{name}"] = "<script>alert(1)</script>"
    catalog = load_catalog(content_tree(files))
    [error] = catalog.errors
    assert (error.path, error.line) == ("courses/sample/01-first.md", line)
    assert error.message.startswith(f'"{name}" is not an image: a lesson may link to other '
                                    "lessons and show images (.png, .jpg, .jpeg, .gif, .webp, "
                                    ".svg)")
    client = make_app(LMS_CATALOG=catalog).test_client()
    assert client.get(f"/courses/sample/files/{name}").status_code == 404


def test_a_symlinked_lesson_file_is_a_content_error(content_tree):
    root = content_tree(valid_tree())
    lesson = root / "courses/sample/02-second.md"
    lesson.unlink()
    lesson.symlink_to("/etc/passwd")
    catalog = load_catalog(root)
    assert "courses/sample/02-second.md:1: this file is a symbolic link: put the file itself " \
           "here" in [str(p) for p in catalog.errors]
    assert all("root:" not in lesson.texts.get("vi").html
               for lesson in catalog.course("sample").lessons)
