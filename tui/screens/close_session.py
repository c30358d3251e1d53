"""Close a session, step by step as S-8 describes:

count cash -> cash summary -> amount to leave -> confirm cash to remove ->
session summary -> print (cash only) -> done.

The count comes first and the expected figure only after (a blind count), so
the count is not steered by the number the till expects.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, Input, Static

from core.errors import KassiError
from core.printing import receipts
from core.store import tenders
from core.text.i18n import _
from core.tills import drawer, sessions
from tui.widgets.amount_input import AmountField
from tui.widgets.document_view import DocumentView
from tui.widgets.safe import shown

STEPS = ("count", "summary", "leave", "confirm", "done")


class CloseSessionScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "next", "Next", show=False),
        Binding("f2", "f2", "Count / Print"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.counts: dict[int, int] | None = None
        self.counted: int | None = None
        self.declared: dict[str, int] = {}
        self.leave: int | None = None
        self.closed = False
        # Who closes: the staff at the till, or whoever approved the count (C-7).
        self.actor = None

    def compose(self) -> ComposeResult:
        app = self.app
        cur, loc = app.store.currency, app.locale
        self.declarable = [
            t
            for t in tenders.list_tenders(app.db)
            if t.counted_at_close and not t.is_cash and t.active
        ]
        session = sessions.get_session(app.db, self.session_id)
        with Vertical(classes="dialog wide", id="close-wizard"):
            yield Static(
                _("Close session {id}").format(id=self.session_id),
                classes="dialog-title",
                markup=False,
            )
            yield Static("", id="step-title", markup=False)
            with ContentSwitcher(initial="count"):
                with Vertical(id="count"):
                    yield AmountField(_("Counted cash in the drawer"), cur, loc, id="counted")
                    for t in self.declarable:
                        yield AmountField(
                            _("Counted {tender} total (optional)").format(tender=_(t.name)),
                            cur,
                            loc,
                            allow_empty=True,
                            allow_negative=True,
                            id=f"declare-{t.id}",
                        )
                with Vertical(id="summary"):
                    yield Static("", id="summary-text", markup=False)
                with Vertical(id="leave"):
                    yield AmountField(
                        _("Cash to leave in the drawer"),
                        cur,
                        loc,
                        value=app.money(session.opening_float),
                        id="leave-amount",
                    )
                with Vertical(id="confirm"):
                    yield Static("", id="confirm-text", markup=False)
                with Vertical(id="done"):
                    yield DocumentView(id="final", width=48)
            yield Static("", id="close-error", classes="error", markup=False)
            yield Static("", id="close-hint", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.actor = self.app.staff
        self.go("count")
        self.open_drawer_for_count(self.app.staff)

    def open_drawer_for_count(self, actor) -> None:
        """The count starts: the drawer opens only after core allowed it and audited
        it (C-7); without session.close the till asks for an approving PIN."""
        from core.errors import PermissionDenied
        from tui.screens.pin_prompt import PinPromptScreen

        app = self.app
        try:
            grant = drawer.open_drawer_for_count(
                app.db, actor, app.terminal.id, requested_by=app.staff
            )
        except PermissionDenied as exc:
            if actor is not app.staff:  # an approver the prompt let through, refused by core
                self.error(exc.message)
                return

            def approved(approver) -> None:
                if approver is None:
                    self.dismiss(None)
                else:
                    self.actor = approver
                    self.open_drawer_for_count(approver)

            app.push_screen(
                PinPromptScreen(
                    permission="session.close", title=_("Closing the session: an approving PIN")
                ),
                approved,
            )
            return
        except KassiError as exc:
            self.error(exc.message)
            return
        app.hardware.open_drawer(grant)

    # -- steps ----------------------------------------------------------------------

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or "count"

    def go(self, step: str) -> None:
        titles = {
            "count": _("1/5  Count the cash in the drawer"),
            "summary": _("2/5  Cash summary"),
            "leave": _("3/5  Amount to leave in the drawer"),
            "confirm": _("4/5  Confirm the cash to remove"),
            "done": _("5/5  Session summary"),
        }
        hints = {
            "count": _("Enter: next   F2: count notes and coins   Esc: cancel"),
            "summary": _("Enter: next   Esc: back"),
            "leave": _("Enter: next   Esc: back"),
            "confirm": _("Enter: confirm and close   Esc: back"),
            "done": _("Up/Down: scroll   F2: print (cash only)   Enter: done"),
        }
        self.query_one(ContentSwitcher).current = step
        self.query_one("#step-title", Static).update(titles[step])
        self.query_one("#close-hint", Static).update(hints[step])
        self.error("")
        if step == "count":
            self.query_one("#counted", AmountField).focus()
        elif step == "leave":
            self.query_one("#leave-amount", AmountField).focus()
        elif step == "done":
            # the summary is longer than the dialog: arrows and PgUp/PgDn scroll it at once
            self.query_one("#final", DocumentView).focus()
        else:
            self.set_focus(None)

    def error(self, text: str) -> None:
        self.query_one("#close-error", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.step == "count":
            fields = [self.query_one("#counted", AmountField)] + [
                self.query_one(f"#declare-{t.id}", AmountField) for t in self.declarable
            ]
            inputs = [f.input for f in fields]
            if event.input in inputs and inputs.index(event.input) < len(inputs) - 1:
                inputs[inputs.index(event.input) + 1].focus()
                return
        self.action_next()

    def action_next(self) -> None:
        step = self.step
        if step == "count":
            self.read_count()
        elif step == "summary":
            self.go("leave")
        elif step == "leave":
            self.read_leave()
        elif step == "confirm":
            self.commit()
        elif step == "done":
            self.dismiss(self.session_id)

    def action_back(self) -> None:
        step = self.step
        if step == "done" or step == "count":
            self.dismiss(self.session_id if self.closed else None)
        else:
            self.go(STEPS[STEPS.index(step) - 1])

    def action_f2(self) -> None:
        if self.step == "count":
            self.count_denominations()
        elif self.step == "done":
            details = sessions.session_details(self.app.db, self.app.staff, self.session_id)
            self.app.hardware.print_document(
                receipts.session_summary(details, lang=self.app.locale)
            )
            self.error("")
            self.query_one("#close-hint", Static).update(_("The session summary is printing."))

    # -- step actions -----------------------------------------------------------------

    def read_count(self) -> None:
        field = self.query_one("#counted", AmountField)
        if field.amount is None:
            self.error(_("Enter the counted cash."))
            field.focus()
            return
        declared = {}
        for t in self.declarable:
            f = self.query_one(f"#declare-{t.id}", AmountField)
            if f.input.value.strip():
                if f.amount is None:
                    self.error(_("Fix the {tender} amount.").format(tender=_(t.name)))
                    f.focus()
                    return
                declared[t.id] = f.amount
        self.counted, self.declared = field.amount, declared
        if self.counts and sum(d * n for d, n in self.counts.items()) != self.counted:
            self.counts = None
        self.show_summary()
        self.go("summary")

    def show_summary(self) -> None:
        app = self.app
        # K-3: at a blind-close store core leaves the expected cash out for who may not
        # see it; the discrepancy is shown once the close is committed.
        summary = sessions.cash_summary_for(app.db, self.actor or app.staff, self.session_id)
        if summary.expected is None:
            rows = [
                (_("Counted cash"), app.money(self.counted)),
                (_("Expected cash"), _("shown after the close (blind close)")),
            ]
        else:
            diff = self.counted - summary.expected
            rows = [
                (_("Expected cash"), app.money(summary.expected)),
                (_("Counted cash"), app.money(self.counted)),
                (
                    _("Discrepancy"),
                    app.money(diff)
                    + ("  " + (_("over") if diff > 0 else _("short")) if diff else ""),
                ),
            ]
        rows += [("", ""), (_("Payments by type"), "")]
        for t in summary.by_tender:
            if t.amount is None:  # the cash figure of a blind close
                rows.append(("  " + shown(_(t.name)), f"—  ({t.count})"))
                continue
            line = app.money(t.amount) + f"  ({t.count})"
            if t.tender_id in self.declared:
                declared = self.declared[t.tender_id]
                line += "  " + _("declared {amount}, difference {diff}").format(
                    amount=app.money(declared), diff=app.money(declared - t.amount)
                )
            rows.append(("  " + shown(_(t.name)), line))
        width = max(len(k) for k, _v in rows)
        self.query_one("#summary-text", Static).update(
            "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
        )

    def read_leave(self) -> None:
        field = self.query_one("#leave-amount", AmountField)
        if field.amount is None:
            self.error(_("Enter the amount to leave in the drawer."))
            return
        if field.amount > self.counted:
            self.error(
                _("You counted {counted}; you cannot leave {leave} in the drawer.").format(
                    counted=self.app.money(self.counted), leave=self.app.money(field.amount)
                )
            )
            return
        self.leave = field.amount
        self.query_one("#confirm-text", Static).update(
            _("Take {removed} out of the drawer and leave {left} in it.").format(
                removed=self.app.money(self.counted - self.leave), left=self.app.money(self.leave)
            )
        )
        self.go("confirm")

    def commit(self) -> None:
        app = self.app
        try:
            sessions.close_session(
                app.db,
                self.actor,
                app.terminal.id,
                self.counted,
                self.leave,
                self.declared,
                self.counts,
            )
            details = sessions.session_details(app.db, app.staff, self.session_id)
        except KassiError as exc:
            self.error(exc.message)
            return
        self.closed = True
        app.hardware.open_drawer(
            drawer.session_drawer_grant(app.db, app.terminal.id, self.session_id, "session.close")
        )
        self.query_one("#final", DocumentView).show(
            receipts.session_summary(details, lang=app.locale)
        )
        self.go("done")

    def count_denominations(self) -> None:
        from tui.screens.denominations import DenominationScreen

        def done(result: tuple[int, dict[int, int]] | None) -> None:
            if result is None:
                return
            total, self.counts = result
            self.query_one("#counted", AmountField).input.value = self.app.money(total)

        self.app.push_screen(DenominationScreen(), done)
