"""The content pipeline: trainers' Markdown files in, an immutable catalog out.

Nothing in this package imports Flask or the database models; the CLI check,
the web app and the tests all call the same `load_catalog`.
"""
from lms.content.loader import content_fingerprint, load_catalog
from lms.content.schema import Catalog, Problem

__all__ = ["Catalog", "Problem", "content_fingerprint", "load_catalog"]
