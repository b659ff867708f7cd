"""Splits a Markdown file into its YAML front matter and body, and reads typed fields.

Every problem is reported against the line of the *file*, not of the YAML block,
so a trainer can jump straight to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml

from lms.content.schema import Problem
from lms.wording import N_

try:  # the C parser is much faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

FENCE = "---"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Document:
    path: str
    meta: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # the file line on which the body starts (1-based)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True  # false when the front matter itself could not be parsed

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def report(self, message: str, /, line: int | None = None, key: str | None = None,
               severity: str = "error", **values) -> None:
        """`message` is marked with N_ and filled with `values` (see Problem.of)."""
        where = line if line is not None else self.line_of(key) if key else 1
        self.problems.append(Problem.of(self.path, where, message, severity, **values))

    # Typed readers: each reports a problem and returns None when the value is unusable.

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.report(N_('"%(field)s" is missing: add a line "%(field)s: ..." to the '
                               "front matter"), key=key, field=key)
            return None
        if not isinstance(value, (str, int, float)):
            self.report(N_('"%(field)s" must be plain text'), key=key, field=key)
            return None
        return str(value).strip()

    def integer(self, key: str, minimum: int, maximum: int, required: bool = True) -> int | None:
        value = self.meta.get(key)
        if value is None:
            if required:
                self.report(N_('"%(field)s" is missing: add a line "%(field)s: <number>"'),
                            key=key, field=key)
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.report(N_('"%(field)s" must be a whole number from %(minimum)d to %(maximum)d, '
                           'not "%(value)s"'), key=key, field=key, minimum=minimum,
                        maximum=maximum, value=value)
            return None
        return value

    def choice(self, key: str, allowed: Iterable[str]) -> str | None:
        """One of `allowed`, or None when the field is absent or unusable (then reported)."""
        value = self.meta.get(key)
        if value is None:
            return None
        allowed = tuple(allowed)
        if not isinstance(value, str) or value.strip() not in allowed:
            self.report(N_('"%(field)s" must be one of %(allowed)s, not "%(value)s"'), key=key,
                        field=key, allowed=", ".join(allowed), value=value)
            return None
        return value.strip()

    def choices(self, key: str, allowed: Iterable[str], required: bool = True) -> tuple[str, ...]:
        """A list (or a single value) whose every item is one of `allowed`."""
        allowed = tuple(allowed)
        items = self.string_list(key, required)
        unknown = [item for item in items if item not in allowed]
        for item in unknown:
            self.report(N_('unknown %(field)s "%(value)s": use one of %(allowed)s'), key=key,
                        field=key, value=item, allowed=", ".join(allowed))
        return tuple(item for item in items if item in allowed)

    def string_list(self, key: str, required: bool = True) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None or value == []:
            if required:
                self.report(N_('"%(field)s" is missing: add a line "%(field)s: [..., ...]"'),
                            key=key, field=key)
            return ()
        if not isinstance(value, list):
            value = [value]
        items = []
        for item in value:
            if isinstance(item, (dict, list)) or item is None:
                self.report(N_('"%(field)s" must be a list of plain values, like [a, b]'),
                            key=key, field=key)
                return ()
            items.append(str(item).strip())
        return tuple(items)

    def warn_unknown_keys(self, known: Iterable[str]) -> None:
        known = set(known)
        for key in self.meta:
            if key not in known:
                self.report(N_('unknown field "%(field)s" (is it misspelt?); known fields: '
                               "%(known)s"), key=str(key), severity="warning", field=key,
                            known=", ".join(sorted(known)))


def parse_document(path: str, text: str, require_front_matter: bool = True) -> Document:
    """Parse one file. Problems are kept on the document; the body is always returned."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        doc = Document(path, {}, {}, text, 1, readable=not require_front_matter)
        if require_front_matter:
            doc.report(N_('the file must start with a front matter block: a line "---", '
                          'fields such as "title: ...", then another line "---"'))
        return doc
    try:
        closing = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        doc = Document(path, {}, {}, "", len(lines), readable=False)
        doc.report(N_('the front matter block opened on line 1 is never closed: add a line '
                      '"---" after the last field'))
        return doc
    block = "\n".join(lines[1:closing])
    body = "\n".join(lines[closing + 1:])
    doc = Document(path, {}, {}, body, closing + 2)
    _read_yaml(doc, block)
    return doc


def _read_yaml(doc: Document, block: str) -> None:
    first_line = 2  # line 1 of the file is the opening "---"
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark and mark.line >= block.count("\n"):
            # Found only at the end of the block (an unclosed bracket or quote): point at
            # where the unfinished value began, which is where the trainer must look.
            mark = exc.context_mark
        line = first_line + mark.line if mark else first_line
        problem = (exc.problem or "").strip()  # the YAML parser's words, in English
        if problem:
            doc.report(N_("front matter is not valid: %(problem)s (check quotes, colons and "
                          "indentation)"), line=line, problem=problem)
        else:
            doc.report(N_("front matter is not valid: it cannot be read (check quotes, colons "
                          "and indentation)"), line=line)
        doc.readable = False
        return
    except yaml.YAMLError as exc:  # pragma: no cover - other parser failures have no mark
        doc.report(N_("front matter is not valid: %(problem)s"), line=first_line,
                   problem=str(exc))
        doc.readable = False
        return
    finally:
        loader.dispose()
    if data is None:
        return
    if not isinstance(data, dict):
        doc.report(N_('front matter must be a list of "field: value" lines'), line=first_line)
        doc.readable = False
        return
    doc.meta = {str(key): value for key, value in data.items()}
    doc.key_lines = {str(key.value): first_line + key.start_mark.line for key, _ in node.value}
