"""safe_text(): stored text shown to a person carries no control or escape sequence (R-6)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.text.display import ESCAPE_MARK, REPLACEMENT, json_text, safe_text

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def obeyed_by_a_terminal(text: str, *, newline_ok: bool = False) -> list[str]:
    """Characters a terminal or printer acts on instead of showing."""
    return [
        ch
        for ch in text
        if (unicodedata.category(ch) == "Cc" and not (newline_ok and ch == "\n"))
        or ch in BIDI
        or ch in "\u2028\u2029"
    ]


@given(st.text())
def test_no_control_character_survives_safe_text(text: str) -> None:
    """R-6: whatever is stored, the shown text holds no C0, C1, DEL or bidi control."""
    assert obeyed_by_a_terminal(safe_text(text)) == []
    assert obeyed_by_a_terminal(safe_text(text, keep_newlines=True), newline_ok=True) == []


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs"))))
def test_text_without_controls_is_shown_unchanged(text: str) -> None:
    """R-6 never changes ordinary text: letters, emoji, markup-like brackets stay as stored."""
    if not obeyed_by_a_terminal(text):
        assert safe_text(text) == text
        assert safe_text(text, keep_newlines=True) == text


@pytest.mark.parametrize(
    "text",
    ["Rødgrød med fløde", "Þórður Æðarsson", "👩‍👩‍👧 Familie", "[red]x[/] [bold]", "½ kg € 12,50"],
)
def test_ordinary_text_is_the_same_object(text: str) -> None:
    """R-6: the common case is one scan and no copy (safe_text runs on every row)."""
    assert safe_text(text) is text


def test_the_issue_note_is_shown_as_visible_marks() -> None:
    """R-6: clear screen, home, window title, BEL and CR from the issue become visible marks."""
    note = "\x1b[2J\x1b[H\x1b]0;owned\x07\rFAKE TOTAL 0,00"
    assert safe_text(note) == ESCAPE_MARK * 3 + "\\rFAKE TOTAL 0,00"


@pytest.mark.parametrize(
    "stored,shown",
    [
        ("a\x1b[31mred\x1b[0m", "a␛red␛"),  # CSI (SGR)
        ("\x1b[?1049h", "␛"),  # CSI with private parameter: alternate screen
        ("x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "x␛link␛"),  # OSC 8 with ST
        ("\x1bP+q544e\x1b\\", "␛"),  # DCS
        ("\x1b_payload\x9c", "␛"),  # APC ended by 8-bit ST
        ("\x9b2J", "␛"),  # 8-bit CSI
        ("\x9d0;t\x07", "␛"),  # 8-bit OSC
        ("\x1b@\x1dV\x00", "␛␝V␀"),  # printer reset, cut
        ("\x1b(B", "␛"),  # nF: designate G0
        ("\x1b", "␛"),  # a lone ESC
        ("\x1b]0;no end", "␛0;no end"),  # unterminated OSC: only its introducer goes
        ("a\tb\nc\rd", "a\\tb\\nc\\rd"),
        ("bell\x07", "bell␇"),
        ("del\x7f", "del␡"),
        ("\x85next line", REPLACEMENT + "next line"),
        ("\u202eevil\u202c", REPLACEMENT + "evil" + REPLACEMENT),
        ("\u2066iso\u2069", REPLACEMENT + "iso" + REPLACEMENT),
        ("line\u2028sep", "line" + REPLACEMENT + "sep"),
    ],
)
def test_each_kind_of_control_has_a_visible_replacement(stored: str, shown: str) -> None:
    """R-6: escape sequences collapse to ␛; C0 become control pictures; C1 and bidi become �."""
    assert safe_text(stored) == shown


def test_keep_newlines_keeps_only_the_programs_own_line_breaks() -> None:
    """R-6: a multi-line panel keeps "\\n"; tab, CR and escapes are still rewritten."""
    assert safe_text("a\nb\t\x1b[2Jc\r", keep_newlines=True) == "a\nb\\t␛c\\r"


@given(st.text())
def test_json_text_keeps_the_data_and_escapes_what_a_terminal_obeys(text: str) -> None:
    """R-6: JSON output round-trips exactly and holds no raw control character."""
    dumped = json_text(json.dumps({"name": text}, ensure_ascii=False))
    assert json.loads(dumped) == {"name": text}
    assert obeyed_by_a_terminal(dumped, newline_ok=True) == []
