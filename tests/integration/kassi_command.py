"""How the integration tests find the installed `kassi` command."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def kassi_command() -> list[str]:
    """The console script beside this interpreter, else on PATH, else the module."""
    exe = Path(sys.executable).parent / "kassi"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("kassi")
    return [found] if found else [sys.executable, "-c", "from tui.cli import main; main()"]
