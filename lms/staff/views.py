"""Importing civil servants and activating their accounts."""
from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
