"""Terminals and printers (SPEC K-6, P-4): the store's tills, each one's name and printer
setting, changed and tried from the back office.

The printer setting is edited as its JSON, checked by core when submitted (the
message under the field names the key; nothing is stored); the keys of the
setting's kind are listed under it. Saving needs config.manage, with a manager's
PIN when the person at the till lacks it, as the other back-office actions do.
F3 prints a test page on the chosen terminal's printer, in a worker thread. F4 pairs
a thin client with the terminal (W-2): the URL is shown and comes out of the terminal's
printer as a QR code for the thin client's scanner, printed now or not at all (a kept
print job would store the token).
"""

from __future__ import annotations

import json

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from core.errors import KassiError
from core.printing import setting_keys
from core.printing import settings as printer_settings
from core.store import stores, terminals
from core.store.db import connect
from core.text.i18n import _
from hardware._escpos import profile_codepages
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import plain, shown
from tui.widgets.status_bar import StatusBar

COLUMNS = {"id": 8, "name": 18, "kind": 8, "where": 21, "state": 11}


def _fit(text: str, width: int, *, tail: bool = False) -> str:
    """Shortened to a column (C-6: a cut cell is a bug); a path keeps its end."""
    if len(text) <= width:
        return text
    return "\u2026" + text[-(width - 1) :] if tail else text[: width - 1] + "\u2026"


def _where(setting: object) -> str:
    if not isinstance(setting, dict):
        return ""
    if setting.get("kind") == "network":
        return f"{setting.get('host', '')}:{setting.get('port', 9100)}"
    return str(setting.get("device") or setting.get("path") or "")


