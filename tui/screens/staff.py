"""The back office's staff screen (SPEC K-5): who works here, their role and whether
they may log in; a manager resets a PIN, deactivates someone who left (or takes
them back), and changes a role or the permissions. Anyone here changes their own PIN.

What is allowed is core's (core.staff.admin: config.manage, nobody above yourself,
never the last active manager); a refusal is shown on one line and changes nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from core.errors import KassiError
from core.staff import admin as staff_admin
from core.store import staff_members
from core.store.records import Staff
from core.text.i18n import _
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown
from tui.widgets.status_bar import StatusBar


class StaffScreen(Screen):
    CSS_PATH = "staff.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "reset_pin", "New PIN"),
        Binding("f3", "toggle_active", "(De)activate"),
        Binding("f4", "role", "Role"),
        Binding("f5", "permissions", "Permissions"),
        Binding("f6", "my_pin", "My PIN"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.staff: list[Staff] = []

    def compose(self) -> ComposeResult:
        yield StatusBar()
        table = DataTable(id="staff-table", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Id"), width=8, key="id")
        table.add_column(_("Name"), width=30, key="name")
        table.add_column(_("Role"), width=12, key="role")
        table.add_column(_("Status"), width=14, key="status")
        yield table
        yield Static("", id="staff-detail", markup=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(_("Staff"), self.app.store.name)
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        self.staff = staff_members.list_staff(self.app.db)
        table.clear()
        for s in self.staff:
            status = _("active") if s.active else _("deactivated")
            table.add_row(shown(s.id), shown(s.name), s.role, status, key=s.id)
        if keep is not None:
            at = next((i for i, s in enumerate(self.staff) if s.id == keep), 0)
            table.move_cursor(row=at)
        self.show_detail()

    def selected(self) -> Staff | None:
        if not self.staff:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.staff[min(max(row, 0), len(self.staff) - 1)]

    def show_detail(self) -> None:
        chosen = self.selected()
        text = ""
        if chosen is not None:
            text = _("{name} may: {permissions}").format(
                name=chosen.name, permissions=" ".join(sorted(chosen.permissions)) or "-"
            )
        self.query_one("#staff-detail", Static).update(shown(text, keep_newlines=False))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text))

    def attempt(self, what, done_text: str, keep: str) -> None:
        """Run a core change; a refusal is one line, and the list shows what is true now."""
        try:
            what()
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        self.notice(done_text)
        self.reload(keep)

    # -- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_my_pin(self) -> None:
        from tui.screens.pin_change import PinChangeScreen

        me = self.app.staff

        def done(changed: bool | None) -> None:
            if changed:
                self.notice(_("Your PIN is changed."))

        self.app.push_screen(PinChangeScreen(me.id if me else ""), done)

    def action_reset_pin(self) -> None:
        from tui.screens.pin_change import PinChangeScreen

        chosen = self.selected()
        if chosen is None:
            return

        def done(changed: bool | None) -> None:
            if changed:
                self.notice(_("{name} has a new PIN.").format(name=chosen.name))
                self.reload(chosen.id)

        self.app.push_screen(PinChangeScreen(reset_for=chosen), done)

    def action_toggle_active(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        chosen = self.selected()
        if chosen is None:
            return
        if chosen.active:
            question = _("Deactivate {name}? They can no longer log in.").format(name=chosen.name)
            done_text = _("{name} is deactivated.").format(name=chosen.name)
        else:
            question = _("Take {name} back? They log in with their old PIN.").format(
                name=chosen.name
            )
            done_text = _("{name} is active again.").format(name=chosen.name)

        def answered(yes: bool | None) -> None:
            if yes:
                self.attempt(
                    lambda: staff_admin.set_active(
                        self.app.db, self.app.staff, chosen.id, not chosen.active
                    ),
                    done_text,
                    chosen.id,
                )

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_role(self) -> None:
        from tui.screens.prompt import PromptScreen

        chosen = self.selected()
        if chosen is None:
            return

        def answered(role: str | None) -> None:
            if role is None or role.strip() == chosen.role:
                return
            self.attempt(
                lambda: staff_admin.set_access(
                    self.app.db, self.app.staff, chosen.id, role=role.strip().lower()
                ),
                _("{name} is now {role}.").format(name=chosen.name, role=role.strip().lower()),
                chosen.id,
            )

        question = _("Role of {name} (cashier, supervisor or manager)").format(name=chosen.name)
        self.app.push_screen(PromptScreen(question, chosen.role), answered)

    def action_permissions(self) -> None:
        from tui.screens.prompt import PromptScreen

        chosen = self.selected()
        if chosen is None:
            return

        def answered(text: str | None) -> None:
            if text is None:
                return
            wanted = set(text.replace(",", " ").split())
            grant, revoke = wanted - chosen.permissions, chosen.permissions - wanted
            if not grant and not revoke:
                return
            self.attempt(
                lambda: staff_admin.set_access(
                    self.app.db, self.app.staff, chosen.id, grant=grant, revoke=revoke
                ),
                _("Permissions of {name} changed.").format(name=chosen.name),
                chosen.id,
            )

        question = _("Permissions of {name}, separated by spaces").format(name=chosen.name)
        self.app.push_screen(PromptScreen(question, " ".join(sorted(chosen.permissions))), answered)
