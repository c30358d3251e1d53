"""Babel's CLDR formatting against kassi's own, for the record of issue 13 (not a test).

    python -m tests.i18n.measure_babel

Prints, per language: the strings where Babel differs from core.money.amounts and
core.text.dates, and the time of each (timeit, best of 5). Also the cost of loading a
catalog with Babel (read_po + write_mo + GNUTranslations) against the hand parser it
replaced, which was 12 ms a catalog on the same machine.
"""

from __future__ import annotations

import io
import timeit
from datetime import date, datetime
from decimal import Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from core.money.amounts import CURRENCIES, format_amount, format_money
from core.text import dates, i18n

LANGS = ("en", "da", "is")
AMOUNTS = (0, 5, -5, 123450, -123450, 99999999999, 100000)
CURRENCY = ("DKK", "ISK", "EUR")
MOMENT = datetime(2026, 1, 15, 9, 5)


def babel_amount(minor: int, currency: str, lang: str) -> str:
    exp = CURRENCIES[currency]
    pattern = "#,##0" + ("." + "0" * exp if exp else "")
    return babel_numbers.format_decimal(Decimal(minor).scaleb(-exp), pattern, locale=lang)


def babel_money(minor: int, currency: str, lang: str) -> str:
    exp = CURRENCIES[currency]
    return babel_numbers.format_currency(Decimal(minor).scaleb(-exp), currency, locale=lang)


def babel_date(day: date, lang: str) -> str:
    return babel_dates.format_date(day, "short", locale=lang)


def babel_date_pattern(day: date, lang: str) -> str:
    pattern = "yyyy-MM-dd" if lang == "en" else "dd.MM.yyyy"
    return babel_dates.format_date(day, pattern, locale=lang)


def best(fn, number: int = 2000) -> float:
    """Microseconds per call, best of 5."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def compare(label: str, ours, theirs, cases) -> None:
    diffs = [(c, ours(*c), theirs(*c)) for c in cases if ours(*c) != theirs(*c)]
    print(f"{label}: {len(cases) - len(diffs)}/{len(cases)} the same")
    for lang in LANGS:
        for case, a, b in [d for d in diffs if d[0][-1] == lang][:3]:
            print(f"    {case}: ours {a!r}  babel {b!r}")


def main() -> None:
    money_cases = [(m, c, lang) for lang in LANGS for c in CURRENCY for m in AMOUNTS]
    compare("format_amount vs format_decimal", format_amount, babel_amount, money_cases)
    compare("format_money vs format_currency", format_money, babel_money, money_cases)
    days = [(MOMENT.date(), lang) for lang in LANGS]
    compare("format_date vs format_date(short)", dates.format_date, babel_date, days)
    compare("format_date vs format_date(pattern)", dates.format_date, babel_date_pattern, days)
    compare(
        "format_datetime vs format_datetime(short)",
        dates.format_datetime,
        lambda moment, lang: babel_dates.format_datetime(moment, "short", locale=lang),
        [(MOMENT, lang) for lang in LANGS],
    )

    print("\nmicroseconds per call (best of 5)")
    for lang in LANGS:
        rows = [
            ("format_amount", lambda: format_amount(-123450, "DKK", lang)),  # noqa: B023
            ("  babel format_decimal", lambda: babel_amount(-123450, "DKK", lang)),  # noqa: B023
            ("format_money", lambda: format_money(-123450, "DKK", lang)),  # noqa: B023
            ("  babel format_currency", lambda: babel_money(-123450, "DKK", lang)),  # noqa: B023
            ("format_datetime", lambda: dates.format_datetime(MOMENT, lang)),  # noqa: B023
            (
                "  babel format_datetime",
                lambda: babel_dates.format_datetime(MOMENT, "short", locale=lang),  # noqa: B023
            ),
        ]
        print(lang, "  ".join(f"{name.strip()} {best(fn):.1f}" for name, fn in rows))

    def load(lang: str) -> None:
        with i18n.po_path(lang).open("rb") as po:
            mo = i18n.compile_mo(i18n.read_po(po))
        __import__("gettext").GNUTranslations(io.BytesIO(mo))

    for lang in ("da", "is"):
        ms = min(timeit.repeat(lambda: load(lang), number=5, repeat=3)) / 5 * 1e3  # noqa: B023
        print(f"catalog {lang}: {ms:.1f} ms to read, compile and load")


if __name__ == "__main__":
    main()