class TerminalSettingsScreen(Screen):
    CSS_PATH = "terminal_settings.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "save", "Save"),
        Binding("f3", "test_page", "Test page"),
        Binding("f4", "pair", "Pair screen"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.terminal_id: str | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        table = DataTable(id="terminal-list", cursor_type="row", zebra_stripes=True)
        for label, key in (
            (_("Terminal"), "id"),
            (_("Name"), "name"),
            (_("Printer"), "kind"),
            (_("Where"), "where"),
            (_("Setting"), "state"),
        ):
            table.add_column(label, width=COLUMNS[key])
        yield table
        yield Label(_("Name"))
        yield Input(id="terminal-name", max_length=80)
        yield Label(_("Printer setting (JSON)"))
        yield Input(id="printer-setting", max_length=4096)
        yield Static("", id="setting-error", classes="error", markup=False)
        yield Static("", id="setting-keys", markup=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(_("Terminals and printers"), self.app.store.name)
        self.load()
        self.query_one(DataTable).focus()

    def load(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for t in terminals.list_terminals(self.app.db, self.app.store.id):
            bad = printer_settings.problem(t.printer, profiles=profile_codepages)
            kind = t.printer.get("kind", "") if isinstance(t.printer, dict) else ""
            table.add_row(
                plain(_fit(t.id, COLUMNS["id"])),
                plain(_fit(t.name, COLUMNS["name"])),
                plain(_fit(str(kind), COLUMNS["kind"])),
                plain(_fit(_where(t.printer), COLUMNS["where"], tail=True)),
                _("wrong") if bad else _("ok"),
                key=t.id,
            )
        if not table.row_count:
            return
        rows = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]
        row = rows.index(self.terminal_id) if self.terminal_id in rows else 0
        table.move_cursor(row=row)  # a reload keeps the terminal being edited
        self.show_terminal(str(rows[row]))

    def show_terminal(self, terminal_id: str) -> None:
        terminal = terminals.get_terminal(self.app.db, terminal_id)
        self.terminal_id = terminal.id
        self.query_one("#terminal-name", Input).value = terminal.name
        self.query_one("#printer-setting", Input).value = json.dumps(
            terminal.printer, ensure_ascii=False
        )
        problem = printer_settings.problem(terminal.printer, profiles=profile_codepages)
        self.error(problem + ". " + printer_settings.fix_hint(terminal.id) if problem else "")
        self.show_keys(terminal.printer)

    def show_keys(self, setting: object) -> None:
        kind = setting.get("kind") if isinstance(setting, dict) else None
        text = ""
        if kind in setting_keys.KINDS:
            text = _("Keys of a {kind} printer: {keys}").format(
                kind=kind, keys=", ".join(setting_keys.keys_for(kind)[1:]) or "-"
            )
        self.query_one("#setting-keys", Static).update(shown(text))

    def error(self, text: str) -> None:
        self.query_one("#setting-error", Static).update(shown(text))

    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show_terminal(event.row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one("#terminal-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "terminal-name":
            self.query_one("#printer-setting", Input).focus()
        else:
            self.action_save()

    # -- actions ----------------------------------------------------------------------

    def checked(self) -> tuple[str, dict] | None:
        """The form's name and setting, checked by core; None (and the message) if wrong."""
        try:
            name = self.query_one("#terminal-name", Input).value
            setting = printer_settings.normalize(
                printer_settings.parse(self.query_one("#printer-setting", Input).value),
                profiles=profile_codepages,
            )
        except KassiError as exc:
            self.error(exc.message)
            return None
        self.error("")
        self.show_keys(setting)
        return name, setting

    def action_save(self) -> None:
        from tui.screens.pin_prompt import with_permission

        terminal_id = self.terminal_id
        form = self.checked()
        if terminal_id is None or form is None:
            return
        name, setting = form

        def save(approver) -> None:
            app = self.app
            try:
                updated = terminals.update_terminal(
                    app.db,
                    approver or app.staff,
                    terminal_id,
                    name=name,
                    printer=setting,
                    profiles=profile_codepages,
                )
            except KassiError as exc:
                self.notice(exc.message, error=True)
                return
            if updated.id == app.terminal_id:  # this till: its new setting applies at once
                app.terminal = updated
                if hasattr(app.hardware, "wait_for_drawer"):
                    app.hardware.terminal = updated
                    app.hardware.wait_for_drawer = bool(updated.printer.get("wait_drawer_closed"))
            self.notice(
                _("Terminal {id} saved. Try it: F3 prints a test page.").format(id=updated.id)
            )
            self.load()

        with_permission(
            self,
            "config.manage",
            _("Change the settings of terminal {id}").format(id=terminal_id),
            save,
        )

    def action_test_page(self) -> None:
        if self.terminal_id is not None:
            self.notice(_("Printing a test page on {id}...").format(id=self.terminal_id))
            self.print_test(self.terminal_id)

    @work(thread=True, exclusive=True, group="test-page")
    def print_test(self, terminal_id: str) -> None:
        from core.printing.receipts import test_page
        from core.printing.service import PrintService
        from tui.hardware_bridge import default_printers

        app = self.app
        try:
            with connect(app.db.path) as db:
                terminal = terminals.get_terminal(db, terminal_id)
                store = stores.get_store(db, terminal.store_id)
                doc = test_page(store, terminal, db.now())
                service = PrintService(default_printers())
                outcome = service.print_document(db, terminal_id, doc, ref=f"test:{terminal_id}")
        except Exception as exc:  # the back office must stay usable whatever the printer does
            app.call_from_thread(
                self.notice, _("Printer problem: {error}").format(error=exc), error=True
            )
            return
        app.call_from_thread(self.notice, outcome.message, error=not outcome.ok)

    def action_pair(self) -> None:
        from core.tills import pairing
        from tui.screens.pin_prompt import with_permission

        terminal_id = self.terminal_id
        if terminal_id is None:
            return

        def pair(approver) -> None:
            app = self.app
            try:
                base = pairing.check_base_url(pairing.default_base_url())
                made = pairing.pair(app.db, approver or app.staff, terminal_id)
            except KassiError as exc:
                self.notice(exc.message, error=True)
                return
            url = pairing.pairing_url(base, made.token)
            self.notice(_("Terminal {id} paired; printing its slip...").format(id=terminal_id))
            self.print_slip(terminal_id, url, made.pairing.created_at)

        with_permission(
            self,
            pairing.PERMISSION,
            _("Pair a thin client with terminal {id}").format(id=terminal_id),
            pair,
        )

    @work(thread=True, exclusive=True, group="test-page")
    def print_slip(self, terminal_id: str, url: str, created_at: str) -> None:
        from core.printing.receipts import pairing_slip
        from core.printing.service import PrintService
        from tui.hardware_bridge import default_printers

        app = self.app
        try:
            with connect(app.db.path) as db:
                terminal = terminals.get_terminal(db, terminal_id)
                store = stores.get_store(db, terminal.store_id)
                doc = pairing_slip(store, terminal, url, created_at)
                outcome = PrintService(default_printers()).print_unkept(db, terminal_id, doc)
        except Exception as exc:  # the back office must stay usable whatever the printer does
            outcome = None
            problem = _("Printer problem: {error}").format(error=exc)
        if outcome is not None and outcome.ok:
            text = _("{outcome} Scan the slip on the thin client, or open {url}").format(
                outcome=outcome.message, url=url
            )
        else:
            problem = outcome.message if outcome is not None else problem
            text = _("{problem} Open {url} on the thin client instead.").format(
                problem=problem, url=url
            )
        app.call_from_thread(self.notice, text, error=outcome is None or not outcome.ok)

    def action_back(self) -> None:
        self.app.pop_screen()
