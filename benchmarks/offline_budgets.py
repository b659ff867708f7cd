"""Weights for weak networks (issue 16), against the budgets: a lesson's first visit <= 40 KiB
compressed, JavaScript included; a repeat visit <= 5 KiB; a course saved for offline <= 2 MB
without audio; its recorded reading <= 1 MB per lesson. With --audio, each quiz's recording
too: all its clips, a question's (its prompt, hint and options, as read-aloud.js plays them),
and the heaviest attempt (its drawn number of the heaviest questions).

Every bundled lesson is fetched through the app, signed in (the heavier, personal page), as a
phone would: the page, then everything it references (styles, scripts, icons, images). Each
response is gzip-compressed at level 6, as the compression in front of the app sends it. A
repeat visit is the page alone: its files are kept by the browser and the service worker. A
saved course is what "Lưu để học khi không có mạng" stores (static/offline.js): the course page,
the catalog, every lesson and the files they reference, uncompressed as the Cache API keeps them.

    python benchmarks/offline_budgets.py [--audio]   # --audio: also record every lesson (slow)
"""
from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app  # noqa: E402
from lms.content import load_catalog  # noqa: E402
from lms.config import REPOSITORY_ROOT  # noqa: E402
from lms.services import read_aloud  # noqa: E402

KIB = 1024
REFERENCED = re.compile(r'(?:src|href)="(/(?:static|courses/[^"]+/files)/[^"]+|/manifest[^"]*)"')


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audio", action="store_true")
    args = parser.parse_args()
    catalog = load_catalog(REPOSITORY_ROOT)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "LMS_CATALOG": catalog,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/lms.sqlite3",
                          "LMS_AUTO_MIGRATE": True, "LMS_OUTBOX_DIR": f"{instance}/outbox",
                          "LMS_AUDIO_DIR": f"{instance}/audio"})
        client = app.test_client()
        with app.app_context():
            from lms.campaign.units import learner_unit_choices
            from lms.extensions import db
            unit = learner_unit_choices(db.session)[0].id
        client.post("/register", data={"identifier": "0912000111", "full_name": "Bench",
                                       "password": "con mèo ngủ trên mái nhà",
                                       "org_unit": unit, "consent": "y"})

        def get(url: str) -> bytes:
            with client.get(url) as response:
                assert response.status_code == 200, (url, response.status_code)
                return response.data

        worst_first = worst_repeat = (0, "")
        print(f"{'course':24} {'lesson':22} {'first KiB':>10} {'repeat KiB':>11}")
        for course in catalog.courses:
            saved = 0
            files_seen: dict[str, int] = {}
            pages = [f"/courses/{course.slug}/", "/"] + [
                f"/courses/{course.slug}/{lesson.slug}/" for lesson in course.lessons]
            for url in pages:
                page = get(url)
                saved += len(page)
                referenced = sorted(set(REFERENCED.findall(page.decode())))
                for file in referenced:
                    if file not in files_seen:
                        files_seen[file] = len(get(file))
                if url.count("/") == 4:  # a lesson
                    # The service worker, and the page it keeps for addresses never saved.
                    worker = [compressed(get(extra)) for extra in ("/sw.js", "/offline")]
                    first = (compressed(page) + sum(compressed(get(f)) for f in referenced)
                             + sum(worker))
                    repeat = compressed(page)
                    worst_first = max(worst_first, (first, url))
                    worst_repeat = max(worst_repeat, (repeat, url))
                    print(f"{course.slug:24} {url.split('/')[3]:22} {first / KIB:10.1f} "
                          f"{repeat / KIB:11.1f}")
            saved += sum(files_seen.values())
            print(f"saved for offline, {course.slug}: {saved / KIB:.0f} KiB "
                  f"({len(pages)} pages, {len(files_seen)} files)")
        print(f"worst first visit: {worst_first[0] / KIB:.1f} KiB ({worst_first[1]}); budget 40")
        print(f"worst repeat visit: {worst_repeat[0] / KIB:.1f} KiB ({worst_repeat[1]}); budget 5")
        if args.audio:
            folder = Path(instance) / "audio"
            for course in catalog.courses:
                for made in read_aloud.make_course_audio(course, folder):
                    print(f"audio {made.course}/{made.lesson} ({made.language}): "
                          f"{made.total_bytes / KIB:.0f} KiB, {made.files} paragraphs")
            with app.app_context():  # a question's hint is worded in the page's language
                for course in catalog.courses:
                    if course.quiz:
                        for made in read_aloud.make_quiz_audio(course, folder):
                            print_quiz_audio(folder, course.quiz, made)


def question_bytes(folder: Path, question, language: str) -> int:
    """What read-aloud.js fetches to read one question through, in `language`."""
    clips = read_aloud.question_clips(folder, read_aloud.question_reading(question, language))
    return sum((folder / name).stat().st_size
               for name in {*clips.prompt, *clips.options, *filter(None, [clips.hint])})


def print_quiz_audio(folder: Path, quiz, made) -> None:
    weights = sorted(question_bytes(folder, q, made.language) for q in quiz.questions)
    attempt = sum(weights[-quiz.questions_per_attempt:])
    print(f"audio {made.course}/quiz ({made.language}): {made.total_bytes / KIB:.0f} KiB, "
          f"{made.files} clips for {made.questions} questions; a question "
          f"{weights[0] / KIB:.0f}-{weights[-1] / KIB:.0f} KiB; the heaviest attempt of "
          f"{quiz.questions_per_attempt}: {attempt / KIB:.0f} KiB")


if __name__ == "__main__":
    main()
