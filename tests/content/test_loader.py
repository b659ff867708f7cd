"""The loader turns a content tree into a catalog and reports each problem at its file and line."""
import pytest

from lms.content import load_catalog
from tests.content.trees import COURSE, LESSON_1, LESSON_2, PROGRAM, QUIZ, QUIZ_EN, valid_tree


def load(content_tree, **changes):
    files = valid_tree()
    for path, body in changes.items():
        if body is None:
            files.pop(path)
        else:
            files[path] = body
    return load_catalog(content_tree(files))


def messages(catalog):
    return [str(problem) for problem in catalog.problems]


def only_error(catalog):
    assert len(catalog.errors) == 1, messages(catalog)
    return catalog.errors[0]


# A valid tree


def test_valid_tree_loads_without_problems(content_tree):
    catalog = load(content_tree)
    assert messages(catalog) == []
    course = catalog.course("sample")
    assert [lesson.slug for lesson in course.lessons] == ["first", "second"]
    assert course.competences == ("4.2", "6.1")
    assert course.quiz.pass_mark == 80 and len(course.quiz.questions) == 3
    assert catalog.program("basic").courses == ("sample",)
    assert "default" in catalog.templates


def test_lessons_are_ordered_by_file_name_not_by_title(content_tree):
    catalog = load(content_tree, **{
        "courses/sample/10-last.md": "---\ntitle: A first by title\n---\nx\n",
        "courses/sample/10-last.en.md": "---\ntitle: Last\n---\nx\n",
    })
    assert [lesson.slug for lesson in catalog.course("sample").lessons] == ["first", "second", "last"]


def test_translations_are_kept_and_missing_language_falls_back(content_tree):
    course = load(content_tree).course("sample")
    assert course.title("en") == "Sample course"
    assert course.title("vi") == "Khoá học mẫu"
    assert course.lessons[0].title("fr") == "Bài một"


def test_markdown_is_rendered_with_admonitions_and_sanitised(content_tree):
    catalog = load(content_tree, **{"courses/sample/02-second.md":
                                    LESSON_2_WITH_SCRIPT})
    html = catalog.course("sample").lessons[1].texts.get("vi").html
    assert '<div class="admonition note">' in html
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert "<table>" in html


LESSON_2_WITH_SCRIPT = """---
title: Bài hai
---
<script>alert(1)</script>
<a href="javascript:alert(1)" onclick="x()">link</a>

| a | b |
|---|---|
| 1 | 2 |

!!! note "Ghi nhớ"
    Nội dung.
"""


def test_relative_links_and_images_point_to_served_urls(content_tree):
    course = load(content_tree).course("sample")
    html = course.lessons[0].texts.get("vi").html
    assert 'href="/courses/sample/second/"' in html
    assert 'src="/courses/sample/files/images/dot.svg"' in html
    assert 'loading="lazy"' in html
    assert course.assets == frozenset({"images/dot.svg"})
    assert 'href="/courses/sample/second/"' in course.lessons[0].texts.get("en").html


def test_quiz_questions_keep_their_types_and_right_answers(content_tree):
    quiz = load(content_tree).course("sample").quiz
    assert [q.kind for q in quiz.questions] == ["true-false", "single", "multiple"]
    assert [q.correct for q in quiz.questions] == [{1}, {1}, {0, 1}]
    assert "Chatbots can make things up" in quiz.questions[0].texts.get("en").explanation_html
    assert "vi-du.top" in quiz.questions[1].texts.get("vi").prompt_html


def test_content_hashes_change_when_a_lesson_changes(content_tree, tmp_path):
    before = load(content_tree).course("sample").lessons[0].content_hash
    after = load(content_tree, **{"courses/sample/01-first.md": LESSON_1 + "\nMore.\n"}
                 ).course("sample").lessons[0].content_hash
    assert before != after


# Front matter


def test_yaml_error_points_at_the_line_in_the_file(content_tree):
    broken = COURSE.replace("level: basic", "level: [basic")
    problem = only_error(load(content_tree, **{"courses/sample/course.md": broken}))
    assert problem.path == "courses/sample/course.md"
    assert problem.line == 6  # where the unclosed bracket opened
    assert "front matter is not valid" in problem.message


