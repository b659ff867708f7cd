"""Campaign dashboards, assignments, targets and exports, per organisation unit."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
