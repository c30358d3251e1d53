"""Rounding in minor units: cash rounding to the store's increment (M-3), and the VAT
contained in a VAT-inclusive amount. Both round halves away from zero, symmetric for refunds.
"""

from __future__ import annotations

from core.errors import InputError
from core.money.amounts import exponent, require_minor
from core.text.i18n import _

__all__ = ["CASH_ROUNDING_CHOICES", "cash_increment", "round_cash", "vat_from_gross"]

CASH_ROUNDING_CHOICES: dict[str, int] = {"none": 0, "0.50": 50, "1.00": 100}
"""Store setting "cash rounding": name -> increment in hundredths of a major unit."""


def round_cash(amount: int, increment: int) -> int:
    """Round ``amount`` to a multiple of ``increment`` (minor units), halves away from zero.

    Symmetric for negatives (refunds). Increment 0 or 1 means no rounding. With 50
    (DKK 0,50): øre .01-.24 down, .25-.74 to .50, .75-.99 up to the next krone.
    """
    require_minor(amount, "amount")
    require_minor(increment, "increment")
    if increment < 0:
        raise ValueError("increment must not be negative")
    if increment <= 1:
        return amount
    q, r = divmod(abs(amount), increment)
    if 2 * r >= increment:
        q += 1
    return q * increment if amount >= 0 else -q * increment


def cash_increment(setting: str, currency: str) -> int:
    """Cash rounding increment in minor units of ``currency`` for a store setting.

    The setting names a step in major units (`CASH_ROUNDING_CHOICES`): "none" -> 0,
    "0.50" -> 50 for DKK, "1.00" -> 100 for SEK and 1 for ISK. A step the currency
    cannot express ("0.50" for ISK) or an unknown setting is an InputError.
    """
    exp = exponent(currency)
    if setting not in CASH_ROUNDING_CHOICES:
        raise InputError(
            _("Unknown cash rounding '{setting}'; use one of: {choices}").format(
                setting=setting, choices=", ".join(CASH_ROUNDING_CHOICES)
            )
        )
    hundredths = CASH_ROUNDING_CHOICES[setting]
    step, rest = divmod(hundredths * 10**exp, 100)
    if rest:
        raise InputError(
            _(
                "Cash rounding to {setting} is not possible in {currency}: it has {places} decimals"
            ).format(setting=setting, currency=currency, places=exp)
        )
    return step


def vat_from_gross(gross: int, rate_bp: int) -> int:
    """VAT contained in a VAT-inclusive ``gross`` at ``rate_bp`` basis points (2500 = 25 %).

    gross * rate / (10000 + rate), rounded half away from zero; negative gross
    (refunds) gives the mirrored VAT.
    """
    require_minor(gross, "gross")
    require_minor(rate_bp, "rate_bp")
    if rate_bp < 0:
        raise ValueError("rate_bp must not be negative")
    denominator = 10000 + rate_bp
    q, r = divmod(abs(gross) * rate_bp, denominator)
    if 2 * r >= denominator:
        q += 1
    return q if gross >= 0 else -q