def test_yaml_error_on_an_indented_line_gives_that_line(content_tree):
    broken = COURSE.replace('competences: ["4.2", "6.1"]', 'competences: ["4.2", "6.1"]\n  bad: : x')
    problem = only_error(load(content_tree, **{"courses/sample/course.md": broken}))
    assert problem.line == 6


def test_missing_front_matter_is_reported(content_tree):
    catalog = load(content_tree, **{"courses/sample/02-second.md": "Chỉ có nội dung.\n"})
    assert "courses/sample/02-second.md:1: the file must start with a front matter block" in \
        messages(catalog)[0]


def test_unclosed_front_matter_is_reported(content_tree):
    catalog = load(content_tree, **{"courses/sample/02-second.md": "---\ntitle: x\n"})
    assert "is never closed" in only_error(catalog).message


def test_missing_title_is_reported_at_line_one_and_course_left_out(content_tree):
    catalog = load(content_tree, **{"courses/sample/course.md": COURSE.replace(
        "title: Khoá học mẫu\n", "")})
    assert str(only_error(catalog)).startswith('courses/sample/course.md:1: "title" is missing')
    assert catalog.course("sample") is None


def test_unknown_competence_code_is_reported_at_its_line(content_tree):
    catalog = load(content_tree, **{"courses/sample/course.md": COURSE.replace('"6.1"', '"9.9"')})
    problem = only_error(catalog)
    assert (problem.path, problem.line) == ("courses/sample/course.md", 5)
    assert 'unknown competence code "9.9"' in problem.message


def test_unknown_audience_and_level_are_reported(content_tree):
    broken = COURSE.replace("[citizen]", "[farmer]").replace("level: basic", "level: expert")
    catalog = load(content_tree, **{"courses/sample/course.md": broken})
    assert [(p.line, p.message.split(":")[0]) for p in catalog.errors] == [
        (4, 'unknown audience "farmer"'), (6, 'unknown level "expert"')]


def test_minutes_must_be_a_whole_number(content_tree):
    catalog = load(content_tree, **{"courses/sample/course.md": COURSE.replace(
        "minutes: 10", "minutes: mười")})
    assert (only_error(catalog).line, '"minutes" must be a whole number' in
            only_error(catalog).message) == (7, True)


def test_misspelt_field_is_a_warning_not_an_error(content_tree):
    catalog = load(content_tree, **{"courses/sample/course.md": COURSE.replace(
        "minutes: 10", "minutes: 10\ntitel: x")})
    assert catalog.errors == ()
    assert 'unknown field "titel"' in catalog.warnings[0].message
    assert catalog.warnings[0].line == 8


def test_file_that_is_not_utf8_is_reported_with_its_line(content_tree):
    catalog = load(content_tree, **{
        "courses/sample/02-second.md": "---\ntitle: B\n---\nline\n".encode() + b"caf\xe9\n"})
    problem = only_error(catalog)
    assert (problem.line, "not saved as UTF-8" in problem.message) == (5, True)


# Lessons and translations


def test_duplicate_lesson_slug_is_reported(content_tree):
    catalog = load(content_tree, **{"courses/sample/03-first.md": "---\ntitle: Again\n---\nx\n",
                                    "courses/sample/03-first.en.md": "---\ntitle: A\n---\nx\n"})
    assert 'two lessons have the slug "first"' in only_error(catalog).message
    assert only_error(catalog).path == "courses/sample/03-first.md"


def test_badly_named_lesson_file_is_reported(content_tree):
    catalog = load(content_tree, **{"courses/sample/Notes.md": "---\ntitle: x\n---\n"})
    assert only_error(catalog).path == "courses/sample/Notes.md"
    assert "starts with its number" in only_error(catalog).message


