"""Stored text on screen (R-6): shown, never obeyed, never read as markup.

`plain` is the form for a stored name or note in a DataTable cell or any
widget that takes a renderable: a Rich `Text`, so ``[red]x[/]`` in an item
name shows as typed (a bare str cell in a DataTable is parsed as markup),
and its content went through core's `safe_text`. `shown` is the str form for
Static/OptionList widgets built with ``markup=False``.

`ControlCharacterFilter` is the app-wide net under both: every rendered line
of every widget passes it before the driver writes to the terminal, so a
screen added later that forgets `plain` still cannot emit ESC, C1 or bidi
controls (they are deleted there; only `safe_text` shows them as marks).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from core.text.display import safe_text, without_controls


def shown(value: object, *, keep_newlines: bool = False) -> str:
    """A stored value as a str for a widget that does not parse markup."""
    return safe_text("" if value is None else str(value), keep_newlines=keep_newlines)


def plain(value: object) -> Text:
    """A stored value as a one-line renderable: visible marks for controls, no markup."""
    return Text(shown(value))


class ControlCharacterFilter(LineFilter):
    """Deletes control characters left in a rendered line (R-6's last net)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = segments
        for i, seg in enumerate(segments):
            if seg.control:
                continue
            text = without_controls(seg.text)
            if text is not seg.text:
                if out is segments:
                    out = list(segments)
                out[i] = Segment(text, seg.style, seg.control)
        return out
