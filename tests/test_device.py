"""What this device remembers (text size) and the installable app (manifest, service worker)."""
import json


def test_text_size_grows_and_shrinks_in_steps_and_is_remembered(client, bundled_catalog):
    lesson = f"/courses/ai-basics/{bundled_catalog.course('ai-basics').lessons[0].slug}/"
    page = client.get(lesson).get_data(as_text=True)
    assert '<html lang="vi">' in page and "Chữ to hơn" in page and "Chữ nhỏ hơn" not in page
    step = client.get("/text-size/larger", query_string={"next": lesson})
    assert step.headers["Location"] == lesson and "text_size=125" in step.headers["Set-Cookie"]
    page = client.get(lesson).get_data(as_text=True)
    assert '<html lang="vi" class="text-125">' in page and "Chữ nhỏ hơn" in page
    for _ in range(6):  # never beyond 200%
        client.get("/text-size/larger")
    page = client.get(lesson).get_data(as_text=True)
    assert 'class="text-200"' in page and "Chữ to hơn" not in page
    client.get("/text-size/smaller")
    assert 'class="text-175"' in client.get(lesson).get_data(as_text=True)


def test_the_shared_copy_of_a_lesson_is_kept_per_text_size(client, bundled_catalog):
    # Anonymous lesson pages are rendered once and shared: a larger size is a copy of its own.
    lesson = f"/courses/ai-basics/{bundled_catalog.course('ai-basics').lessons[1].slug}/"
    plain = client.get(lesson).get_data(as_text=True)
    client.set_cookie("text_size", "150")
    assert 'class="text-150"' in client.get(lesson).get_data(as_text=True)
    client.set_cookie("text_size", "junk")
    assert client.get(lesson).get_data(as_text=True) == plain
    assert client.get("/text-size/sideways").status_code == 404


def test_the_app_can_be_installed_and_its_worker_looks_after_the_whole_site(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = json.loads(manifest.get_data(as_text=True))
    assert data["name"] == "Bình dân học vụ số" and data["start_url"] == "/"
    for icon in data["icons"]:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and response.mimetype == icon["type"]
    with client.get("/sw.js") as worker:
        assert worker.status_code == 200 and worker.mimetype == "text/javascript"
        assert worker.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self'" in worker.headers["Content-Security-Policy"]
        assert "addEventListener(\"fetch\"" in worker.get_data(as_text=True)
    offline = client.get("/offline").get_data(as_text=True)
    assert "Không có mạng" in offline
