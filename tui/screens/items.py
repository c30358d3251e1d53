"""The back office's Items screen (K-7): find an item, edit it, add one.

Left: a search (name folded as staff type it, SKU, or a scanned barcode, C-4) and
the items it finds, inactive ones too. Right: the form, the item as this store
sells it: name, VAT rate, active, barcode, the store's own price and the base
price (the item's price in the store's currency, for every store selling in it).
F2 saves the whole form in one core call (core.catalog.item_form.save_item) with a
manager's permission (config.manage, else the override prompt); a field typed
wrong says why in one line under it and nothing is saved. F3 starts a new item.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from core.catalog import item_form as item_admin
from core.catalog import items as catalog
from core.catalog import prices
from core.errors import InputError, KassiError
from core.money import amounts as money
from core.store.records import Staff
from core.text import validate
from core.text.i18n import _
from tui.screens.pin_prompt import with_permission
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown
from tui.widgets.status_bar import StatusBar

FIELDS = ("sku", "name", "vat", "barcode", "store-price", "base-price")


class ItemsScreen(Screen):
    CSS_PATH = "items.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "save", "Save"),
        Binding("f3", "new", "New item"),
        Binding("f4", "find", "Search"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sku: str | None = None  # the item in the form; None: a new one

    def compose(self) -> ComposeResult:
        currency = self.app.store.currency
        yield StatusBar()
        with Horizontal(id="items-body"):
            with Vertical(id="items-left"):
                yield Input(id="item-query", placeholder=_("Name, SKU or barcode"), compact=True)
                yield OptionList(id="item-list", markup=False)
            with Vertical(id="item-form"):
                yield Static("", id="form-title", markup=False)
                for field, label in (
                    ("sku", _("SKU")),
                    ("name", _("Name")),
                    ("vat", _("VAT %")),
                    ("barcode", _("Barcode")),
                    ("store-price", _("Store price")),
                    ("base-price", _("{currency} price").format(currency=currency)),
                ):
                    with Horizontal(classes="item-field"):
                        yield Label(label)
                        yield Input(id=f"f-{field}", compact=True, max_length=64)
                    yield Static("", id=f"e-{field}", classes="error field-error", markup=False)
                yield Checkbox(_("Active (sold)"), True, id="f-active", compact=True)
                yield Static(
                    _(
                        "Store price: this store's own. {currency} price: every store in {currency}."
                    ).format(currency=currency),
                    classes="hint",
                    markup=False,
                )
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(_("Items"), self.app.store.name)
        self.search("")
        self.clear_form(new=False)
        self.query_one("#item-query", Input).focus()

    # -- the list -------------------------------------------------------------------

    def search(self, text: str) -> None:
        app = self.app
        results = self.query_one("#item-list", OptionList)
        results.clear_options()
        for item in catalog.search_items(app.db, text, app.store.id, 50, inactive_too=True):
            mark = " " if item.active else "\u00d7"  # × : not sold
            results.add_option(
                Option(f"{mark}{shown(item.sku):<6} {shown(item.name)}", id=item.sku)
            )
        if results.option_count:
            results.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "item-query":
            self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "item-query":
            results = self.query_one("#item-list", OptionList)
            if results.highlighted is not None and results.option_count:
                self.load(results.get_option_at_index(results.highlighted).id)
            return
        self.focus_next()  # Enter in the form goes on to the next field; F2 saves

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.load(event.option.id)

    def key_down(self) -> None:
        if self.focused is self.query_one("#item-query", Input):
            self.query_one("#item-list", OptionList).focus()

    # -- the form -------------------------------------------------------------------

    def _set(self, field: str, value: str) -> None:
        self.query_one(f"#f-{field}", Input).value = value

    def _get(self, field: str) -> str:
        return self.query_one(f"#f-{field}", Input).value

    def clear_errors(self) -> None:
        for field in FIELDS:
            error = self.query_one(f"#e-{field}", Static)
            error.update("")
            error.display = False

    def field_error(self, field: str, message: str) -> None:
        error = self.query_one(f"#e-{field}", Static)
        error.update(shown(message))
        error.display = True

    def clear_form(self, *, new: bool) -> None:
        self.sku = None
        for field in FIELDS:
            self._set(field, "")
        self.query_one("#f-active", Checkbox).value = True
        self.query_one("#f-sku", Input).disabled = not new
        self.clear_errors()
        title = _("New item: type its SKU") if new else _("Choose an item, or F3: new item")
        self.query_one("#form-title", Static).update(title)

    def load(self, sku: str) -> None:
        app = self.app
        store = app.store
        try:
            item = catalog.get_item(app.db, sku, store.id)
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        self.clear_form(new=False)
        self.sku = sku
        locale = app.locale

        def amount(value: int | None) -> str:
            return (
                ""
                if value is None
                else money.format_amount(value, store.currency, locale, grouping=False)
            )

        self._set("sku", item.sku)
        self._set("name", item.name)
        self._set("vat", money.format_amount(item.vat_rate, "EUR", locale, grouping=False))
        self._set("barcode", item.barcode or "")
        self._set("store-price", amount(prices.current(app.db, sku, store.currency, store.id)))
        self._set("base-price", amount(prices.current(app.db, sku, store.currency)))
        self.query_one("#f-active", Checkbox).value = item.active
        self.query_one("#form-title", Static).update(_("Item {sku}").format(sku=shown(item.sku)))
        self.query_one("#f-name", Input).focus()

    def read_form(self) -> dict | None:
        """The form's values, or None with a line under every field typed wrong."""
        self.clear_errors()
        locale, currency = self.app.locale, self.app.store.currency
        values: dict = {"active": self.query_one("#f-active", Checkbox).value}
        checks = {
            "sku": lambda t: validate.code(t, _("SKU")),
            "name": lambda t: validate.name(t, "item"),
            "vat": lambda t: catalog.check_vat(_vat(t, locale)),
            "barcode": lambda t: validate.code(t, _("Barcode")) if t.strip() else None,
            "store-price": lambda t: _price(t, currency, locale),
            "base-price": lambda t: _price(t, currency, locale),
        }
        ok = True
        for field, check in checks.items():
            try:
                values[field] = check(self._get(field))
            except KassiError as exc:
                self.field_error(field, exc.message)
                ok = False
        return values if ok else None

    # -- actions --------------------------------------------------------------------

    def action_new(self) -> None:
        self.clear_form(new=True)
        self.notice("")
        self.query_one("#f-sku", Input).focus()

    def action_find(self) -> None:
        self.query_one("#item-query", Input).focus()

    def action_save(self) -> None:
        new = self.sku is None
        if new and self.query_one("#f-sku", Input).disabled:
            self.notice(_("Choose an item first, or F3 for a new one."), error=True)
            return
        values = self.read_form()
        if values is None:
            self.notice(_("Nothing was saved: correct the fields marked."), error=True)
            return
        sku = values["sku"]
        with_permission(
            self,
            "config.manage",
            _("Save item {sku}").format(sku=sku),
            lambda approver: self.save(values, new, approver or self.app.staff),
        )

    def save(self, values: dict, new: bool, actor: Staff | None) -> None:
        app = self.app
        try:
            changed = item_admin.save_item(
                app.db,
                actor,
                values["sku"],
                app.store.id,
                new=new,
                name=values["name"],
                vat_rate=values["vat"],
                active=values["active"],
                barcode=values["barcode"],
                store_price=values["store-price"],
                base_price=values["base-price"],
            )
        except KassiError as exc:
            self.notice(_("Not saved: {why}").format(why=exc.message), error=True)
            return
        sku = values["sku"]
        self.search(self.query_one("#item-query", Input).value)
        self.load(sku)
        if new:
            self.notice(_("Item {sku} added.").format(sku=shown(sku)))
        elif changed:
            self.notice(_("Item {sku} saved.").format(sku=shown(sku)))
        else:
            self.notice(_("Nothing to save: the item already is so."))

    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text))

    def action_back(self) -> None:
        self.app.pop_screen()


# The money parser's own messages explain every way to write an amount; under a field
# of the form one line says what this field takes (R-4, C-9).


def _vat(text: str, locale: str) -> int:
    try:
        return money.parse_amount(text, "EUR", locale)
    except InputError:
        example = money.format_amount(1250, "EUR", locale)
        raise InputError(
            _("VAT is a percent from 0 to 100, e.g. 25 or {example}.").format(example=example)
        ) from None


def _price(text: str, currency: str, locale: str) -> int | None:
    """A price typed in the store's currency; empty: no such price."""
    if not text.strip():
        return None
    try:
        value = money.parse_amount(text, currency, locale)
    except InputError:
        example = money.format_amount(1250, currency, locale)
        raise InputError(
            _("A price in {currency}, e.g. {example}; empty: none.").format(
                currency=currency, example=example
            )
        ) from None
    if value < 0:
        raise InputError(_("A price cannot be negative."))
    return value
