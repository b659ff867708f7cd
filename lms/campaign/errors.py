"""What the campaign's forms are told when a value breaks a rule."""
from __future__ import annotations


class ReportError(ValueError):
    """A form value breaks a rule; `field` and `code` say which and why."""

    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code
