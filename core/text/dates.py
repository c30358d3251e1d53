"""Dates as people in each language write them (C-8): shown and typed the same way.

English keeps ISO 8601 (2026-01-15, unambiguous for an English-speaking back office
anywhere); Danish and Icelandic write day.month.year (15.01.2026; 15-01-2026 and
15/01/2026 are read too). ISO is always understood. Anything else is a clear error,
never a guess: no two-digit years, no month names.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from core.errors import InputError
from core.text.i18n import _
from core.text.validate import check_day_range

# [0-9], not \d: Unicode digits are refused.
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DMY = re.compile(r"^([0-9]{1,2})[.\-/]([0-9]{1,2})[.\-/]([0-9]{4})$")
DAY_FIRST = {"da", "is"}


def date_pattern(lang: str) -> str:
    """How a date is written, for hints and messages."""
    return _("DD.MM.YYYY") if lang in DAY_FIRST else _("YYYY-MM-DD")


def format_date(day: date, lang: str) -> str:
    if lang in DAY_FIRST:
        return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"
    return day.isoformat()


def format_datetime(moment: datetime, lang: str) -> str:
    """A local date and time, minutes precision: 15.01.2026 09:00 / 2026-01-15 09:00."""
    return f"{format_date(moment.date(), lang)} {moment:%H:%M}"


def parse_date(text: str, lang: str) -> date:
    """A date typed in the language's way (or ISO); InputError naming the format if not."""
    cleaned = text.strip()
    iso, dmy = _ISO.match(cleaned), _DMY.match(cleaned)
    try:
        if iso:
            return check_day_range(date(int(iso[1]), int(iso[2]), int(iso[3])))
        if dmy and lang in DAY_FIRST:
            return check_day_range(date(int(dmy[3]), int(dmy[2]), int(dmy[1])))
    except ValueError:
        raise InputError(_("{text} is not a date in the calendar.").format(text=cleaned)) from None
    raise InputError(
        _("A date is written {pattern}; got '{text}'.").format(
            pattern=date_pattern(lang), text=cleaned
        )
    )
