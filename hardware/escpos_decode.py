"""ESC/POS bytes back into events: the one decoder, for the preview and the tests.

It knows the commands kassi sends (hardware/render.py). Strict (the tests'
default) it raises on anything else, so it doubles as the check that we emit
nothing we do not understand; lenient (the preview) it turns what it does not
know into an ("unknown", description) event and goes on, so a stray command
shows as a marker on the picture instead of crashing the manager's preview.

Its code page table is its own (Epson's ESC t table), not the renderer's, so a
wrong slot number shows up as wrong letters; a printer profile's table can be
passed instead (what that model would print).

Events are tuples:
  ("init",) ("charset", n) ("codepage", n) ("align", "left"|"center"|"right")
  ("bold", bool) ("size", width_mul, height_mul) ("text", str) ("feed", n)
  ("cut", mode) ("pulse", pin, on_ms, off_ms) ("status_query", n)
  ("qr_model", n) ("qr_size", n) ("qr_ec", n) ("qr", payload)
  ("barcode_height", n) ("barcode_width", n) ("hri", n) ("code128", payload)
  ("raster", mode, width_bytes, height, data)
lenient only: ("chunk", str) text a command interrupted before its line feed,
  ("unknown", description).
"""

from __future__ import annotations

EPSON_PAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    35: "cp861",
    40: "iso8859_15",
}
ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
# A GS v 0 image wider than 80 mm paper or taller than this is not one kassi sends.
MAX_RASTER_BYTES = 1 << 20


class DecodeError(ValueError):
    pass


class _Unknown(Exception):
    """A command the decoder does not know; lenient mode shows it and goes on."""

    def __init__(self, description: str, resume: int) -> None:
        super().__init__(description)
        self.description = description
        self.resume = resume


