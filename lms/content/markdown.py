"""The one place where text becomes HTML: Python-Markdown with a fixed extension list, then nh3.

Relative links and images are handed to a resolver supplied by the loader, so a
lesson can say `images/map.svg` or `02-next.md` and the reader gets a working
URL, while a broken target becomes a problem with its line number.
"""
from __future__ import annotations

import html as html_escape
import re
from typing import Callable
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions.toc import slugify as _ascii_slugify
from markdown.treeprocessors import Treeprocessor

from lms.wording import N_


def slugify(value: str, separator: str) -> str:
    """Heading anchors from Vietnamese: "đ" has no accent to strip, so it must become "d"
    by hand, or "Quét mã QR để trả tiền" loses it ("quet-ma-qr-e-tra-tien")."""
    return _ascii_slugify(value.replace("đ", "d").replace("Đ", "D"), separator)


EXTENSIONS = ("tables", "admonition", "attr_list", "toc")
EXTENSION_CONFIGS = {
    "tables": {"use_align_attribute": True},
    "toc": {"permalink": False, "slugify": slugify},
}
# The boxes the stylesheet draws (docs/authoring.md); any other type would look like a note.
BOX_TYPES = ("note", "tip", "warning")
BOX_START = re.compile(r"^!!!\s*(?P<type>[^\s\"]*)")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
ALLOWED_CLASSES = {
    "div": {"admonition", "note", "tip", "warning", "danger", "important"},
    "p": {"admonition-title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Text made only of letters, digits, spaces and harmless punctuation, with no line that could
# start a list, quote or heading, renders to escaped paragraphs: Markdown would add nothing.
# Quiz options and explanations are mostly like this, and skipping the parser for them is
# what keeps a large catalog loading in well under two seconds.
PLAIN_TEXT = re.compile(r"[\w \n.,;:?!'\"()%/\u2013\u2014\u2026\u201c\u201d\u2018\u2019-]*")
BLOCK_MARKER = re.compile(r"^\s*(?:\d+[.)]|[-+*>#=]|$)|  $|^ {4}", re.MULTILINE)

# A resolver gets the raw relative target and whether it is an image; it returns the URL to
# use, or None when the target does not exist, or raises RefusedTarget saying why it may not
# be used.
Resolver = Callable[[str, bool], "str | None"]


class RefusedTarget(Exception):
    """The target exists but may not be served (e.g. a symbolic link, or not an image); the
    message is marked with N_, filled with the values when shown."""

    def __init__(self, message_id: str, **values):
        super().__init__(message_id % values if values else message_id)
        self.message_id, self.values = message_id, values


class BrokenReference:
    def __init__(self, target: str, is_image: bool, reason: str, message_id: str = "",
                 values: dict | None = None):
        self.target, self.is_image, self.reason = target, is_image, reason
        self.message_id, self.values = message_id, values or {}  # why it is refused


class SourceNote:
    """Something in the source that renders otherwise than its writer meant, and the fix."""

    def __init__(self, offset: int, message_id: str, **values):
        self.offset = offset  # 0-based line in the text
        self.message_id, self.values = message_id, values  # marked with N_, and its values
        self.message = message_id % values if values else message_id  # in English


def check_source(text: str) -> list[SourceNote]:
    """Box syntax that would render wrongly without a word: an unknown type, or a body that
    is not indented by four spaces (the text then falls outside an empty box)."""
    notes = []
    lines = text.split("\n")
    for n, line in enumerate(lines):
        start = BOX_START.match(line)
        if not start:
            continue
        kind = start.group("type")
        if kind not in BOX_TYPES:
            notes.append(SourceNote(n, N_('unknown box type "%(kind)s": use one of %(kinds)s, '
                                          'e.g. !!! note "Ghi nhớ"'),
                                    kind=kind, kinds=", ".join(BOX_TYPES)))
        body = next((later for later in lines[n + 1:] if later.strip()), "")
        if not body.startswith(("    ", "\t")):
            notes.append(SourceNote(n, N_("the box's text must be indented by four spaces on "
                                          "the lines below !!!, or the box shows empty")))
    return notes


def removed_html(md: markdown.Markdown) -> list[str]:
    """Raw HTML chunks of the last conversion that the sanitiser changes or drops."""
    return [chunk for chunk in md.htmlStash.rawHtmlBlocks
            if isinstance(chunk, str) and sanitize(chunk) != chunk]


class _ReferenceRewriter(Treeprocessor):
    """Points relative links and images at their served URLs and records broken ones."""

    def run(self, root: Element) -> None:
        resolver: Resolver | None = getattr(self.md, "lms_resolver", None)
        broken: list[BrokenReference] = self.md.lms_broken  # type: ignore[attr-defined]
        for element in root.iter():
            if element.tag == "img":
                element.set("loading", "lazy")
                if not (element.get("alt") or "").strip():
                    broken.append(BrokenReference(element.get("src", ""), True, "no-alt"))
                self._rewrite(element, "src", True, resolver, broken)
            elif element.tag == "a":
                self._rewrite(element, "href", False, resolver, broken)

    @staticmethod
    def _rewrite(element: Element, attribute: str, is_image: bool,
                 resolver: Resolver | None, broken: list[BrokenReference]) -> None:
        target = element.get(attribute, "")
        parts = urlsplit(target)
        if not target or parts.scheme or parts.netloc or target.startswith(("/", "#")):
            return
        try:
            url = resolver(target, is_image) if resolver else None
        except RefusedTarget as refused:
            broken.append(BrokenReference(target, is_image, "refused", refused.message_id,
                                          refused.values))
            return
        if url is None:
            broken.append(BrokenReference(target, is_image, "missing"))
        else:
            element.set(attribute, url)


class _RewriterExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_ReferenceRewriter(md), "lms_references", 1)


class MarkdownRenderer:
    """Reuses one Markdown instance (building one is the costly part). Not thread-safe."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, _RewriterExtension()],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )

    def render(self, text: str, resolver: Resolver | None = None) -> tuple[str, list[BrokenReference]]:
        plain = _render_plain(text)
        if plain is not None:
            return plain, []
        md = self._md
        md.reset()
        md.lms_resolver = resolver  # type: ignore[attr-defined]
        md.lms_broken = []  # type: ignore[attr-defined]
        html = md.convert(text)
        broken = md.lms_broken  # type: ignore[attr-defined]
        broken += [BrokenReference(chunk, False, "raw-html") for chunk in removed_html(md)]
        return sanitize(html), broken

    def render_inline(self, text: str) -> str:
        """Markdown for one line (an option, a heading) without the wrapping paragraph."""
        html, _ = self.render(text)
        match = re.fullmatch(r"<p>(.*)</p>", html.strip(), re.DOTALL)
        return match.group(1) if match else html


def _render_plain(text: str) -> str | None:
    """The HTML Markdown would produce for plain paragraphs, or None if `text` is not that."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text.strip("\n"))]
    if not PLAIN_TEXT.fullmatch(text) or any(BLOCK_MARKER.search(p) for p in paragraphs):
        return None
    return "\n".join(f"<p>{html_escape.escape(p, quote=False)}</p>" for p in paragraphs if p)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def line_of(source: str, needle: str, first_line: int) -> int:
    """The file line where `needle` first appears in `source`, which starts at `first_line`."""
    index = source.find(needle)
    return first_line + source.count("\n", 0, index) if index >= 0 else first_line
