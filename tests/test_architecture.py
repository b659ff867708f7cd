"""Imports run one way: the content pipeline knows nothing of Flask or the database."""
import ast
from pathlib import Path

import lms.content

FORBIDDEN = ("flask", "flask_", "sqlalchemy", "lms.models", "lms.extensions", "lms.db",
             "lms.catalog", "werkzeug")


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_content_package_imports_nothing_from_flask_or_the_models():
    package = Path(lms.content.__file__).parent
    offenders = {
        f"{path.name}: {module}"
        for path in package.glob("*.py")
        for module in imported_modules(path)
        if module.startswith(FORBIDDEN)
    }
    assert list(package.glob("*.py")) and offenders == set()


def test_the_check_itself_catches_a_flask_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from flask import current_app\n")
    assert any(m.startswith(FORBIDDEN) for m in imported_modules(sample))