def test_missing_translation_is_a_warning(content_tree):
    catalog = load(content_tree, **{"courses/sample/02-second.en.md": None})
    assert catalog.errors == ()
    assert [str(w) for w in catalog.warnings] == [
        "courses/sample/02-second.md:1: warning: no en translation of this lesson: "
        "add 02-second.en.md"]


def test_translation_without_a_title_is_an_error(content_tree):
    catalog = load(content_tree, **{"courses/sample/01-first.en.md": "---\nminutes: 3\n---\nx\n"})
    assert str(only_error(catalog)).startswith('courses/sample/01-first.en.md:1: "title" is missing')


def test_translation_in_unknown_language_is_reported(content_tree):
    catalog = load(content_tree, **{"courses/sample/01-first.fr.md": "---\ntitle: Un\n---\n"})
    assert 'unknown language "fr"' in only_error(catalog).message


# Links and images


def test_broken_link_is_reported_at_its_line(content_tree):
    lesson = LESSON_1.replace("02-second.md", "03-missing.md")
    problem = only_error(load(content_tree, **{"courses/sample/01-first.md": lesson}))
    assert (problem.path, problem.line) == ("courses/sample/01-first.md", 5)
    assert 'link "03-missing.md" points to a file that does not exist' == problem.message


def test_broken_image_is_reported_at_its_line(content_tree):
    lesson = LESSON_1.replace("images/dot.svg", "images/nope.png")
    problem = only_error(load(content_tree, **{"courses/sample/01-first.md": lesson}))
    assert (problem.line, problem.message.startswith('image "images/nope.png" not found')) == (7, True)


def test_image_without_description_is_reported(content_tree):
    lesson = LESSON_1.replace("![Một hình tròn màu xanh]", "![]")
    problem = only_error(load(content_tree, **{"courses/sample/01-first.md": lesson}))
    assert problem.line == 7 and "needs a description" in problem.message


def test_link_outside_the_course_folder_to_a_file_is_refused(content_tree):
    lesson = LESSON_1.replace("images/dot.svg", "../../quizzes/sample.md.svg")
    catalog = load(content_tree, **{"courses/sample/01-first.md": lesson})
    assert "not found" in only_error(catalog).message


def test_large_image_is_a_warning(content_tree):
    catalog = load(content_tree, **{"courses/sample/images/dot.svg": "<svg>" + " " * 70_000 + "</svg>"})
    assert catalog.errors == ()
    assert "under 60 KB" in catalog.warnings[0].message


# Quizzes


@pytest.mark.parametrize("old, new, line, expected", [
    ("- [ ] Bấm link\n- [x] Gọi", "- [ ] Bấm link\n- [ ] Gọi", 15,
     "this question has no right option"),
    ("- [ ] Đúng\n- [x] Sai\n", "", 8, "this question has no options"),
    ("\nNgân hàng không gửi link mở khoá.\n", "\n", 15, "this question has no explanation"),
    ("- [ ] Bấm link\n", "- [ ] Bấm link\nChữ lạc chỗ\n", 20, "options must be listed one after"),
    ("- [ ] Bấm link\n", "- [] Bấm link\n", 19, 'an option must look like "- [ ] text"'),
    ("{lesson=first}\n\n- [x] Khoá", "{lesson=first type=essay}\n\n- [x] Khoá", 25,
     'unknown question type "essay"'),
    ("- [ ] Đúng\n- [x] Sai", "- [x] Đúng\n- [x] Sai", 8,
     "a true/false question needs exactly one right option"),
])
def test_each_kind_of_broken_question_is_reported_at_its_line(content_tree, old, new, line, expected):
    assert old in QUIZ
    catalog = load(content_tree, **{"quizzes/sample.md": QUIZ.replace(old, new)})
    problems = [p for p in catalog.errors if p.path == "quizzes/sample.md"]
    assert problems, messages(catalog)
    assert (problems[0].line, problems[0].message[:len(expected)]) == (line, expected)


