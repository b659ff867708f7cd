"""lms: a self-paced digital-skills learning platform."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import (REPOSITORY_ROOT, instance_path_from_environment, make_private_folder,
                        settings_from_environment)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path_from_environment(),
        template_folder=str(REPOSITORY_ROOT / "templates"),
        static_folder=str(REPOSITORY_ROOT / "static"),
    )
    make_private_folder(app.instance_path)
    app.config.from_mapping(settings_from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["LMS_PROXY_COUNT"]:
        proxies = app.config["LMS_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from lms import (catalog, cli, db, device, errors, i18n, limits, messaging, page_slots,
                     security, static_files)
    from lms.extensions import cache, csrf
    from lms.routing import DatabaseIdConverter

    app.url_map.converters["id"] = DatabaseIdConverter  # before any blueprint's rules use it

    # Settings that cannot work refuse to start before anything touches the database.
    messaging.init_app(app)
    db.init_app(app, after_upgrade=_seed_sample_units if app.config.get(
        "LMS_SEED_SAMPLE_UNITS", True) else None)
    cache.init_app(app)
    csrf.init_app(app)
    limits.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    page_slots.init_app(app)  # after CSRFProtect and Flask-Compress (see there)
    i18n.init_app(app)
    device.init_app(app)
    catalog.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    from lms.admin.views import bp as admin_bp
    from lms.auth.views import bp as auth_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.device.views import bp as device_bp
    from lms.health.views import bp as health_bp
    from lms.learn.views import bp as learn_bp
    from lms.me.views import bp as me_bp
    from lms.quiz.views import bp as quiz_bp
    from lms.campaign.reports.views import bp as reports_bp
    from lms.campaign.staff.views import bp as staff_bp
    from lms.support.views import bp as support_bp

    for blueprint in (health_bp, learn_bp, auth_bp, quiz_bp, me_bp, certificates_bp, admin_bp,
                      staff_bp, reports_bp, support_bp, device_bp):
        app.register_blueprint(blueprint)
    return app


def _seed_sample_units(session) -> None:
    """A fresh install gets a small sample list of units, so that sign-up works at once."""
    from lms.campaign.units import seed_sample_units_if_empty

    seed_sample_units_if_empty(session)
