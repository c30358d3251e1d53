"""An amount field: typed in the store's locale, validated as typed, error under it (M-2)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Static

from core.errors import InputError
from core.money import amounts as money
from tui.widgets.safe import shown


class AmountValidator(Validator):
    def __init__(
        self,
        currency: str,
        locale: str,
        *,
        allow_empty: bool = False,
        allow_zero: bool = True,
        allow_negative: bool = False,
    ) -> None:
        super().__init__()
        self.currency, self.locale = currency, locale
        self.allow_empty, self.allow_zero, self.allow_negative = (
            allow_empty,
            allow_zero,
            allow_negative,
        )

    def validate(self, value: str) -> ValidationResult:
        if not value.strip() and self.allow_empty:
            return self.success()
        try:
            money.parse_amount(
                value,
                self.currency,
                self.locale,
                allow_zero=self.allow_zero,
                allow_negative=self.allow_negative,
            )
        except InputError as exc:
            return self.failure(exc.message)
        return self.success()


class AmountField(Vertical):
    """Label, input and the error line; ``amount`` is None while the text is not valid."""

    DEFAULT_CSS = """
    AmountField { height: auto; }
    AmountField .error { color: $error; height: 1; }
    """

    def __init__(
        self,
        label: str,
        currency: str,
        locale: str,
        *,
        value: str = "",
        allow_empty: bool = False,
        allow_zero: bool = True,
        allow_negative: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.currency, self.locale = currency, locale
        self.allow_empty, self.allow_zero, self.allow_negative = (
            allow_empty,
            allow_zero,
            allow_negative,
        )
        self.initial = value

    def compose(self) -> ComposeResult:
        yield Label(shown(self.label), markup=False)  # labels name stored tenders
        yield Input(
            value=self.initial,
            validators=[
                AmountValidator(
                    self.currency,
                    self.locale,
                    allow_empty=self.allow_empty,
                    allow_zero=self.allow_zero,
                    allow_negative=self.allow_negative,
                )
            ],
            validate_on=["changed", "submitted"],
            placeholder=money.format_amount(0, self.currency, self.locale),
        )
        yield Static("", classes="error", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def amount(self) -> int | None:
        text = self.input.value
        if not text.strip():
            return None
        try:
            return money.parse_amount(
                text,
                self.currency,
                self.locale,
                allow_zero=self.allow_zero,
                allow_negative=self.allow_negative,
            )
        except InputError:
            return None

    def show_error(self, message: str) -> None:
        self.query_one(".error", Static).update(message)

    def on_input_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        message = "" if result is None or result.is_valid else result.failure_descriptions[0]
        self.show_error(message)

    def focus(self, scroll_visible: bool = True) -> AmountField:
        self.input.focus(scroll_visible)
        return self
