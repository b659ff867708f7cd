"""Liveness for load balancers and monitoring.

A load balancer reads the status code: 200 means serve (the body says "ok" or "degraded"),
503 means take this worker out (the database is unreachable). Monitoring alerts on
"degraded": the rate limits are counted per worker, which multiplies them by the number
of workers (Redis unreachable, or not configured in production).
"""
from flask import Blueprint, current_app, jsonify

from lms.db import database_is_reachable
from lms.limits import storage_state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    if not database_is_reachable():
        return jsonify(status="database unreachable"), 503
    limits = storage_state()
    degraded = limits == "unreachable" or (
        limits == "per-process" and current_app.config["LMS_ENV"] == "production")
    return jsonify(status="degraded" if degraded else "ok", database="ok", rate_limits=limits)
