"""click parameter types for kassi's kinds of value, each one core.text.validate function (R-4).

A bad value stops the command before it opens the database, with one line:
"Error: Invalid value for '--name': A name can be at most 80 characters ...".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from core.errors import InputError
from core.printing import settings as printer_settings
from core.text import validate
from core.text.i18n import _


class _Validated(click.ParamType):
    """A parameter type whose conversion is one core.text.validate call."""

    def __init__(self, name: str, check: Callable[[Any], Any]) -> None:
        self.name = name
        self._check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value  # a default already converted
        try:
            return self._check(value)
        except InputError as exc:
            self.fail(exc.message, param, ctx)


def name_type(kind: str, *, required: bool = True) -> click.ParamType:
    return _Validated(f"name({kind})", lambda v: validate.name(v, kind, required=required))


def id_type(what: Callable[[], str]) -> click.ParamType:
    """``what`` is called late so the message is in the chosen language."""
    return _Validated("id", lambda v: validate.ident(v, what()))


def code_type(what: Callable[[], str]) -> click.ParamType:
    return _Validated("code", lambda v: validate.code(v, what()))


def record_id_type(what: Callable[[], str]) -> click.ParamType:
    return _Validated("integer", lambda v: validate.record_id(v, what()))


NOTE = _Validated("note", validate.note)
REQUIRED_NOTE = _Validated("note", lambda v: validate.note(v, required=True))
DAY = _Validated("date", validate.day)
SESSION_ID = record_id_type(lambda: _("The session number"))
STATEMENT_ID = record_id_type(lambda: _("The statement number"))
JSON_OBJECT = _Validated("json", lambda v: validate.json_object(v, _("The printer setting")))
# A printer setting's JSON (P-4): a syntax error says where; the keys are checked by core
# when the setting is stored (core.printing.settings).
PRINTER_SETTING = _Validated("json", lambda v: printer_settings.parse(v))
JOB_ID = record_id_type(lambda: _("The print job number"))
LIMIT = _Validated("integer", lambda v: validate.whole_number(v, _("The limit"), minimum=1))
OFFSET = _Validated("integer", lambda v: validate.whole_number(v, _("The offset")))
CURSOR = _Validated("integer", lambda v: validate.whole_number(v, _("The cursor")))


class FilePath(click.Path):
    """click.Path that refuses a NUL in the name (os.stat raises ValueError on it)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail(_("A file name cannot hold a NUL character."), param, ctx)
        return super().convert(value, param, ctx)
