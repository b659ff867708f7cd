"""`flask content check` as a trainer runs it."""
import os
import shutil
import subprocess
import sys

from lms.config import REPOSITORY_ROOT
from tests.content.test_loader import COURSE, PROGRAM, QUIZ
from tests.content.trees import valid_tree


def copy_of_bundled_content(tmp_path):
    root = tmp_path / "content"
    for folder in ("courses", "quizzes", "certificates"):
        shutil.copytree(REPOSITORY_ROOT / folder, root / folder)
    return root


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


def test_broken_copy_of_the_bundled_content_fails(runner, tmp_path):
    root = copy_of_bundled_content(tmp_path)
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
    env = {**os.environ, "LMS_CONTENT_DIR": str(root), "LMS_INSTANCE_DIR": str(tmp_path / "i")}
    env.pop("FLASK_APP", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "content", "check"],
                            cwd=REPOSITORY_ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    everything = result.stdout + result.stderr
    assert everything.count("no en translation of this lesson") == 1, everything
    assert not (tmp_path / "i").exists()  # no database was created to check files
