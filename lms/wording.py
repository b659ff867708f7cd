"""Messages written once, in English, and put into the reader's language where they are shown.

A service names what went wrong with a code; its words are marked here with N_ (so
`lms/translations/update.sh` puts them in the catalog) and translated by whoever shows them:
a page with Flask-Babel's gettext, a command with the command line's (lms/command_line.py).
"""
from __future__ import annotations

from typing import Callable

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Marks a message for the catalog (gettext's name for it); it is translated when shown."""
    return message


def in_english(message: str) -> str:
    """The Gettext of English, the language the messages are written in."""
    return message
