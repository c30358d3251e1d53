"""The top line: where the till is, what it shows, and who is logged in.

The name of whoever is logged in is not part of what a screen passes: the bar
reads it from the app each time, and the app refreshes every bar on the screen
stack when someone logs in or the till locks (C-6: after an idle lock no header
keeps the previous person's name).

It also shows the printer's warning when the printer reports one (SPEC P-6:
"Paper low", "Cover open", "Paper out", "Printer offline"); the till's hardware
bridge finds it out in a worker and refreshes every bar, as a login does.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static

from core.text.i18n import _
from tui.widgets.safe import shown


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    StatusBar.printer-warning { background: $warning; color: $text; }
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("markup", False)  # store and staff names are data, not markup
        super().__init__(*args, **kwargs)
        self.parts: tuple[str, ...] = ()

    def show(self, *parts: str) -> None:
        self.parts = parts
        self.refresh_staff()

    def refresh_staff(self) -> None:
        """Redraw with whoever is logged in now ("locked" while nobody is)."""
        staff = getattr(self.app, "staff", None)
        who = shown(staff.name) if staff is not None else _("locked")
        hardware = getattr(self.app, "hardware", None)
        printer = getattr(hardware, "printer_warning", "") or ""
        self.set_class(bool(printer), "printer-warning")
        # store, terminal and staff names are stored text: shown, never obeyed
        parts = [shown(p) for p in (printer, *self.parts, who) if p]
        self.update(_fit(parts, self.size.width) if printer else "  ·  ".join(parts))

    def on_resize(self) -> None:
        self.refresh_staff()


def _fit(parts: list[str], width: int) -> str:
    """The parts in one line of `width` cells: closer together first, then without the
    second part (the store, which the terminal's name already places), so a printer
    warning in front never pushes the name of whoever is logged in off the line."""
    room = width - 2  # the bar's padding
    text = "  ·  ".join(parts)
    if room <= 0 or cell_len(text) <= room:
        return text
    text = " · ".join(parts)
    if cell_len(text) <= room or len(parts) < 4:
        return text
    return " · ".join(parts[:1] + parts[2:])


def refresh_every_status_bar(app) -> None:
    """After a login or a lock: every screen on the stack shows who is at the till."""
    for screen in getattr(app, "screen_stack", ()):
        for bar in screen.query(StatusBar):
            bar.refresh_staff()
