"""What every importer produces: questions in a neutral shape, problems at a line of the source."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from lms.content.schema import Problem
from lms.wording import N_

# Imports read a whole file into memory and parse it; a question bank of a few thousand
# questions is well under this. Beyond it, a file is refused before any parsing.
MAX_IMPORT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ImportedOption:
    text: str
    right: bool
    feedback: str = ""


@dataclass(frozen=True)
class ImportedQuestion:
    line: int  # where the question starts in the source file
    text: str  # the prompt; lines after the first become the scenario under the heading
    options: tuple[ImportedOption, ...]
    feedback: str = ""  # the general feedback, if any


# Said by every importer of a question whose text shows an image.
IMAGE_NOT_CONVERTED = N_('the image "%(image)s" is not converted: add it to the course\'s '
                         "images/ folder and link it from the question")


class Problems:
    """Collects problems about one source file, as `path:line: message`."""

    def __init__(self, path: str):
        self.path = path
        self.items: list[Problem] = []

    def error(self, line: int, message: str, /, **values) -> None:
        """Something left out of the output (`message` marked with N_, see Problem.of)."""
        self.items.append(Problem.of(self.path, line, message, "error", **values))

    def warning(self, line: int, message: str, /, **values) -> None:
        """Converted, but differently from the source: the trainer should look."""
        self.items.append(Problem.of(self.path, line, message, "warning", **values))


BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
              "table", "blockquote", "pre", "hr"}
SKIPPED_TAGS = {"script", "style"}


class _TextFromHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def text_from_html(source: str) -> tuple[str, list[str]]:
    """Plain text of an HTML fragment, keeping its line breaks, and the images it referred to.

    Moodle stores question text as HTML; our files are Markdown whose raw HTML the pipeline
    removes, so tags go and the words and paragraphs stay."""
    parser = _TextFromHTML()
    parser.feed(source)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return html.unescape(text) if "&" in text else text, parser.images


def image_name(src: str) -> str:
    """`@@PLUGINFILE@@/map%20of%20HN.png` → `map of HN.png`, for a message."""
    return unquote(src.replace("@@PLUGINFILE@@/", "")) or src