def test_forced_multiple_choice_with_one_right_answer(content_tree):
    quiz_vi = QUIZ.replace("Bạn làm gì? {lesson=second}", "Bạn làm gì? {type=multiple lesson=second}")
    quiz_en = QUIZ_EN.replace("do? {lesson=second}", "do? {lesson=second type=multiple}")
    catalog = load(content_tree, **{"quizzes/sample.md": quiz_vi, "quizzes/sample.en.md": quiz_en})
    question = catalog.course("sample").quiz.questions[1]
    assert question.kind == "multiple"
    assert "{type" not in question.texts.get("vi").prompt_html


def test_drawing_more_questions_than_the_pool_is_reported(content_tree):
    catalog = load(content_tree, **{"quizzes/sample.md": QUIZ.replace(
        "questions_per_attempt: 2", "questions_per_attempt: 5")})
    assert str(catalog.errors[0]) == ("quizzes/sample.md:5: questions_per_attempt is 5 but the "
                                      "file has only 3 valid questions")


def test_quiz_for_an_unknown_course_is_reported(content_tree):
    catalog = load(content_tree, **{"quizzes/sample.md": QUIZ.replace("course: sample",
                                                                      "course: nope")})
    assert str(catalog.errors[0]).startswith('quizzes/sample.md:2: there is no course "nope"')


def test_two_quizzes_for_one_course_are_reported(content_tree):
    catalog = load(content_tree, **{"quizzes/sample-again.md": QUIZ})
    assert any('course "sample" already has a quiz' in p.message for p in catalog.errors)


def test_translation_with_a_different_right_answer_is_reported(content_tree):
    broken = QUIZ_EN.replace("- [ ] Tap the link\n- [x] Call", "- [x] Tap the link\n- [ ] Call")
    catalog = load(content_tree, **{"quizzes/sample.en.md": broken})
    problem = only_error(catalog)
    assert (problem.path, problem.line) == ("quizzes/sample.en.md", 15)
    assert "does not match question 2 of the original" in problem.message


def test_translation_missing_a_question_is_reported(content_tree):
    broken = QUIZ_EN[:QUIZ_EN.index("## What protects a phone?")]
    assert "the translation has 2 questions but the original has 3" in \
        only_error(load(content_tree, **{"quizzes/sample.en.md": broken})).message


# Programs and templates


def test_program_naming_a_missing_course_is_reported_at_its_line(content_tree):
    catalog = load(content_tree, **{"certificates/basic.md": PROGRAM.replace(
        "[sample]", "[sample, ghost]")})
    problem = only_error(catalog)
    assert (problem.path, problem.line) == ("certificates/basic.md", 3)
    assert 'requires course "ghost", which does not exist' in problem.message
    assert catalog.program("basic") is None


def test_program_naming_a_missing_template_is_reported(content_tree):
    catalog = load(content_tree, **{"certificates/basic.md": PROGRAM.replace(
        "template: default", "template: fancy")})
    assert str(only_error(catalog)).startswith(
        'certificates/basic.md:6: there is no certificate template "fancy"')


def test_template_folder_without_its_html_is_reported(content_tree):
    catalog = load(content_tree, **{"certificates/templates/empty/style.css": "p{}"})
    assert "has no certificate.html" in only_error(catalog).message


def test_a_broken_course_does_not_hide_the_others(content_tree):
    files = {**{k.replace("sample", "other"): v.replace("course: sample", "course: other")
                for k, v in valid_tree().items() if k.startswith(("courses/", "quizzes/"))}}
    files["courses/other/course.md"] = COURSE.replace("level: basic", "level: [")
    root = content_tree({**valid_tree(), **files})
    catalog = load_catalog(root)
    assert [c.slug for c in catalog.courses] == ["sample"]
    assert any(p.path == "courses/other/course.md" for p in catalog.errors)


def test_missing_content_folder_is_reported(tmp_path):
    catalog = load_catalog(tmp_path / "nowhere")
    assert catalog.courses == () and "does not exist" in catalog.errors[0].message


