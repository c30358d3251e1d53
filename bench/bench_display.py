"""R-6's sanitizer on the output path: what `safe_text` costs per shown value.

- a 10,000-row table's worth of ordinary names (the common case, one regex
  scan and no copy): goal under 20 ms for all rows, i.e. 2 µs a value, so a
  list command or a screen redraw never shows it.
- the same rows when every name holds escape sequences (the slow path:
  rewrite and copy): informational, with its ratio to the common case.
- the TUI's line filter over a screenful of ordinary rendered lines: informational.
"""

from __future__ import annotations

from rich.segment import Segment

from bench import Result, median_ms, timed
from core.text.display import safe_text

AREA = "display"
ORDINARY = (
    "Rugbrød",
    "Kaffe, økologisk 400 g",
    "Þórður Æðarsson",
    "Café Blå Dør ApS",
    "Skyr, hreint 500 g",
    "👩‍👩‍👧 Familiepakke",
    "Change for the drawer, to the safe",
    "Harðfiskur 100 g",
)
HOSTILE = tuple(f"{n}\x1b[2J\x1b]0;owned\x07\r\u202e" for n in ORDINARY)


def run(quick: bool) -> list[Result]:
    rows = 2_000 if quick else 10_000
    repeat = 5 if quick else 20
    ordinary = [ORDINARY[i % len(ORDINARY)] + str(i) for i in range(rows)]
    hostile = [HOSTILE[i % len(HOSTILE)] + str(i) for i in range(rows)]

    def show(values: list[str]) -> None:
        for v in values:
            safe_text(v)

    plain_ms = median_ms(timed(lambda: show(ordinary), repeat)) * 10_000 / rows
    hostile_ms = median_ms(timed(lambda: show(hostile), repeat)) * 10_000 / rows

    from textual.color import Color

    from tui.widgets.safe import ControlCharacterFilter

    line_filter = ControlCharacterFilter()
    screen = [[Segment(f"{v:<40}"), Segment("  12,50 kr.")] for v in ordinary[:24]]
    black = Color(0, 0, 0)

    def filter_screen() -> None:
        for line in screen:
            line_filter.apply(line, black)

    filter_ms = median_ms(timed(filter_screen, repeat * 10))
    return [
        Result(AREA, "safe_text, 10,000 ordinary values", plain_ms, "ms", goal=20.0),
        Result(
            AREA,
            "safe_text, 10,000 hostile values",
            hostile_ms,
            "ms",
            note=f"{hostile_ms / plain_ms:.1f}x the ordinary case",
        ),
        Result(AREA, "line filter, one 80x24 screen", filter_ms, "ms"),
    ]