def decode(data: bytes, pages: dict[int, str] | None = None, *, strict: bool = True) -> list[tuple]:
    pages = EPSON_PAGES if pages is None else pages
    events: list[tuple] = []
    codec = pages.get(0, "cp437")
    text = bytearray()
    qr_data: bytes | None = None
    i = 0

    def need(n: int) -> bytes:
        if i + n > len(data):
            raise DecodeError(f"truncated command at byte {i}: {data[i - 2 : i + 8]!r}")
        return data[i : i + n]

    def unknown(description: str, resume: int) -> None:
        raise _Unknown(description, resume)

    def flush(event: str) -> None:
        events.append((event, bytes(text).decode(codec, errors="replace")))
        text.clear()

    while i < len(data):
        b = data[i]
        if b >= 0x20:
            text.append(b)
            i += 1
            continue
        if text and b != 0x0A:
            if strict:
                raise DecodeError(f"command {b:#04x} in the middle of a text line at byte {i}")
            flush("chunk")
        start = i
        i += 1
        try:
            if b == 0x0A:
                flush("text")
            elif b == 0x1B:  # ESC
                c = need(1)[0]
                i += 1
                if c == ord("@"):
                    events.append(("init",))
                    codec = pages.get(0, "cp437")  # the printer forgets the code page on ESC @
                elif c == ord("t"):
                    n = need(1)[0]
                    i += 1
                    if n not in pages:
                        unknown(f"ESC t {n}: code page unknown", i)
                    codec = pages[n]
                    events.append(("codepage", n))
                elif c == ord("R"):
                    events.append(("charset", need(1)[0]))
                    i += 1
                elif c == ord("a"):
                    n = need(1)[0]
                    i += 1
                    if n not in ALIGNS:
                        unknown(f"ESC a {n}", i)
                    events.append(("align", ALIGNS[n]))
                elif c == ord("E"):
                    events.append(("bold", bool(need(1)[0] & 1)))
                    i += 1
                elif c == ord("d"):
                    events.append(("feed", need(1)[0]))
                    i += 1
                elif c == ord("p"):
                    m, t1, t2 = need(3)
                    i += 3
                    if m not in (0, 1, 48, 49):
                        unknown(f"ESC p {m}", i)
                    events.append(("pulse", 2 if m in (0, 48) else 5, t1 * 2, t2 * 2))
                else:
                    unknown(f"ESC {c:#04x}", i)
            elif b == 0x1D:  # GS
                c = need(1)[0]
                i += 1
                if c == ord("!"):
                    n = need(1)[0]
                    i += 1
                    events.append(("size", (n >> 4) + 1, (n & 0x0F) + 1))
                elif c == ord("V"):
                    m = need(1)[0]
                    i += 1
                    if m in (65, 66):
                        i += 1  # feed-and-cut forms carry a feed amount
                    elif m not in (0, 1, 48, 49):
                        unknown(f"GS V {m}", i)
                    events.append(("cut", m))
                elif c in (ord("h"), ord("w"), ord("H")):
                    name = {ord("h"): "barcode_height", ord("w"): "barcode_width", ord("H"): "hri"}
                    events.append((name[c], need(1)[0]))
                    i += 1
                elif c == ord("k"):
                    m, n = need(2)
                    i += 2
                    body = need(n) if m == 73 else b""
                    i += len(body)
                    if m != 73:
                        unknown(f"GS k {m}: only CODE128 (73) is expected", i)
                    if not body.startswith(b"{B"):
                        unknown(f"CODE128 must start in code set B: {body!r}", i)
                    events.append(("code128", body[2:].decode("ascii").replace("{{", "{")))
                elif c == ord("v"):
                    zero, m, xl, xh, yl, yh = need(6)
                    i += 6
                    width_bytes, height = xl + (xh << 8), yl + (yh << 8)
                    if zero != ord("0") or m not in (0, 1, 2, 3, 48, 49, 50, 51):
                        unknown(f"GS v {zero:#04x} {m}", i)
                    if width_bytes * height > MAX_RASTER_BYTES:
                        raise DecodeError(f"GS v 0 image of {width_bytes}x{height} bytes")
                    body = need(width_bytes * height)
                    i += len(body)
                    events.append(("raster", m & 3, width_bytes, height, bytes(body)))
                elif c == ord("("):
                    k, pl, ph, cn, fn = need(5)
                    if k != ord("k"):
                        unknown(f"GS ( {k:#04x}", i)
                    i += 5
                    body = need(pl + (ph << 8) - 2)
                    i += len(body)
                    if cn != 49:
                        unknown(f"GS ( k cn={cn}: only QR (49) is expected", i)
                    if fn == 65:
                        events.append(("qr_model", body[0] - 48))
                    elif fn == 67:
                        events.append(("qr_size", body[0]))
                    elif fn == 69:
                        events.append(("qr_ec", body[0]))
                    elif fn == 80:
                        if body[:1] != b"0":
                            unknown("QR store: m must be 48", i)
                        qr_data = body[1:]
                    elif fn == 81:
                        if qr_data is None:
                            unknown("QR print before store", i)
                        events.append(("qr", qr_data.decode("utf-8", errors="replace")))
                        qr_data = None
                    else:
                        unknown(f"GS ( k fn={fn}", i)
                else:
                    unknown(f"GS {c:#04x}", i)
            elif b == 0x10:  # DLE
                c, n = need(2)
                i += 2
                if c != 0x04 or n not in (1, 2, 3, 4):
                    unknown(f"DLE {c:#04x} {n}", i)
                events.append(("status_query", n))
            else:
                unknown(f"control byte {b:#04x}", i)
        except _Unknown as exc:
            if strict:
                raise DecodeError(f"unknown {exc.description} at byte {start}") from None
            events.append(("unknown", exc.description))
            i = exc.resume
        except DecodeError:
            if strict:
                raise
            events.append(("unknown", f"truncated {data[start : start + 4].hex(' ')}"))
            i = len(data)
    if text:
        if strict:
            raise DecodeError(f"text without a line feed at the end: {bytes(text)!r}")
        flush("text")
    return events


def texts(events: list[tuple]) -> list[str]:
    return [e[1] for e in events if e[0] == "text"]


def first(events: list[tuple], name: str) -> tuple:
    for e in events:
        if e[0] == name:
            return e
    raise AssertionError(f"no {name!r} event in {events!r}")
