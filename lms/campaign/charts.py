"""Small charts drawn on the server as inline SVG: no JavaScript, no style attributes (CSP).

Each chart is 320 units wide and scales to its box through viewBox; its text is 15 units high,
so on a 360 px phone (about 328 px of content width) it is still at least 15 px tall.
"""
from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

WIDTH = 320
FONT = 15
BAR = "#0a58a6"
TRACK = "#dfe7ef"
INK = "#1b1b1b"
MUTED = "#4d4d4d"


def _svg(height: int, body: list[str], label: str | None) -> Markup:
    # A chart with a label is an image for screen readers; without one it only repeats the
    # table next to it, so it is hidden from them.
    role = (f'role="img" aria-label="{escape(label)}"' if label
            else 'aria-hidden="true" focusable="false"')
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
                  f'height="{height}" {role} xmlns="http://www.w3.org/2000/svg" '
                  f'font-family="system-ui, sans-serif" font-size="{FONT}">'
                  + "".join(body) + "</svg>")


def _text(x: float, y: float, content: str, anchor: str = "start", fill: str = INK,
          weight: str | None = None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" fill="{fill}"{bold}>'
            f"{escape(content)}</text>")


def daily_columns(days: list[tuple[date, int]], label: str) -> Markup:
    """One column per day, oldest on the left; the first, middle and last days are labelled."""
    top, plot, bottom = 24, 110, 26
    height = top + plot + bottom
    peak = max((n for _, n in days), default=0)
    slot = WIDTH / max(len(days), 1)
    body = [f'<line x1="0" y1="{top + plot}" x2="{WIDTH}" y2="{top + plot}" stroke="{MUTED}" '
            f'stroke-width="1"/>',
            _text(0, FONT, f"{peak}" if peak else "0", fill=MUTED),
            f'<line x1="0" y1="{top}" x2="{WIDTH}" y2="{top}" stroke="{TRACK}" '
            f'stroke-width="1" stroke-dasharray="4 4"/>']
    for index, (_, count) in enumerate(days):
        if count:
            bar_height = max(plot * count / peak, 2)
            body.append(f'<rect x="{index * slot + 1:.1f}" y="{top + plot - bar_height:.1f}" '
                        f'width="{max(slot - 2, 1):.1f}" height="{bar_height:.1f}" fill="{BAR}"/>')
    if days:
        marks = [(0, "start"), (len(days) // 2, "middle"), (len(days) - 1, "end")]
        for index, anchor in marks:
            x = {"start": 0, "middle": (index + 0.5) * slot, "end": WIDTH}[anchor]
            body.append(_text(x, height - 6, days[index][0].strftime("%d/%m"), anchor, MUTED))
    return _svg(height, body, label)


def share_bars(items: list[tuple[str, int, int]]) -> Markup:
    """A bar per (label, part, whole): the share of the whole, with its percentage."""
    row = 48
    height = row * len(items) + 4
    track = WIDTH - 64
    body = []
    for index, (label, part, whole) in enumerate(items):
        y = index * row
        percent = part * 100 // whole if whole else 0
        body.append(_text(0, y + FONT + 2, label))
        body.append(f'<rect x="0" y="{y + 24}" width="{track}" height="16" rx="3" '
                    f'fill="{TRACK}"/>')
        if percent:
            body.append(f'<rect x="0" y="{y + 24}" width="{track * percent / 100:.1f}" '
                        f'height="16" rx="3" fill="{BAR}"/>')
        body.append(_text(WIDTH, y + 38, f"{percent}%", "end", weight="600"))
    return _svg(height, body, None)