def test_loading_in_worker_processes_gives_the_same_catalog(content_tree):
    files = valid_tree()
    for name in ("second-course", "third-course"):
        files.update({path.replace("courses/sample/", f"courses/{name}/"): body
                      for path, body in valid_tree().items() if path.startswith("courses/")})
    files["courses/third-course/01-first.md"] = LESSON_1.replace("02-second.md", "09-gone.md")
    root = content_tree(files)
    serial, parallel = load_catalog(root, workers=1), load_catalog(root, workers=2)
    assert parallel == serial
    assert [c.slug for c in parallel.courses] == ["sample", "second-course", "third-course"]
    assert any(p.path == "courses/third-course/01-first.md" for p in parallel.errors)


def test_the_quiz_front_matter_sets_feedback_wait_and_daily_cap(content_tree):
    catalog = load(content_tree, **{"quizzes/sample.md": QUIZ.replace(
        "questions_per_attempt: 2", "questions_per_attempt: 2\nafter_failed: questions\n"
        "after_passed: answers\nretry_wait_minutes: 0\nattempts_per_day: 3")})
    assert not catalog.problems
    rules = catalog.course("sample").quiz.rules
    assert (rules.after_failed.level, rules.after_passed.level) == ("questions", "answers")
    assert (rules.retry_wait_minutes, rules.attempts_per_day) == (0, 3)
    assert rules.after_failed.shows("score") and not rules.after_failed.shows("explanations")
    default = load(content_tree).course("sample").quiz.rules
    assert (default.after_failed.level, default.after_passed.level) == ("score", "explanations")
    assert (default.retry_wait_minutes, default.attempts_per_day) == (5, 5)


@pytest.mark.parametrize("line, message", [
    ("after_failed: everything",
     '"after_failed" must be one of score, questions, explanations, answers, not "everything"'),
    ("retry_wait_minutes: -1", '"retry_wait_minutes" must be a whole number from 0 to 1440'),
    ("attempts_per_day: 0", '"attempts_per_day" must be a whole number from 1 to 100'),
])
def test_wrong_quiz_rules_are_reported_at_their_line(content_tree, line, message):
    catalog = load(content_tree, **{"quizzes/sample.md": QUIZ.replace(
        "questions_per_attempt: 2", f"questions_per_attempt: 2\n{line}")})
    assert str(only_error(catalog)).startswith(f"quizzes/sample.md:6: {message}")


def test_a_leading_heading_that_repeats_the_title_is_dropped_and_said(content_tree):
    catalog = load(content_tree, **{"courses/sample/01-first.md": LESSON_1.replace(
        "---\nXin chào.", "---\n\n# Bài một\n\nXin chào.")})
    lesson = catalog.course("sample").lessons[0]
    assert "<h1" not in lesson.texts.get("vi").html and "Xin chào" in lesson.texts.get("vi").html
    assert messages(catalog) == ['courses/sample/01-first.md:6: warning: this "# " heading '
                                 "repeats the title, which the page already shows: it was left "
                                 "out; delete the line"]


def test_another_leading_heading_is_kept_with_a_warning(content_tree):
    catalog = load(content_tree, **{"courses/sample/01-first.md": LESSON_1.replace(
        "---\nXin chào.", "---\n# Mở đầu\nXin chào.")})
    assert "<h1" in catalog.course("sample").lessons[0].texts.get("vi").html
    assert messages(catalog) == ['courses/sample/01-first.md:5: warning: the page already shows '
                                 '"title:" as its heading: use "## " for sections, or move this '
                                 'text into "title:"']


def test_removed_html_and_a_broken_box_are_warnings_at_their_lines(content_tree):
    catalog = load(content_tree, **{"courses/sample/02-second.md": LESSON_2.replace(
        "Nội dung bài hai.", 'Nội dung <iframe src="x"></iframe> bài hai.').replace(
        "    Không chia sẻ", "  Không chia sẻ")})
    assert messages(catalog) == [
        "courses/sample/02-second.md:4: warning: this HTML (<iframe src=\"x\">) is removed from "
        "the page: write it in Markdown instead (lists, **bold**, boxes with !!! note)",
        "courses/sample/02-second.md:6: warning: the box's text must be indented by four spaces "
        "on the lines below !!!, or the box shows empty"]
