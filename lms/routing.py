"""URL converters every blueprint shares: a database id is parsed within its column's range."""
from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

# Ids are 32-bit INTEGER columns on PostgreSQL: a larger number in a URL is an overflow error
# there (a 500), so it is "not found" before any query runs.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(BaseConverter):
    """`<id:name>`: 1..2^31-1 in ASCII digits, else the URL does not match (404)."""

    # \d would also match other scripts' digits ("١٢"); ten digits bound the int() call.
    regex = r"[0-9]{1,10}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_DATABASE_ID:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
