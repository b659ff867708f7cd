"""The lms app a benchmark script measures: migrated, in an instance folder of its own, on the
database given (`--database-url`) or else on a new SQLite file in that folder."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app  # noqa: E402
from lms.config import _database_url  # noqa: E402


def benchmark_app(database_url: str | None, name: str, **settings):
    """(the app, the database URL it runs on)."""
    folder = tempfile.mkdtemp(prefix=f"lms-{name}-bench-")
    os.environ["LMS_INSTANCE_DIR"] = folder
    url = database_url or f"sqlite:///{folder}/lms.sqlite3"
    app = create_app({"SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": _database_url(url),
                      "LMS_AUTO_MIGRATE": True, **settings})
    return app, url
