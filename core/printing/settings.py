"""What a valid printer setting is (SPEC P-4): each key's type and range, checked.

A terminal's printer setting is a JSON object such as
``{"kind": "network", "host": "10.0.0.5"}``. Every path that stores one
(terminals.add_terminal, terminals.set_printer, the demo data, the CLI and the back
office) checks it here, fully, before it is stored; a bad one is refused with one
line that names the key, and nothing changes.

Core decides what is valid; hardware only uses it. The one fact core cannot know
by itself is which code pages a printer model has (python-escpos'
capabilities.json): hardware and the tui hand core a lookup for that
(`use_profiles`), so the layers stay one-way. Without a lookup, a setting that
names a profile is refused rather than stored unchecked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from core.errors import InputError
from core.printing.port import PrinterConfigError
from core.printing.setting_keys import (
    BAUDS,
    CODEPAGE_ALIASES,
    CODEPAGES,
    FLOWS,
    KINDS,
    REQUIRED,
    TEXT_KEYS,
    defaults_for,
    keys_for,
)
from core.text import validate as checks
from core.text.i18n import _

TEXT_MAX = 255

ProfileLookup = Callable[[str], Mapping[str, int]]
"""A printer model's name -> {code page name: ESC t slot}; KeyError for an unknown model."""

_profiles: ProfileLookup | None = None


def use_profiles(lookup: ProfileLookup | None) -> None:
    """Hand core the printer models' code pages (hardware._escpos.profile_codepages)."""
    global _profiles
    _profiles = lookup


def profile_lookup() -> ProfileLookup | None:
    return _profiles


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "\u2026"


def _bad(message: str, **kw: Any) -> PrinterConfigError:
    if "value" in kw:
        kw["value"] = _shown(kw["value"])
    return PrinterConfigError(_("Printer setting: ") + _(message).format(**kw))


def _whole(cfg: Mapping[str, Any], key: str, lo: int, hi: int, *, hex_ok: bool = False) -> int:
    value = cfg[key]
    if hex_ok and isinstance(value, str):
        text = value.strip().lower()
        try:
            value = int(text, 16) if text.startswith("0x") else int(text, 10)
        except ValueError:
            value = cfg[key]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(
            "`{key}` must be a whole number from {lo} to {hi}, not {value}",
            key=key,
            lo=lo,
            hi=hi,
            value=cfg[key],
        )
    return value


def _choice(cfg: Mapping[str, Any], key: str, choices: tuple[Any, ...]) -> Any:
    value = cfg[key]
    if isinstance(value, bool) or not isinstance(value, str | int) or value not in choices:
        raise _bad(
            "`{key}` must be one of {values}, not {value}",
            key=key,
            values=", ".join(map(str, choices)),
            value=value,
        )
    return value


def _text(cfg: Mapping[str, Any], key: str) -> str:
    value = cfg[key]
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > TEXT_MAX
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
        or (key == "host" and any(ch.isspace() for ch in value.strip()))
    ):
        raise _bad(
            "`{key}` must be a non-empty text of at most {n} characters without control"
            " characters, not {value}",
            key=key,
            n=TEXT_MAX,
            value=value,
        )
    return value.strip()


def codepage_name(value: Any) -> str:
    """The canonical name of a supported code page ("cp858" -> "CP858")."""
    if isinstance(value, str):
        name = value.strip().upper()
        name = CODEPAGE_ALIASES.get(name, name)
        if name in CODEPAGES:
            return name
    raise _bad(
        "`codepage` must be one of {values}, not {value}", values=", ".join(CODEPAGES), value=value
    )


def normalize(cfg: Any, *, profiles: ProfileLookup | None = None) -> dict[str, Any]:
    """Check a printer setting fully; returns the keys given, in canonical form
    ("cp865" -> "CP865", "0x04b8" -> 1208). This is what is stored.

    PrinterConfigError (an InputError) names the first wrong key."""
    if not isinstance(cfg, Mapping):
        raise _bad(
            'expected an object such as {{"kind": "file", "path": "receipts.bin"}}, not {value}',
            value=cfg,
        )
    if "kind" not in cfg:
        raise _bad("`kind` is missing: use one of {kinds}", kinds=", ".join(KINDS))
    kind = _choice(cfg, "kind", KINDS)
    allowed = set(keys_for(kind))
    for key in cfg:
        if key not in allowed:
            raise _bad(
                "`{key}` is not a setting of a {kind} printer (its settings: {keys})",
                key=key if isinstance(key, str) else _shown(key),
                kind=kind,
                keys=", ".join(keys_for(kind)[1:]) or "-",
            )
    for key in REQUIRED[kind]:
        if key not in cfg:
            raise _bad("a {kind} printer needs `{key}`", kind=kind, key=key)
    out: dict[str, Any] = {"kind": kind}
    for key in keys_for(kind)[1:]:
        if key in cfg:
            out[key] = _check_key(cfg, key)
    _check_profile({**defaults_for(kind), **out}, profiles)
    return out


