"""How long does loading a large catalog take? Target (issue 2): 100 courses x 10 lessons under 2 s.

Generates a synthetic content tree (each lesson ~450 words of Vietnamese Markdown with a
table, a note box, links and an image, plus its English translation, and one 20-question
quiz per course), then times `load_catalog` over several runs.

    python benchmarks/catalog_load.py [--courses 100] [--lessons 10] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.content import load_catalog  # noqa: E402

PARAGRAPH = ("Người dân có thể dùng tài khoản định danh điện tử để nộp hồ sơ trực tuyến. "
             "Không bao giờ đọc mã OTP cho bất kỳ ai, kể cả người tự xưng là công an. ") * 3
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'


def lesson(n: int, lessons: int, language: str) -> str:
    nxt = f"{n + 1:02d}-lesson-{n + 1}.md" if n < lessons else "01-lesson-1.md"
    body = "\n\n".join(PARAGRAPH for _ in range(8))
    return (f"---\ntitle: Bài {n} ({language})\nminutes: 8\n---\n{body}\n\n"
            f"## Các bước\n\n1. Mở ứng dụng.\n2. Đăng nhập.\n3. Chọn dịch vụ.\n\n"
            f"| Việc | Nơi |\n|---|---|\n| Kích hoạt | Công an xã |\n\n"
            f"![Sơ đồ các bước](images/steps.svg)\n\nXem [bài tiếp]({nxt}).\n\n"
            f'!!! note "Ghi nhớ"\n    Giữ bí mật mật khẩu.\n')


def quiz(slug: str, language: str) -> str:
    questions = "".join(
        f"## Câu hỏi {q}: bạn nên làm gì?\n\n> \"Tin nhắn mẫu số {q}\"\n\n"
        f"- [ ] Bấm vào đường link\n- [x] Gọi tổng đài chính thức\n- [ ] Trả lời tin nhắn\n\n"
        f"Vì ngân hàng không gửi đường link.\n\n" for q in range(1, 21))
    return (f"---\ncourse: {slug}\ntitle: Kiểm tra ({language})\npass_mark: 80\n"
            f"questions_per_attempt: 10\n---\n\n{questions}")


def build_tree(root: Path, courses: int, lessons: int, translated: bool = True) -> None:
    for c in range(1, courses + 1):
        slug = f"course-{c}"
        folder = root / "courses" / slug
        (folder / "images").mkdir(parents=True)
        (folder / "images" / "steps.svg").write_text(SVG)
        (folder / "course.md").write_text(
            f"---\ntitle: Khoá {c}\nsummary: Tóm tắt.\naudience: [citizen]\n"
            f"competences: [\"4.2\"]\nlevel: basic\nminutes: 60\n---\nGiới thiệu.\n", "utf-8")
        (root / "quizzes").mkdir(exist_ok=True)
        (root / "quizzes" / f"{slug}.md").write_text(quiz(slug, "vi"), "utf-8")
        for n in range(1, lessons + 1):
            (folder / f"{n:02d}-lesson-{n}.md").write_text(lesson(n, lessons, "vi"), "utf-8")
        if translated:
            (folder / "course.en.md").write_text(f"---\ntitle: Course {c}\nsummary: S.\n---\n",
                                                 "utf-8")
            (root / "quizzes" / f"{slug}.en.md").write_text(quiz(slug, "en"), "utf-8")
            for n in range(1, lessons + 1):
                (folder / f"{n:02d}-lesson-{n}.en.md").write_text(lesson(n, lessons, "en"), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=100)
    parser.add_argument("--lessons", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vietnamese-only", action="store_true",
                        help="no English translations (half the files)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_tree(root, args.courses, args.lessons, translated=not args.vietnamese_only)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            catalog = load_catalog(root)
            timings.append(time.perf_counter() - started)
        assert not catalog.errors, catalog.errors[:3]
        lessons = sum(len(c.lessons) for c in catalog.courses)
        languages = 1 if args.vietnamese_only else 2
        print(f"catalog: {len(catalog.courses)} courses, {lessons} lessons and "
              f"{sum(len(c.quiz.questions) for c in catalog.courses)} quiz questions, "
              f"in {languages} language(s)")
        print(f"load_catalog over {args.runs} runs: median {statistics.median(timings):.2f} s, "
              f"min {min(timings):.2f} s, max {max(timings):.2f} s (target: under 2 s)")
        assert not catalog.warnings or args.vietnamese_only


if __name__ == "__main__":
    main()
