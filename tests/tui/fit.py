"""Does every text on the screen fit (C-6)? Checks on the live widget tree, not guesses
on the snapshot text: a widget that needs more lines than it has, a one-line widget
whose text is wider than it, a widget cut off by the screen or by a parent that cannot
scroll, a table cell or footer key shortened with an ellipsis."""

from __future__ import annotations

from rich.cells import cell_len
from textual.containers import ScrollableContainer
from textual.geometry import Region, Size
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey


def _label(widget: Widget) -> str:
    text = ""
    if isinstance(widget, Static):
        text = str(widget.render())[:50].replace("\n", " ")
    return f"{widget.__class__.__name__}#{widget.id or ''} {text!r}"


def _scrolls(widget: Widget) -> bool:
    return isinstance(widget, ScrollableContainer | DataTable) or widget.styles.overflow_y in (
        "auto",
        "scroll",
    )


def cut_texts(app) -> list[str]:
    """What on the current screen is cut or hidden: one line per problem, empty if none."""
    screen = app.screen
    problems: list[str] = []
    screen_region = Region(0, 0, *app.size)
    for widget in screen.walk_children(Widget, with_self=False):
        if not widget.display or not widget.visible or widget.region.area == 0:
            if widget.display and isinstance(widget, Static) and str(widget.render()).strip():
                # laid out with no room at all, although it has something to say
                if any(not a.display for a in widget.ancestors_with_self if isinstance(a, Widget)):
                    continue
                problems.append(f"{_label(widget)}: no room on screen")
            continue
        if isinstance(widget, FooterKey):
            # the footer scrolls sideways with no scrollbar: a key past column 80 is lost
            if "…" in str(widget.render()) or not screen_region.contains_region(widget.region):
                problems.append(
                    f"footer key {widget.key_display or widget.key}: cut or off the screen"
                )
            continue
        if isinstance(widget, Static) and not isinstance(widget, FooterKey):
            content = widget.content_region
            if content.width > 0:
                needed = widget.get_content_height(Size(*app.size), Size(*app.size), content.width)
                if needed > content.height and not _scrolls(widget):
                    problems.append(f"{_label(widget)}: needs {needed} lines, has {content.height}")
        # Inside a parent that cannot scroll, every widget is wholly visible.
        for parent in widget.ancestors:
            if not isinstance(parent, Widget) or parent is screen:
                break
            if _scrolls(parent):
                break
            if parent.region.area and not parent.region.contains_region(widget.region):
                problems.append(f"{_label(widget)}: cut by {parent.__class__.__name__}")
                break
        if not _inside_scroller(widget, screen) and not screen_region.contains_region(
            widget.region
        ):
            problems.append(f"{_label(widget)}: off the screen at {widget.region}")
    if isinstance(screen.focused, Input) and not screen_region.contains_region(
        screen.focused.region
    ):
        problems.append("the focused field is off the screen")
    for table in screen.query(DataTable):
        columns = table.ordered_columns
        for column in columns:
            if not column.auto_width and cell_len(str(column.label)) > column.width:
                problems.append(f"DataTable#{table.id}: heading {str(column.label)!r} cut")
        for row in range(table.row_count):
            for column, cell in zip(columns, table.get_row_at(row), strict=False):
                if not column.auto_width and cell_len(str(cell)) > column.width:
                    problems.append(f"DataTable#{table.id}: cell {str(cell)!r} cut")
    return list(dict.fromkeys(problems))


def _inside_scroller(widget: Widget, screen) -> bool:
    return any(_scrolls(a) for a in widget.ancestors if isinstance(a, Widget) and a is not screen)


def cut_lines(text: str, width: int = 80) -> list[str]:
    """Lines of a text snapshot that look cut at the right edge: a word running into the
    last column (no border, no padding after it) or an ellipsis."""
    out = []
    for line in text.splitlines():
        if (
            "…" in line
            or len(line) >= width
            and line[width - 1].isalnum()
            and line[width - 2].isalnum()
        ):
            out.append(line)
    return out