def _check_key(cfg: Mapping[str, Any], key: str) -> Any:
    value = cfg[key]
    if key in TEXT_KEYS:
        return _text(cfg, key)
    if key in ("vendor", "product"):
        return _whole(cfg, key, 0, 0xFFFF, hex_ok=True)
    if key == "port":
        return _whole(cfg, key, 1, 65535)
    if key == "width":
        return _whole(cfg, key, 24, 80)
    if key in ("pulse_on_ms", "pulse_off_ms"):
        return _whole(cfg, key, 2, 510)
    if key == "codepage_slot":
        return None if value is None else _whole(cfg, key, 0, 255)
    if key == "baud":
        return _choice(cfg, key, BAUDS)
    if key == "flow":
        return _choice(cfg, key, FLOWS)
    if key == "drawer_pin":
        return _choice(cfg, key, (2, 5))
    if key == "drawer_open_level":
        return _choice(cfg, key, ("high", "low"))
    if key == "codepage":
        return codepage_name(value)
    if key == "timeout":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not 0 < value <= 60:
            raise _bad(
                "`timeout` must be a number of seconds above 0 and at most 60, not {value}",
                value=value,
            )
        return value
    if key == "wait_drawer_closed":
        if not isinstance(value, bool):
            raise _bad("`wait_drawer_closed` must be true or false, not {value}", value=value)
        return value
    if key == "profile":
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > TEXT_MAX:
            raise _bad("`profile` must be the name of a printer model, not {value}", value=value)
        return value.strip()
    raise AssertionError(key)  # keys_for() lists only the keys handled above


def _check_profile(full: dict[str, Any], profiles: ProfileLookup | None) -> None:
    profile = full["profile"]
    if profile is None:
        return
    lookup = profiles or _profiles
    if lookup is None:
        raise _bad(
            "`profile` cannot be checked here (the printer models of python-escpos are not"
            " loaded); leave it out or set it from the kassi command or the back office"
        )
    try:
        slots = lookup(profile)
    except KeyError:
        raise _bad(
            "`profile` {value} is not a printer model python-escpos knows (e.g. default,"
            " TM-T88V, TM-T20II)",
            value=profile,
        ) from None
    if full["codepage_slot"] is None and full["codepage"] not in slots:
        known = sorted(set(slots) & set(CODEPAGES))
        raise _bad(
            "`codepage` {value} is not on printer model {profile} (it has: {values});"
            " choose one of those or give `codepage_slot`",
            value=full["codepage"],
            profile=profile,
            values=", ".join(known) or "-",
        )


def validate(cfg: Any, *, profiles: ProfileLookup | None = None) -> dict[str, Any]:
    """Check a printer setting; returns it with every default filled in (what hardware uses)."""
    given = normalize(cfg, profiles=profiles)
    return {"kind": given["kind"], **defaults_for(given["kind"]), **given}


def problem(cfg: Any, *, profiles: ProfileLookup | None = None) -> str | None:
    """What is wrong with a stored setting (None: nothing); for the till and `terminal show`.

    A database written before settings were checked may hold anything; loading it
    must never crash, it must say what to fix."""
    try:
        normalize(cfg, profiles=profiles)
    except PrinterConfigError as exc:
        return exc.message
    return None


def fix_hint(terminal_id: str) -> str:
    return _(
        "Correct it in the back office (Terminals and printers) or with"
        " `kassi terminal set {terminal} --printer JSON`."
    ).format(terminal=terminal_id)


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise PrinterConfigError(
                _("Printer setting: `{key}` is given twice").format(key=_shown(key)[1:-1])
            )
        out[key] = value
    return out


def parse(text: str) -> dict[str, Any]:
    """A printer setting typed as JSON; a syntax error says where (line and column).

    NaN and Infinity (which Python's json accepts) and keys given twice are refused."""
    try:
        checks.json_value(text, _("The printer setting"))  # size and depth first
    except InputError as exc:
        if exc.__context__ is None:  # too long or too deep; a syntax error is said below
            raise PrinterConfigError(exc.message) from None
    try:
        value = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_unique_keys)
    except PrinterConfigError:
        raise
    except json.JSONDecodeError as exc:
        raise PrinterConfigError(
            _("Printer setting: not valid JSON at line {line}, column {col}: {error}").format(
                line=exc.lineno, col=exc.colno, error=exc.msg
            )
        ) from None
    except ValueError as exc:
        raise PrinterConfigError(
            _("Printer setting: {value} is not a number JSON allows").format(value=exc.args[0])
        ) from None
    except RecursionError:
        raise PrinterConfigError(_("Printer setting: nested too deeply")) from None
    for key, item in value.items() if isinstance(value, dict) else ():
        if isinstance(item, dict | list):
            raise _bad("`{key}` must be a plain value, not {value}", key=key, value=item)
        if isinstance(item, float) and not math.isfinite(item):
            raise _bad("`{key}` must be a finite number, not {value}", key=key, value=item)
    return value


def parse_value(key: str, text: str) -> Any:
    """One key's value typed as KEY=VALUE: text keys as typed, others as a JSON scalar
    (9100, 2.5, true, null), else as typed text, which the check then names."""
    if key in (*TEXT_KEYS, "kind", "flow", "codepage", "profile", "drawer_open_level"):
        return text
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except ValueError:
        return text
    return text if isinstance(value, dict | list) else value
