"""Where to send a person next, without letting a link send them to another site."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Longer than any page address here; a longer `next` is junk, not a place to go back to.
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site ("/courses/x/?a=b"), else `default`.

    Browsers read "\\" as "/", drop tabs and newlines, and a proxy or a browser may fold
    full-width characters ("／" into "/"), so the checks run on the NFKC form and refuse
    anything that any of them could read as another host or a scheme.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return default
    folded = unicodedata.normalize("NFKC", target)
    if (not folded.startswith("/") or folded.startswith("//") or "\\" in folded
            or any(unicodedata.category(char)[0] in "CZ" for char in folded)):
        return default
    try:
        parts = urlsplit(folded)
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 host
        return default
    if parts.scheme or parts.netloc:
        return default
    return folded
