"""Core decides what a valid printer setting is; hardware knows the code pages and the
printer models (SPEC P-4). These checks keep the two sides in agreement."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.errors import InputError
from core.printing import setting_keys
from core.printing import settings as printer_settings
from hardware import render
from hardware._escpos import profile_codepages

pytestmark = pytest.mark.hardware


def test_core_knows_exactly_the_code_pages_the_renderer_can_encode() -> None:
    """P-4: a code page core accepts always renders, and every one the renderer has is allowed."""
    assert set(setting_keys.CODEPAGES) == set(render.CODEPAGES)
    for alias in setting_keys.CODEPAGE_ALIASES:
        assert printer_settings.codepage_name(alias) == render.codepage_name(alias)


def test_validate_config_is_core_s_check_with_the_printer_models() -> None:
    """P-4: hardware.device.validate_config is the core check, models included."""
    from hardware.device import validate_config

    cfg = {"kind": "file", "path": "x", "profile": "TM-T88II"}
    with pytest.raises(InputError) as error:
        validate_config(cfg)
    assert "`codepage` 'CP858' is not on printer model TM-T88II" in error.value.message
    full = validate_config({**cfg, "codepage": "CP437"})
    assert full["timeout"] == 3 and full["codepage"] == "CP437"
    assert profile_codepages("TM-T88II")["CP437"] == 0


def test_the_kassi_command_hands_core_the_printer_models() -> None:
    """P-4: the CLI registers hardware's lookup, so a profile is checked, not refused."""
    code = (
        "import tui.cli; from core.printing import settings as p; "
        "print(p.normalize({'kind': 'none', 'profile': 'TM-T88V'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "TM-T88V" in done.stdout
