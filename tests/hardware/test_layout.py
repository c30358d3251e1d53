"""layout(): every block at 32, 42 and 48 columns stays inside the paper."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.printing.documents import Code, Columns, Document, Feed, Pair, Rule, Text
from core.printing.layout import LaidLine, layout, to_text, wrap

pytestmark = pytest.mark.hardware

WIDTHS = (32, 42, 48)
LETTERS = "æøå ÆØÅ þð ÞÐ áéíóúý ÁÉÍÓÚÝ €"
LONG_WORD = "Vaðlaheiðarvegavinnuverkfærageymsluskúrslyklakippuhringur"


def fits(line: LaidLine, width: int) -> bool:
    return len(line.text) * line.size <= width


def every_block() -> Document:
    return Document(
        "Kvittering",
        [
            Text("Smørrebrødsforretningen Ærø ApS", align="center", bold=True, size=2),
            Text("Adresse: Østergade 12, 5970 Ærøskøbing", align="center"),
            Text(LETTERS, align="right"),
            Rule(),
            Rule("="),
            Columns(["Rødgrød med fløde og æblekage", "2", "125,00"], widths=(0.6, 0.1, 0.3)),
            Columns(["Kaffe", "1", "35,00"]),
            Pair("Smørrebrød med rejer, æg, mayonnaise og citron", "1.249,50"),
            Pair("I alt", "1.249,50 kr.", bold=True, size=2),
            Pair("Samtals greitt með korti (debet)", "12.345 kr."),
            Text(LONG_WORD, bold=True),
            Text(LONG_WORD, size=2),
            Text("Ingen ombrydning her: " + LONG_WORD, wrap=False),
            Text("Line one\nLine two\r\nLine three"),
            Feed(2),
            Code("qr", "https://kassi.example/r/0001-000123?lang=da&x=" + "y" * 60),
            Code("code128", "R-0001-000123"),
        ],
        kind="sale_receipt",
        barcode="0001000123",
        qr="þ-ð",
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_no_line_is_wider_than_the_paper(width: int) -> None:
    lines = layout(every_block(), width)
    assert lines
    too_wide = [ln for ln in lines if not fits(ln, width)]
    assert too_wide == []
    for row in to_text(every_block(), width).splitlines():
        assert len(row) <= width


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("size", [1, 2])
@pytest.mark.parametrize(
    "label,value",
    [
        ("I alt", "125,00"),
        ("Smørrebrød med rejer, æg, mayonnaise og citron på rugbrød", "1.249,50"),
        ("Greiðslumáti", "12.345.678 kr."),
        ("", "0,50"),
        ("Byttepenge", ""),
    ],
)
def test_pair_value_is_intact_and_flush_right(
    width: int, size: int, label: str, value: str
) -> None:
    lines = layout(Document("t", [Pair(label, value, size=size)]), width)
    room = width // size
    assert all(fits(ln, width) for ln in lines)
    assert all(ln.size == size and ln.align == "left" for ln in lines)
    if value:
        holding = [ln for ln in lines if ln.text.endswith(value)]
        assert len(holding) == 1
        assert len(holding[0].text) == room  # padded to the edge, so the value ends there
    words = " ".join(ln.text for ln in lines).split()
    for word in label.split():
        assert word in words


def test_pair_keeps_a_readable_label_beside_a_wide_value() -> None:
    lines = layout(Document("t", [Pair("I alt", "1.234.567,00 kr.", size=2)]), 48)
    assert [ln.text for ln in lines] == ["I alt".ljust(24 - 16) + "1.234.567,00 kr."]
    lines = layout(Document("t", [Pair("I alt", "12.234.567.890,00 kr.", size=2)]), 48)
    assert [ln.text.strip() for ln in lines] == ["I alt", "12.234.567.890,00 kr."]
    assert lines[1].text.endswith("kr.") and len(lines[1].text) == 24


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("size", [1, 2])
def test_long_words_are_broken_and_nothing_is_lost(width: int, size: int) -> None:
    lines = layout(Document("t", [Text(f"Orð: {LONG_WORD} og", size=size)]), width)
    assert all(fits(ln, width) for ln in lines)
    assert len(lines) > 1
    assert "".join(ln.text for ln in lines).replace(" ", "") == f"Orð:{LONG_WORD}og"
    # only the long word is broken mid-word: the short ones stay whole
    assert lines[0].text.startswith("Orð:")
    assert lines[-1].text.endswith(" og")


@pytest.mark.parametrize("width", WIDTHS)
def test_danish_and_icelandic_letters_are_kept(width: int) -> None:
    doc = Document(
        "t",
        [
            Text(LETTERS),
            Text(LETTERS, size=2, align="center"),
            Pair(LETTERS, "€ 1,00"),
            Columns([LETTERS, "þð"]),
        ],
    )
    for block_text in (" ".join(ln.text for ln in layout(doc, width)),):
        for letter in LETTERS.replace(" ", ""):
            assert letter in block_text
    assert "þð" in to_text(doc, width)


def test_decomposed_letters_are_composed_first() -> None:
    decomposed = "A\u030a" + "e\u0301"  # Å and é typed as letter + combining mark
    (line,) = layout(Document("t", [Text(decomposed)]), 32)
    assert line.text == "Åé"


def test_control_characters_cannot_reach_the_printer() -> None:
    """R-6: a drawer kick (ESC p 0 25 25) in a name is laid out as visible marks, not a command."""
    (line,) = layout(Document("t", [Text("Evil\x1bp\x00\x19\x19 item\x07")]), 32)
    assert all(ch >= " " and not "\x7f" <= ch <= "\x9f" for ch in line.text)
    assert line.text == "Evil␛␀␙␙ item␇"
    (pair,) = layout(Document("t", [Pair("A\x1b@", "1\x1d,00")]), 32)
    assert "\x1b" not in pair.text and "\x1d" not in pair.text


@pytest.mark.parametrize("width", WIDTHS)
def test_alignment_bold_and_size_are_carried(width: int) -> None:
    lines = layout(
        Document(
            "t",
            [
                Text("Kassi", align="center", bold=True, size=2),
                Text("right", align="right"),
                Text("  indented", align="left"),
            ],
        ),
        width,
    )
    assert [(ln.text, ln.align, ln.bold, ln.size) for ln in lines] == [
        ("Kassi", "center", True, 2),
        ("right", "right", False, 1),
        ("  indented", "left", False, 1),
    ]
    rows = to_text(Document("t", [Text("right", align="right")]), width).splitlines()
    assert rows == ["right".rjust(width)]


@pytest.mark.parametrize("width", WIDTHS)
def test_rule_feed_and_no_wrap(width: int) -> None:
    doc = Document("t", [Rule("="), Feed(3), Text("x" * 100, wrap=False)])
    lines = layout(doc, width)
    assert [ln.text for ln in lines] == ["=" * width, "", "", "", "x" * width]


@pytest.mark.parametrize("width", WIDTHS)
def test_columns_align_and_wrap_inside_their_cells(width: int) -> None:
    lines = layout(
        Document(
            "t", [Columns(["Rødgrød med fløde", "2 x 12,50", "25,00"], widths=(0.5, 0.3, 0.2))]
        ),
        width,
    )
    assert all(fits(ln, width) for ln in lines)
    assert lines[0].text.startswith("Rødgrød")
    assert lines[0].text.endswith("25,00")


def test_columns_validate_their_shape() -> None:
    with pytest.raises(ValueError):
        Columns(["a", "b"], widths=(0.5,))
    with pytest.raises(ValueError):
        Columns(["a", "b"], widths=(0.8, 0.8))
    with pytest.raises(ValueError):
        Columns(["a"], aligns=("middle",))


def test_codes_lay_out_their_payload_with_the_code_on_the_first_line() -> None:
    data = "https://kassi.example/receipt/" + "0" * 40
    lines = layout(Document("t", [], barcode="R-1", qr=data), 32)
    barcode_lines = [ln for ln in lines if ln.code is not None and ln.code.kind == "code128"]
    assert [ln.text for ln in barcode_lines] == ["R-1"]
    qr_index = next(i for i, ln in enumerate(lines) if ln.code is not None and ln.code.kind == "qr")
    assert "".join(ln.text for ln in lines[qr_index:]) == data
    assert all(ln.code is None for ln in lines[qr_index + 1 :])
    assert all(fits(ln, 32) for ln in lines)


def test_blocks_and_documents_reject_bad_values() -> None:
    with pytest.raises(ValueError):
        Text("x", align="middle")
    with pytest.raises(ValueError):
        Text("x", size=3)
    with pytest.raises(TypeError):
        Text("x", bold="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Rule("--")
    with pytest.raises(ValueError):
        Feed(0)
    with pytest.raises(ValueError):
        Code("code128", "Æble")  # CODE128 set B is ASCII only
    with pytest.raises(ValueError):
        Code("ean13", "123")
    with pytest.raises(ValueError):
        Document("t", [], kind="invoice")
    with pytest.raises(TypeError):
        Document("t", ["just a string"])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        layout(Document("t", []), 8)


def test_wrap_keeps_a_fitting_line_as_written() -> None:
    assert wrap("Nr.   123", 32) == ["Nr.   123"]
    assert wrap("a " * 20, 10) == ["a a a a a", "a a a a a", "a a a a a", "a a a a a"]
    assert wrap("", 10) == [""]


blocks = st.one_of(
    st.builds(
        Text,
        st.text(max_size=200),
        align=st.sampled_from(["left", "center", "right"]),
        size=st.sampled_from([1, 2]),
        wrap=st.booleans(),
    ),
    st.builds(Pair, st.text(max_size=80), st.text(max_size=40), size=st.sampled_from([1, 2])),
    st.builds(
        Columns,
        st.lists(st.text(max_size=40), min_size=1, max_size=4),
    ),
    st.builds(Rule, st.sampled_from(["-", "=", "*", "─"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(blocks, max_size=8), st.sampled_from(WIDTHS))
def test_any_text_fits(blocks_: list, width: int) -> None:
    for line in layout(Document("t", blocks_), width):
        assert fits(line, width), line
        assert all(ch >= " " for ch in line.text)
