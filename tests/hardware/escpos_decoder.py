"""A small ESC/POS decoder for the tests: bytes back into events.

It knows only the commands kassi is meant to send, and raises on anything
else, so it doubles as the check that we emit nothing we do not understand.
Its code page table is its own (from Epson's ESC t table), not the
implementation's, so a wrong slot number shows up as wrong letters.

Events are tuples:
  ("init",) ("charset", n) ("codepage", n) ("align", "left"|"center"|"right")
  ("bold", bool) ("size", width_mul, height_mul) ("text", str) ("feed", n)
  ("cut", mode) ("pulse", pin, on_ms, off_ms) ("status_query", n)
  ("qr_model", n) ("qr_size", n) ("qr_ec", n) ("qr", payload)
  ("barcode_height", n) ("barcode_width", n) ("hri", n) ("code128", payload)
"""

from __future__ import annotations

EPSON_PAGES = {0: "cp437", 2: "cp850", 5: "cp865", 16: "cp1252", 19: "cp858", 35: "cp861"}
ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


class DecodeError(ValueError):
    pass


def decode(data: bytes, pages: dict[int, str] | None = None) -> list[tuple]:
    pages = EPSON_PAGES if pages is None else pages
    events: list[tuple] = []
    codec = pages[0]
    text = bytearray()
    qr_data: bytes | None = None
    i = 0

    def need(n: int) -> bytes:
        if i + n > len(data):
            raise DecodeError(f"truncated command at byte {i}: {data[i - 2 : i + 8]!r}")
        return data[i : i + n]

    while i < len(data):
        b = data[i]
        if b >= 0x20:
            text.append(b)
            i += 1
            continue
        if text and b != 0x0A:
            raise DecodeError(f"command {b:#04x} in the middle of a text line at byte {i}")
        i += 1
        if b == 0x0A:
            events.append(("text", bytes(text).decode(codec)))
            text.clear()
        elif b == 0x1B:  # ESC
            c = need(1)[0]
            i += 1
            if c == ord("@"):
                events.append(("init",))
                codec = pages[0]  # the printer forgets the code page on ESC @
            elif c == ord("t"):
                n = need(1)[0]
                i += 1
                if n not in pages:
                    raise DecodeError(f"ESC t {n}: code page unknown to the decoder")
                codec = pages[n]
                events.append(("codepage", n))
            elif c == ord("R"):
                events.append(("charset", need(1)[0]))
                i += 1
            elif c == ord("a"):
                n = need(1)[0]
                i += 1
                if n not in ALIGNS:
                    raise DecodeError(f"ESC a {n}")
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
                    raise DecodeError(f"ESC p {m}")
                events.append(("pulse", 2 if m in (0, 48) else 5, t1 * 2, t2 * 2))
            else:
                raise DecodeError(f"unknown ESC {c:#04x} at byte {i - 2}")
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
                    raise DecodeError(f"GS V {m}")
                events.append(("cut", m))
            elif c in (ord("h"), ord("w"), ord("H")):
                name = {ord("h"): "barcode_height", ord("w"): "barcode_width", ord("H"): "hri"}[c]
                events.append((name, need(1)[0]))
                i += 1
            elif c == ord("k"):
                m, n = need(2)
                i += 2
                if m != 73:
                    raise DecodeError(f"GS k {m}: only CODE128 (73) is expected")
                body = need(n)
                i += n
                if not body.startswith(b"{B"):
                    raise DecodeError(f"CODE128 must start in code set B: {body!r}")
                events.append(("code128", body[2:].decode("ascii").replace("{{", "{")))
            elif c == ord("("):
                k, pl, ph, cn, fn = need(5)
                if k != ord("k"):
                    raise DecodeError(f"GS ( {k:#04x}")
                i += 5
                body = need(pl + (ph << 8) - 2)
                i += len(body)
                if cn != 49:
                    raise DecodeError(f"GS ( k cn={cn}: only QR (49) is expected")
                if fn == 65:
                    events.append(("qr_model", body[0] - 48))
                elif fn == 67:
                    events.append(("qr_size", body[0]))
                elif fn == 69:
                    events.append(("qr_ec", body[0]))
                elif fn == 80:
                    if body[:1] != b"0":
                        raise DecodeError("QR store: m must be 48")
                    qr_data = body[1:]
                elif fn == 81:
                    if qr_data is None:
                        raise DecodeError("QR print before store")
                    events.append(("qr", qr_data.decode("utf-8")))
                    qr_data = None
                else:
                    raise DecodeError(f"GS ( k fn={fn}")
            else:
                raise DecodeError(f"unknown GS {c:#04x} at byte {i - 2}")
        elif b == 0x10:  # DLE
            c, n = need(2)
            i += 2
            if c != 0x04 or n not in (1, 2, 3, 4):
                raise DecodeError(f"DLE {c:#04x} {n}")
            events.append(("status_query", n))
        else:
            raise DecodeError(f"unexpected control byte {b:#04x} at byte {i - 1}")
    if text:
        raise DecodeError(f"text without a line feed at the end: {bytes(text)!r}")
    return events


def texts(events: list[tuple]) -> list[str]:
    return [e[1] for e in events if e[0] == "text"]


def first(events: list[tuple], name: str) -> tuple:
    for e in events:
        if e[0] == name:
            return e
    raise AssertionError(f"no {name!r} event in {events!r}")
