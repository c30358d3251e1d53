"""The one door to python-escpos: its printer profiles, and a side-effect-free import.

Importing `escpos.printer` in 3.1 calls `logging.basicConfig()` (a stderr
handler that would draw over the TUI) and `mkdtemp()` (a new temp dir on every
start, even when ESCPOS_CAPABILITIES_PICKLE_DIR is set, because the default
argument of `environ.get` is evaluated anyway). kassi builds its ESC/POS bytes
itself, so it needs the library only for the printer profiles, which are read
straight from the package's capabilities.json without importing the rest.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import threading
from functools import cache
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

_import_lock = threading.Lock()


def cache_dir() -> Path:
    """Where python-escpos may keep its capabilities pickle between runs."""
    from platformdirs import user_cache_dir

    path = Path(user_cache_dir("kassi")) / "escpos"
    path.mkdir(parents=True, exist_ok=True)
    return path


@cache
def _capabilities() -> dict[str, Any]:
    # Importing the `escpos` package itself runs only its version module: no side effects.
    with resources.files("escpos").joinpath("capabilities.json").open("r", encoding="utf-8") as f:
        return json.load(f)


def profile_names() -> list[str]:
    return sorted(_capabilities()["profiles"])


def profile_codepages(profile: str) -> dict[str, int]:
    """{"CP858": 19, ...}: the ESC t slot of each code page on this printer model.

    Slots differ between models (CP858 is 19 on Epson TM printers, 53 on many
    58 mm clones, 4 on Star), so a wrong guess prints the wrong letters.
    """
    profiles = _capabilities()["profiles"]
    if profile not in profiles:
        raise KeyError(profile)
    slots: dict[str, int] = {}
    for slot, name in profiles[profile].get("codePages", {}).items():
        if name != "Unknown":
            slots.setdefault(name.upper(), int(slot))
    return slots


def import_escpos() -> ModuleType:
    """Import `escpos.printer` without its import-time side effects; returns the module."""
    import sys

    if "escpos.printer" in sys.modules:
        return sys.modules["escpos.printer"]
    with _import_lock:
        fixed = str(cache_dir())
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", fixed)
        root = logging.getLogger()
        before = list(root.handlers)
        real_mkdtemp = tempfile.mkdtemp
        # escpos.capabilities does `from tempfile import mkdtemp` and calls it at import.
        tempfile.mkdtemp = lambda *a, **k: fixed  # type: ignore[assignment]
        # The pickle is written in place ("wb", then the data): a second process that
        # imports meanwhile reads it half-written (EOFError). One importer at a time.
        guard = os.open(Path(fixed) / "import.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(guard, fcntl.LOCK_EX)
            import escpos.printer as printer
        finally:
            os.close(guard)
            tempfile.mkdtemp = real_mkdtemp
            for handler in list(root.handlers):
                if handler not in before:
                    root.removeHandler(handler)
    return printer
