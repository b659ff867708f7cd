"""How fast are certificates rendered and served? Target (issue 5): median render <= 150 ms.

Renders 100 certificates (each a different learner name, in Vietnamese) in one warm process
through the same code the app uses, then times serving a stored PDF through the app.

    python benchmarks/certificate_render.py [--count 100]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.config import REPOSITORY_ROOT  # noqa: E402
from lms.models import Certificate  # noqa: E402
from lms.services.certificate_pdf import render_pdf  # noqa: E402
from lms.services.certificates import IssueSettings, new_code, pdf_context  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["Thị Ánh Dương", "Văn Đức", "Hữu Nghĩa", "Thị Thuỷ", "Quốc Việt", "Minh Khuê"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def render_timings(count: int) -> list[float]:
    settings = IssueSettings("Sở Khoa học và Công nghệ", "https://lms.example.vn/verify/")
    template = str(REPOSITORY_ROOT / "certificates" / "templates" / "default")
    timings = []
    for n in range(count + 1):
        certificate = Certificate(
            code=new_code(), serial=f"2026-{n:07d}", kind="course", subject_slug="data-security",
            holder_name=f"{FAMILY[n % len(FAMILY)]} {GIVEN[n % len(GIVEN)]}",
            titles={"vi": "An toàn dữ liệu cá nhân", "en": "Personal data security"},
            competences=["4.1", "4.2", "2.6"], issued_at=datetime.now(timezone.utc))
        started = time.perf_counter()
        render_pdf(template, pdf_context(certificate, "vi", settings))
        if n:  # the first render loads fonts: it is the cold start, not the steady state
            timings.append(time.perf_counter() - started)
    return timings


def serve_timings(count: int) -> list[float]:
    """Signs a learner up, completes a course, then downloads the stored PDF `count` times."""
    os.environ["LMS_INSTANCE_DIR"] = tempfile.mkdtemp()
    from lms import create_app
    from lms.catalog import current_catalog
    from lms.extensions import db, limiter
    from lms.models import Certificate as Stored

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    client = app.test_client()
    from lms.campaign.units import learner_unit_choices

    with app.app_context():
        limiter.reset()
        unit = learner_unit_choices(db.session)[0].id
        catalog = current_catalog()
    signed_up = client.post("/register", data={
        "identifier": "0912345678", "full_name": "Nguyễn Thị Dung",
        "password": "một câu dễ nhớ", "org_unit": unit, "consent": "y"})
    assert signed_up.status_code == 302, "signing up failed"
    course = catalog.course("data-security")
    for lesson in course.lessons:
        client.post(f"/courses/{course.slug}/{lesson.slug}/done")
    client.get("/quiz-layout/all")  # every question on one page
    page = client.get(f"/courses/{course.slug}/quiz/").get_data(as_text=True)
    import re
    from lms.models import QuizAttempt
    token = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    # The page sends each option by its place in the attempt's drawn order.
    with app.app_context():
        draw = db.session.scalar(db.select(QuizAttempt.draw).filter_by(token=token))
    data = {"attempt": token}
    for item in draw:
        right = course.quiz.question(item["key"]).correct
        data[f"q-{item['key']}"] = [str(item["order"].index(i)) for i in sorted(right)]
    client.post(f"/courses/{course.slug}/quiz/", data=data)
    with app.app_context():
        code = db.session.query(Stored).filter_by(kind="course").one().code
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(f"/me/certificates/{code}/vi.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    render = render_timings(args.count)
    print(f"render, {args.count} certificates in one warm process: "
          f"median {statistics.median(render) * 1000:.0f} ms, "
          f"p95 {percentile(render, 0.95) * 1000:.0f} ms, max {max(render) * 1000:.0f} ms "
          f"(target: median <= 150 ms)")
    serve = serve_timings(args.count)
    print(f"serve a stored PDF through the app, {args.count} downloads: "
          f"median {statistics.median(serve) * 1000:.1f} ms, "
          f"p95 {percentile(serve, 0.95) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
