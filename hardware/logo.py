"""A store logo file into printer images: checked, scaled, dithered once (SPEC P-5).

`kassi store set S logo=FILE.png` (tui/cli/logo_cmds.py) calls `convert` once;
core stores the GS v 0 bytes per paper width (core/printing/logo.py) and every
receipt prints those bytes as they are, so a receipt never re-dithers an image.

Scaling and the white padding are done here with Pillow (python-escpos has no
resize, and its `center` needs a profile with a known paper width, which the
default profile lacks); the 1-bit conversion (Floyd-Steinberg dithering) and
the GS v 0 bytes are python-escpos' own `Dummy().image(impl="bitImageRaster")`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterable
from pathlib import Path

from attrs import frozen

from core.errors import InputError
from core.printing.documents import raster_size
from core.text.i18n import _
from hardware.render import PAPER_DOTS

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000  # pixels; a bigger file is a photo, not a logo
MIN_SIDE = 8
# 20 mm at 203 dpi: a logo, not half a receipt. Its bytes go out with every receipt
# (576x160 dots is 11.5 KB: 12 s at 9600 baud, a blink on USB or the network).
MAX_HEIGHT_DOTS = 160
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


@frozen
class ConvertedLogo:
    """The images of one logo file, one per paper width in dots, and where they came from."""

    rasters: dict[int, bytes]
    sha256: str
    width: int  # the file's size in pixels
    height: int


def _kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def read_file(path: str | Path) -> bytes:
    """The file's bytes; InputError with one line if it cannot be read or is too big."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise InputError(_("The logo {path} is not a file.").format(path=str(p)))
        if size > MAX_FILE_BYTES:
            raise InputError(
                _("The logo {path} is {size} KB; at most {limit} KB.").format(
                    path=str(p), size=size // 1024, limit=MAX_FILE_BYTES // 1024
                )
            )
        return p.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise InputError(
            _("The logo {path} cannot be read: {error}.").format(
                path=str(p), error=getattr(exc, "strerror", None) or exc
            )
        ) from None


def _open(data: bytes, name: str):
    from PIL import Image, UnidentifiedImageError

    kind = _kind(data)
    if kind is None:
        raise InputError(_("The logo {path} is not a PNG or JPEG image.").format(path=name))
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            _("The logo {path} is {size} KB; at most {limit} KB.").format(
                path=name, size=len(data) // 1024, limit=MAX_FILE_BYTES // 1024
            )
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            w, h = probe.size  # read from the header: a huge image is refused before decoding
            if probe.format != kind:
                raise ValueError(f"{probe.format} data")
        if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
            raise InputError(
                _(
                    "The logo {path} is {w}x{h} pixels; it must be {lo} to {hi} pixels each way."
                ).format(path=name, w=w, h=h, lo=MIN_SIDE, hi=MAX_SIDE)
            )
        image = Image.open(io.BytesIO(data))
        image.load()  # a truncated or damaged file fails here, not at the first receipt
    except InputError:
        raise
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise InputError(
            _("The logo {path} is a damaged {kind} file ({error}).").format(
                path=name, kind=kind, error=str(exc).splitlines()[0] if str(exc) else "?"
            )
        ) from None
    return image


def _fit(image, dots: int):
    """The logo scaled down (never up) to the paper and MAX_HEIGHT_DOTS, centred on a
    white strip exactly as wide as the paper: the printer needs no alignment for it."""
    from PIL import Image

    rgba = image.convert("RGBA")
    scale = min(1.0, (dots // 8 * 8) / rgba.width, MAX_HEIGHT_DOTS / rgba.height)
    size = (max(1, round(rgba.width * scale)), max(1, round(rgba.height * scale)))
    if size != rgba.size:
        rgba = rgba.resize(size, Image.Resampling.LANCZOS)
    full = dots // 8 * 8  # GS v 0 rows are whole bytes: never wider than the paper
    strip = Image.new("RGBA", (full, size[1]), (255, 255, 255, 255))
    strip.alpha_composite(rgba, ((full - size[0]) // 2, 0))
    return strip


def _gs_v_0(image) -> bytes:
    from hardware._escpos import import_escpos

    dummy = import_escpos().Dummy()
    # Dummy's default profile has no paper width, and image() then print()s a warning
    # to stdout (over the TUI, into a script's output): swallow it; we centre ourselves.
    with contextlib.redirect_stdout(io.StringIO()):
        dummy.image(image, impl="bitImageRaster", center=False)
    return dummy.output


def convert(data: bytes, dots: Iterable[int] = (), *, name: str = "logo") -> ConvertedLogo:
    """Check a PNG/JPEG logo and make its GS v 0 image for every paper width in `dots`
    (and the usual 58/80 mm papers); InputError (one line) for a file that is not one."""
    image = _open(data, name)
    rasters: dict[int, bytes] = {}
    for width in sorted({*PAPER_DOTS.values(), *dots}):
        if not 128 <= width <= 1024:
            continue
        raster = _gs_v_0(_fit(image, width))
        raster_size(raster)  # exactly one GS v 0 image, as core will check it again
        rasters[width] = raster
    return ConvertedLogo(
        rasters=rasters, sha256=hashlib.sha256(data).hexdigest(), width=image.width,
        height=image.height,
    )  # fmt: skip
