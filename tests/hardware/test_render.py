"""render(): ESC/POS bytes decoded back must say what layout() laid out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.printing.documents import Code, Columns, Document, Feed, Pair, Rule, Text
from core.printing.layout import layout
from hardware.render import drawer_pulse, encode, render, status_query
from tests.hardware.escpos_decoder import DecodeError, decode, first, texts

pytestmark = pytest.mark.hardware

ROOT = Path(__file__).resolve().parents[2]
NORDIC = "æøå ÆØÅ þð ÞÐ áéíóúý €"


def receipt() -> Document:
    return Document(
        "Kvittering 0001-000123",
        [
            Text("Smørrebrød & Kaffi ehf.", align="center", bold=True, size=2),
            Text("Þórsgata 1, Reykjavík · Østergade 2, Ærø", align="center"),
            Rule(),
            Pair("Rúgbrauð með þorski", "1.890 kr."),
            Pair("Æbleskiver (3 stk.) med flødeskum og syltetøj", "45,00"),
            Columns(["Kaffe", "2", "70,00"], widths=(0.6, 0.1, 0.3)),
            Rule("="),
            Pair("I alt", "€ 12,50", bold=True, size=2),
            Text(NORDIC),
            Feed(),
            Text("Tak for besøget - takk fyrir komuna!", align="center"),
        ],
        kind="sale_receipt",
        barcode="0001-000123",
        qr="https://kassi.example/r/0001-000123",
    )


@pytest.mark.parametrize("width", [32, 42, 48])
def test_decoded_text_is_the_laid_out_text(width: int) -> None:
    doc = receipt()
    events = decode(render(doc, width, "CP858"))
    assert texts(events) == [ln.text for ln in layout(doc, width)]
    assert NORDIC in texts(events)


def test_every_line_prints_with_its_own_alignment_bold_and_size() -> None:
    doc = receipt()
    events = decode(render(doc, 42))
    state = {"align": "left", "bold": False, "size": 1}
    seen = []
    for event in events:
        if event[0] in ("align", "bold"):
            state[event[0]] = event[1]
        elif event[0] == "size":
            assert event[1] == event[2]  # double width always with double height
            state["size"] = event[1]
        elif event[0] == "text":
            seen.append((event[1], state["align"], state["bold"], state["size"]))
        elif event[0] == "init":
            state = {"align": "left", "bold": False, "size": 1}
    expected = [(ln.text, ln.align, ln.bold, ln.size) for ln in layout(doc, 42)]
    assert seen == expected


def test_stream_starts_with_init_then_selects_cp858_and_ends_with_feed_and_cut() -> None:
    events = decode(render(receipt(), 42, "CP858"))
    assert events[0] == ("init",)
    # the code page comes after ESC @, which would reset it, and before any text
    head = events[: next(i for i, e in enumerate(events) if e[0] == "text")]
    assert ("codepage", 19) in head
    assert ("charset", 0) in head
    assert events[-2:] == [("feed", 3), ("cut", 0)]


def test_the_stream_leaves_bold_and_double_size_off() -> None:
    # whatever prints next (a drawer slip, another printer user) must not inherit them
    doc = Document("t", [Text("x"), Pair("I alt", "9,00", bold=True, size=2)])
    events = decode(render(doc, 32))
    assert events[-4:] == [("bold", False), ("size", 1, 1), ("feed", 3), ("cut", 0)]


def test_cut_and_feed_are_optional() -> None:
    events = decode(render(Document("t", [Text("x")]), 32, cut=False, feed=0))
    assert [e[0] for e in events] == ["init", "charset", "codepage", "text"]


@pytest.mark.parametrize(
    "codepage,slot,sample",
    [
        ("CP437", 0, "æå ÆÅ é"),  # no ø in the original PC page
        ("CP850", 2, "æøå ÆØÅ þð áéíóúý"),
        ("CP865", 5, "æøå ÆØÅ"),
        ("CP1252", 16, "æøå ÆØÅ þð áéíóúý €"),
        ("CP858", 19, "æøå ÆØÅ þð áéíóúý €"),
    ],
)
def test_other_code_pages(codepage: str, slot: int, sample: str) -> None:
    events = decode(render(Document("t", [Text(sample)]), 32, codepage))
    assert first(events, "codepage") == ("codepage", slot)
    assert texts(events) == [sample]


def test_aliases_and_unsupported_code_pages() -> None:
    events = decode(render(Document("t", [Text("þ €")]), 32, "wpc1252"))
    assert first(events, "codepage") == ("codepage", 16)
    assert texts(events) == ["þ €"]
    with pytest.raises(ValueError):
        render(Document("t", []), 32, "CP999")


def test_unencodable_characters_become_question_marks() -> None:
    doc = Document("t", [Text("Sushi 寿司 ✓ ok"), Text("þð €")])
    assert texts(decode(render(doc, 32, "CP858"))) == ["Sushi ?? ? ok", "þð €"]
    # CP865 (Nordic DOS) has æøå but neither the Icelandic letters nor the euro
    assert texts(decode(render(doc, 32, "CP865"))) == ["Sushi ?? ? ok", "?? ?"]
    assert encode("Æ\x1b", "CP858") == "Æ".encode("cp858") + b"?"


def test_a_profile_slot_overrides_the_epson_number() -> None:
    events = decode(
        render(Document("t", [Text("þæ")]), 32, "CP858", slot=53), {0: "cp437", 53: "cp858"}
    )
    assert first(events, "codepage") == ("codepage", 53)
    assert texts(events) == ["þæ"]


def test_qr_and_code128_payloads() -> None:
    doc = Document(
        "t",
        [Code("code128", "A{B}-42")],
        barcode="R-0001",
        qr="https://kassi.example/r/1?þ=ð",
    )
    events = decode(render(doc, 42))
    assert [e[1] for e in events if e[0] == "code128"] == ["A{B}-42", "R-0001"]
    assert first(events, "qr") == ("qr", "https://kassi.example/r/1?þ=ð")
    assert first(events, "qr_model") == ("qr_model", 2)
    assert first(events, "hri") == ("hri", 0)  # the payload is printed as laid-out text instead
    # codes are drawn centred
    index = events.index(first(events, "qr"))
    assert [e for e in events[:index] if e[0] == "align"][-1] == ("align", "center")


@pytest.mark.parametrize("pin,m", [(2, 0), (5, 1)])
def test_drawer_pulse(pin: int, m: int) -> None:
    assert decode(drawer_pulse(pin, 100, 100)) == [("pulse", pin, 100, 100)]
    assert decode(drawer_pulse(pin, 50, 250)) == [("pulse", pin, 50, 250)]
    assert drawer_pulse(pin)[:3] == b"\x1bp" + bytes([m])


def test_drawer_pulse_clamps_times_and_rejects_other_pins() -> None:
    assert decode(drawer_pulse(2, 0, 10_000)) == [("pulse", 2, 2, 510)]
    with pytest.raises(ValueError):
        drawer_pulse(3)


def test_status_queries() -> None:
    assert decode(b"".join(status_query(n) for n in (1, 2, 4))) == [
        ("status_query", 1),
        ("status_query", 2),
        ("status_query", 4),
    ]


def test_the_decoder_rejects_what_we_do_not_send() -> None:
    with pytest.raises(DecodeError):
        decode(b"\x1b!\x08")  # ESC ! (print mode) is not ours
    with pytest.raises(DecodeError):
        decode(b"abc")  # text without a line feed
    with pytest.raises(DecodeError):
        decode(b"\x1bt\x63")  # a code page slot nobody meant


def _fresh_python(code: str, tmp_path: Path) -> str:
    """Run code in a new interpreter with its own temp dir and cache dir."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


CHECK = """
import logging, os, tempfile
tmp = tempfile.gettempdir()
before = (list(logging.getLogger().handlers), sorted(os.listdir(tmp)))
{body}
after = (list(logging.getLogger().handlers), sorted(os.listdir(tmp)))
print("same" if before == after else f"changed {{before}} -> {{after}}")
"""


def test_importing_render_and_device_has_no_side_effects(tmp_path: Path) -> None:
    body = """
import hardware.render, hardware.device
from hardware import _escpos
assert _escpos.profile_codepages("TH230")["CP858"] == 6
printer = _escpos.import_escpos()
assert hasattr(printer, "Dummy")
"""
    assert _fresh_python(CHECK.format(body=body), tmp_path) == "same"


def test_a_bare_escpos_import_would_have_them(tmp_path: Path) -> None:
    # Proves the check above can fail: the library itself adds a handler and a temp dir.
    out = _fresh_python(CHECK.format(body="import escpos.printer"), tmp_path)
    assert out.startswith("changed")
