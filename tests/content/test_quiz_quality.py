"""The quiz format names each question's lesson, and the check warns about guessable quizzes."""
from tests.content.test_loader import load
from tests.content.trees import QUIZ, QUIZ_EN


def vi_only(content_tree, quiz):
    """Loads a changed Vietnamese quiz without its translation, so only the change is reported."""
    catalog = load(content_tree, **{"quizzes/sample.md": quiz, "quizzes/sample.en.md": None})
    return [str(p) for p in catalog.problems if "no en translation" not in p.message]


def true_false(text, answer, lesson="first"):
    right, wrong = ("x", " ") if answer else (" ", "x")
    return f"\n## {text} {{lesson={lesson}}}\n\n- [{right}] Đúng\n- [{wrong}] Sai\n\nVì vậy.\n"


def test_each_question_keeps_the_lesson_it_names(content_tree):
    quiz = load(content_tree).course("sample").quiz
    assert [q.lesson for q in quiz.questions] == ["first", "second", "first"]
    assert "{lesson" not in quiz.questions[0].texts.get("vi").prompt_html


def test_a_lesson_the_course_does_not_have_is_an_error_at_its_line(content_tree):
    catalog = load(content_tree, **{
        "quizzes/sample.md": QUIZ.replace("{lesson=second}", "{lesson=secnod}")})
    assert [str(p) for p in catalog.errors] == [
        'quizzes/sample.md:15: there is no lesson "secnod" in this course: use one of first, second']


def test_a_question_without_a_lesson_is_a_warning_at_its_line(content_tree):
    problems = vi_only(content_tree, QUIZ.replace(" {lesson=second}", ""))
    assert any(p.startswith("quizzes/sample.md:15: warning: this question does not name the "
                            "lesson it tests") for p in problems), problems


def test_an_unknown_heading_attribute_is_an_error(content_tree):
    catalog = load(content_tree, **{
        "quizzes/sample.md": QUIZ.replace("{lesson=second}", "{lesson=second level=hard}")})
    assert str(catalog.errors[0]).startswith('quizzes/sample.md:15: unknown attribute "level"')


def test_a_translation_naming_another_lesson_is_an_error(content_tree):
    catalog = load(content_tree, **{
        "quizzes/sample.en.md": QUIZ_EN.replace("do? {lesson=second}", "do? {lesson=first}")})
    assert str(catalog.errors[0]).startswith(
        'quizzes/sample.en.md:15: this question names lesson "first" but question 2 of the '
        'original names "second"')


def test_the_right_option_being_the_longest_too_often_is_a_warning(content_tree):
    quiz = QUIZ.replace("- [ ] Nhắn lại để hỏi cho rõ ràng hơn\n", "")
    assert vi_only(content_tree, quiz) == [
        "quizzes/sample.md:15: warning: the right option is the longest in 1 of 1 single-choice "
        "questions (over 40%): a guesser picking the longest option wins; shorten the right "
        "option or lengthen the others (lines 15)"]


def test_lopsided_true_false_answers_are_a_warning(content_tree):
    quiz = QUIZ + true_false("Một.", False) + true_false("Hai.", False)
    problems = vi_only(content_tree, quiz)
    assert problems == ["quizzes/sample.md:8: warning: 3 of 3 true/false questions are false: "
                        "a guesser always answering false wins; balance them"]
    assert vi_only(content_tree, QUIZ + true_false("Một.", True)) == []


def test_false_listed_before_true_is_a_warning_at_the_option(content_tree):
    quiz = QUIZ.replace("- [ ] Đúng\n- [x] Sai", "- [x] Sai\n- [ ] Đúng")
    assert vi_only(content_tree, quiz) == [
        'quizzes/sample.md:10: warning: list "Đúng" first, then "Sai" (or "True", then "False"): '
        "learners always see them in that order"]


def test_a_multiple_choice_question_with_one_wrong_option_is_a_warning(content_tree):
    quiz = QUIZ.replace("- [ ] Tắt cập nhật\n", "")
    assert vi_only(content_tree, quiz) == [
        "quizzes/sample.md:25: warning: this multiple-choice question has 1 wrong option(s): with "
        "fewer than two, ticking all but one option wins; add plausible wrong options"]


def test_a_lesson_with_fewer_questions_than_the_draw_needs_is_a_warning(content_tree):
    quiz = QUIZ.replace("questions_per_attempt: 2", "questions_per_attempt: 3")
    assert vi_only(content_tree, quiz) == [
        'quizzes/sample.md:5: warning: lesson "second" has 1 question(s) but an attempt may draw '
        "2 from every lesson: add questions with {lesson=second}"]


def test_drawing_fewer_questions_than_there_are_lessons_is_a_warning(content_tree):
    quiz = QUIZ.replace("questions_per_attempt: 2", "questions_per_attempt: 1")
    assert vi_only(content_tree, quiz) == [
        "quizzes/sample.md:5: warning: questions_per_attempt is 1 but the course has 2 lessons: "
        "an attempt cannot test every lesson"]


def test_two_identical_questions_are_a_warning_at_the_second(content_tree):
    repeated = QUIZ[QUIZ.index("## Việc nào"):]
    quiz = QUIZ + "\n" + repeated.replace("Khoá màn hình và", "Khoá màn hình, và")
    problems = vi_only(content_tree, quiz)
    assert problems == ["quizzes/sample.md:34: warning: this question is the same as the one on "
                        "line 25: an attempt could ask it twice"]


def test_two_identical_options_are_a_warning_at_the_second(content_tree):
    quiz = QUIZ.replace("- [ ] Tắt cập nhật\n", "- [ ] Tắt cập nhật\n- [ ] tắt  cập nhật\n")
    assert vi_only(content_tree, quiz) == [
        "quizzes/sample.md:31: warning: this option is the same as option 4 of the question"]


# Programs map to Decision 757/QĐ-BKHCN's framework as well as to Circular 02's codes


def test_a_program_keeps_its_decision_757_groups(content_tree):
    from tests.content.trees import PROGRAM
    program = PROGRAM.replace("template: default", 'decision_757_groups: ["0", "4"]\ntemplate: default')
    catalog = load(content_tree, **{"certificates/basic.md": program})
    assert [str(p) for p in catalog.problems] == []
    assert catalog.program("basic").decision_757_groups == ("0", "4")


def test_an_unknown_decision_757_group_is_an_error_at_its_line(content_tree):
    from tests.content.trees import PROGRAM
    program = PROGRAM.replace("template: default", 'decision_757_groups: ["0", "9"]\ntemplate: default')
    catalog = load(content_tree, **{"certificates/basic.md": program})
    assert [str(p) for p in catalog.errors] == [
        'certificates/basic.md:6: unknown Decision 757 group "9": use the group numbers '
        "0, 1, 2, 3, 4, 5 of Decision 757/QĐ-BKHCN, Annex I"]
