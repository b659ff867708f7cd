"""Liveness for load balancers and monitoring."""
from flask import Blueprint, jsonify

from lms.db import database_is_reachable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    if database_is_reachable():
        return jsonify(status="ok")
    return jsonify(status="database unreachable"), 503
