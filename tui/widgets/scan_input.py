"""A field that takes a scanner's burst in order (SPEC C-1).

A barcode scanner is a keyboard: it types a code in a few milliseconds and ends
it with Enter, Tab or LF (ctrl+j). Textual's ``Input`` runs Enter as a binding,
and bindings run only after the event has bubbled up to the app, by which time
the rest of the burst's characters are already in the field: three codes in one
burst become three submits of all twelve digits. This field ends a code in its
own key handler instead, before any later key is looked at: it takes the value,
clears itself (or not, for a form field) and posts ``Scanned`` with the code.

A terminator that moves to another field (``advance_to``) moves the focus at
once, in the same handler; keys of the same burst that the app had already
routed here are handed on to the field that now has the focus, in order.

A screen's own keys (F5 pay, F8 remove ...) run as priority bindings, as the app
reads them, and queue their action here as ``InOrder``: it reaches the screen
behind the codes typed before the key and ahead of those typed after it.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

TERMINATORS = {"enter": "enter", "tab": "tab", "ctrl+j": "enter"}


class ScanInput(Input):
    """An ``Input`` whose Enter, Tab and LF each end their own code, in order."""

    class Scanned(Message):
        """A code ended by a terminator; ``value`` is the text at that moment."""

        def __init__(self, scan_input: ScanInput, value: str, key: str) -> None:
            super().__init__()
            self.scan_input = scan_input
            self.value = value
            self.key = key  # "enter" (Enter or LF) or "tab"

        @property
        def control(self) -> ScanInput:
            return self.scan_input

    class InOrder(Message):
        """A screen action queued behind the keys this field already holds: it reaches
        the screen after the codes typed before it and before those typed after."""

        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def __init__(
        self,
        *args,
        clear_on_scan: bool = True,
        advance_to: str | None = None,
        tab_to: str | None = None,
        advance_empty: bool = False,
        **kwargs,
    ) -> None:
        """``clear_on_scan``: empty the field as the code is taken (a scan field); a form
        field keeps its text. ``advance_to``: the id of the field that takes the keys
        after a non-empty code (after any, with ``advance_empty``: a form's next field).
        ``tab_to``: where Tab goes instead of ending a code."""
        super().__init__(*args, **kwargs)
        self.clear_on_scan = clear_on_scan
        self.advance_to = advance_to
        self.tab_to = tab_to
        self.advance_empty = advance_empty

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused if self.is_attached else None
        if focused is not None and focused is not self and isinstance(focused, Input):
            # Routed here before our own terminator moved the focus: it belongs there.
            # A fresh event (this one stops here), as old as the key itself.
            handed_on = events.Key(event.key, event.character)
            handed_on.time = event.time
            event.stop()
            event.prevent_default()
            focused.post_message(handed_on)
            return
        kind = TERMINATORS.get(event.key)
        if kind is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        if kind == "tab" and self.tab_to is not None:
            self._move_to(self.tab_to)
            return
        value = self.value
        if self.clear_on_scan:
            self.value = ""
        if self.advance_to is not None and (self.advance_empty or value.strip()):
            self._move_to(self.advance_to)
        self.screen.post_message(self.Scanned(self, value, kind))

    def on_scan_input_in_order(self, message: InOrder) -> None:
        # Straight to the screen, as Scanned goes: posted to this field's own queue it
        # would fall in behind the keys typed after it.
        message.stop()
        self.screen.post_message(self.InOrder(message.action))

    def _move_to(self, widget_id: str) -> None:
        target = self.screen.query_one(f"#{widget_id}")
        # Screen.set_focus takes effect now (Widget.focus waits a turn): the very next
        # key the app routes goes to the new field.
        self.screen.set_focus(target)
