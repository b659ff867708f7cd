"""lms: a self-paced digital-skills learning platform."""
from __future__ import annotations

import os

from flask import Flask

from lms.config import REPOSITORY_ROOT, settings_from_environment


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("LMS_INSTANCE_DIR") or str(REPOSITORY_ROOT / "instance"),
        template_folder=str(REPOSITORY_ROOT / "templates"),
        static_folder=str(REPOSITORY_ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings_from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from lms import catalog, cli, db, i18n
    from lms.extensions import csrf

    db.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    catalog.init_app(app)
    cli.init_app(app)

    from lms.health.views import bp as health_bp
    from lms.learn.views import bp as learn_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(learn_bp)
    return app
