"""`flask content check` as a trainer runs it."""
import os
import subprocess
import sys

import pytest

from lms.config import REPOSITORY_ROOT
from tests.content.test_loader import COURSE, PROGRAM, QUIZ
from tests.content.trees import valid_tree


def test_bundled_content_passes_the_strict_check(runner):
    result = runner.invoke(args=["content", "check", "--strict"])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_broken_quiz_course_and_program_each_named_with_their_line(runner, content_tree):
    files = valid_tree()
    files["quizzes/sample.md"] = QUIZ.replace("- [ ] Bấm link\n- [x] Gọi", "- [ ] Bấm link\n- [ ] Gọi")
    files["courses/sample/course.md"] = COURSE.replace('"6.1"', '"7.7"')
    files["certificates/basic.md"] = PROGRAM.replace("template: default", "template: gone")
    result = runner.invoke(args=["content", "check", "--path", str(content_tree(files))])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert 'courses/sample/course.md:5: unknown competence code "7.7": use codes such as "4.2" ' \
           "from Circular 02/2025/TT-BGDĐT (see lms/content/competences.py)" in lines
    assert "quizzes/sample.md:15: this question has no right option: mark the right option(s) " \
           "with - [x]" in lines
    assert any(line.startswith('certificates/basic.md:6: there is no certificate template "gone"')
               for line in lines)
    assert lines[-1].endswith("3 errors, 0 warnings")


def test_broken_copy_of_the_bundled_content_fails(runner, bundled_copy):
    root = bundled_copy
    quiz = sorted((root / "quizzes").glob("*.md"))[0]
    text = quiz.read_text(encoding="utf-8").replace("- [x]", "- [ ]")
    quiz.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--path", str(root)])
    assert result.exit_code == 1
    assert f"quizzes/{quiz.name}:" in result.output and "has no right option" in result.output


def test_warnings_fail_only_in_strict_mode(runner, content_tree):
    files = valid_tree()
    del files["courses/sample/02-second.en.md"]
    root = content_tree(files)
    relaxed = runner.invoke(args=["content", "check", "--path", str(root)])
    strict = runner.invoke(args=["content", "check", "--strict", "--path", str(root)])
    assert (relaxed.exit_code, strict.exit_code) == (0, 1)
    assert "warning: no en translation" in strict.output


def test_the_real_command_prints_each_problem_once_and_builds_no_app(tmp_path, content_tree):
    files = valid_tree()
    del files["courses/sample/02-second.en.md"]
    root = content_tree(files)
    env = {**os.environ, "LMS_CONTENT_DIR": str(root), "LMS_INSTANCE_DIR": str(tmp_path / "i"),
           "LMS_LANGUAGE": "en"}
    env.pop("FLASK_APP", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "content", "check"],
                            cwd=REPOSITORY_ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    everything = result.stdout + result.stderr
    assert everything.count("no en translation of this lesson") == 1, everything
    assert not (tmp_path / "i").exists()  # no database was created to check files


@pytest.mark.parametrize("template, extra, expected", [
    ("<p>{{ holder_name }}</p>\n<p>{% if %}</p>\n", {},
     "certificates/templates/default/certificate.html:2: certificate template error: "
     "Expected an expression, got 'end of statement block'"),
    ("<p>\n{{ holder_name.surname }}</p>\n", {},
     "certificates/templates/default/certificate.html:2: this certificate template cannot be "
     "drawn (the vi sample): 'str object' has no attribute 'surname'; the values a template "
     "can use are listed in docs/authoring.md"),
    ("<h1>{{ labels.headng }}</h1>\n", {},
     "certificates/templates/default/certificate.html:1: this certificate template cannot be "
     "drawn (the vi sample): 'dict object' has no attribute 'headng'"),
    ("<p>{{ holder_name }}</p>\n\n<p>{{ competences[0].code }}</p>\n", {},
     "certificates/templates/default/certificate.html:3: this certificate template cannot be "
     "drawn (the vi sample without competences): "),
    ("<p>{{ holder_name }}</p>\n{% include 'footer.html' %}\n",
     {"certificates/templates/default/footer.html": "<p>\n{{ code }}\n{{ 1 / 0 }}</p>\n"},
     "certificates/templates/default/footer.html:3: this certificate template cannot be drawn "
     "(the vi sample): division by zero"),
])
def test_a_certificate_template_that_cannot_be_drawn_is_a_content_error_at_its_line(
        runner, content_tree, template, extra, expected):
    files = {**valid_tree(), "certificates/templates/default/certificate.html": template, **extra}
    result = runner.invoke(args=["content", "check", "--path", str(content_tree(files))])
    assert result.exit_code == 1
    assert any(line.startswith(expected) for line in result.output.splitlines()), result.output
    assert result.output.splitlines()[-1].endswith("1 errors, 0 warnings")


def test_a_linked_file_in_a_certificate_template_is_a_content_error(runner, content_tree):
    root = content_tree(valid_tree())
    (root / "certificates/templates/default/secret.html").symlink_to("/etc/passwd")
    result = runner.invoke(args=["content", "check", "--path", str(root)])
    assert result.exit_code == 1
    assert ("certificates/templates/default/secret.html:1: this is a symbolic link: put the "
            "file itself in the template folder") in result.output.splitlines()
