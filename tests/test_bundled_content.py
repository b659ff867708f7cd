"""The bundled courses are complete in both languages (issue: the three bundled courses)."""
import pytest

from lms.content.competences import COMPETENCES

BUNDLED = ("ai-basics", "data-security", "online-public-services")


def body_words(html: str) -> int:
    import re
    return len(re.sub(r"<[^>]+>", " ", html).split())


def test_bundled_content_has_no_problems_at_all(bundled_catalog):
    assert [str(p) for p in bundled_catalog.problems] == []


@pytest.mark.parametrize("slug", BUNDLED)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_course_has_five_lessons_and_thirty_questions_in_each_language(
        bundled_catalog, slug, language):
    course = bundled_catalog.course(slug)
    assert course is not None
    assert sum(1 for lesson in course.lessons if lesson.texts.has(language)) >= 5
    quiz = course.quiz
    assert sum(1 for q in quiz.questions if q.texts.has(language)) >= 30
    assert (quiz.pass_mark, quiz.questions_per_attempt) == (80, 10)
    assert course.texts.has(language) and quiz.texts.has(language)


@pytest.mark.parametrize("slug", BUNDLED)
def test_lessons_are_short_and_end_with_a_remember_box(bundled_catalog, slug):
    for lesson in bundled_catalog.course(slug).lessons:
        for language in ("vi", "en"):
            html = lesson.texts.get(language).html
            assert 300 <= body_words(html) <= 760, (lesson.source, language, body_words(html))
            assert html.rstrip().endswith("</div>") and 'class="admonition note"' in html


def test_courses_cover_the_competences_the_issue_names(bundled_catalog):
    assert {"6.1", "6.2", "6.3", "1.2"} <= set(bundled_catalog.course("ai-basics").competences)
    assert {"4.1", "4.2", "2.6"} <= set(bundled_catalog.course("data-security").competences)
    assert {"2.3", "2.6", "1.1"} <= set(
        bundled_catalog.course("online-public-services").competences)
    for course in bundled_catalog.courses:
        assert set(course.competences) <= set(COMPETENCES)


def test_both_certification_programs_require_all_three_courses(bundled_catalog):
    citizens = bundled_catalog.program("citizen-basic")
    officials = bundled_catalog.program("civil-servant")
    assert set(citizens.courses) == set(officials.courses) == set(BUNDLED)
    assert citizens.audience == ("citizen",) and officials.audience == ("civil-servant",)
    assert officials.title("en") and citizens.title("en")


@pytest.mark.parametrize("slug", BUNDLED)
def test_every_question_names_a_lesson_and_every_attempt_tests_every_lesson(bundled_catalog, slug):
    import random

    from lms.content.draw import draw_attempt

    course = bundled_catalog.course(slug)
    lessons = {lesson.slug for lesson in course.lessons}
    assert {q.lesson for q in course.quiz.questions} == lessons
    for seed in range(50):
        drawn = {q.lesson for q, _ in draw_attempt(course.quiz, random.Random(seed))}
        assert drawn == lessons or len(lessons) > course.quiz.questions_per_attempt
