"""The house rules, enforced: imports run one way (STYLE.md, "Layout and dependency direction").

- the content pipeline knows nothing of Flask or the database;
- a blueprint never imports another blueprint's views or forms;
- services never import from blueprints (they are called by views and commands, not the reverse);
  an area's own service modules (lms/campaign/*.py beside its blueprints) count as services;
- db.py imports no service.
"""
import ast
from pathlib import Path

import lms
import lms.content

FORBIDDEN = ("flask", "flask_", "sqlalchemy", "lms.models", "lms.extensions", "lms.db",
             "lms.catalog", "werkzeug")
PACKAGE = Path(lms.__file__).parent
# Dotted names under lms: "auth", or "campaign.reports" for a blueprint inside an area's package.
BLUEPRINTS = sorted(".".join(p.parent.relative_to(PACKAGE).parts)
                    for p in [*PACKAGE.glob("*/views.py"), *PACKAGE.glob("*/*/views.py")])
SERVICES = [*(PACKAGE / "services").glob("*.py"), *(PACKAGE / "campaign").glob("*.py")]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            # "from lms.auth import views" names the module in the alias
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
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


def crossings(path: Path, own: str | None) -> set[str]:
    """Views or forms of a blueprint other than `own` that `path` imports."""
    return {module for module in imported_modules(path)
            for other in BLUEPRINTS if other != own
            for part in ("views", "forms")
            if module == f"lms.{other}.{part}" or module.startswith(f"lms.{other}.{part}.")}


def test_no_blueprint_imports_another_blueprints_views_or_forms():
    assert {"auth", "learn", "quiz", "me", "certificates", "campaign.reports", "campaign.staff",
            "admin"} <= set(BLUEPRINTS)
    offenders = {f"{path.relative_to(PACKAGE)}: {module}"
                 for blueprint in BLUEPRINTS
                 for path in PACKAGE.joinpath(*blueprint.split(".")).glob("*.py")
                 for module in crossings(path, blueprint)}
    assert offenders == set()


def test_services_never_import_from_blueprints():
    assert PACKAGE / "campaign" / "targets.py" in SERVICES
    offenders = {f"{path.name}: {module}"
                 for path in SERVICES
                 for module in imported_modules(path)
                 if any(module == f"lms.{b}" or module.startswith(f"lms.{b}.")
                        for b in BLUEPRINTS)}
    assert offenders == set()


def test_services_never_touch_the_request():
    offenders = {f"{path.name}: {module}"
                 for path in SERVICES
                 for module in imported_modules(path)
                 if module in ("flask.request", "flask.session", "flask.g",
                               "flask_login.current_user")}
    assert offenders == set()


def test_db_module_imports_no_service():
    assert not {m for m in imported_modules(PACKAGE / "db.py") if m.startswith("lms.services")}


def test_the_blueprint_check_catches_a_crossing(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("from lms.learn.views import course_or_404\nfrom lms.auth import forms\n")
    assert {"lms.learn.views", "lms.auth.forms"} <= crossings(sample, "quiz")
    assert crossings(sample, "learn") == {"lms.auth.forms"}
