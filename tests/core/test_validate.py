"""core.text.validate: one validator per kind of value (SPEC R-4, R-5)."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import InputError
from core.text import validate


@pytest.mark.parametrize("text", ["on", "ON", "True", "TRUE", "yes", "Yes", "1", " on "])
def test_a_boolean_is_on_in_any_case(text):
    """R-5: on/true/yes/1 in any case are on."""
    assert validate.boolean(text, "track_cash") is True


@pytest.mark.parametrize("text", ["off", "OFF", "False", "no", "NO", "0"])
def test_a_boolean_is_off_in_any_case(text):
    """R-5: off/false/no/0 in any case are off."""
    assert validate.boolean(text, "track_cash") is False


@pytest.mark.parametrize("text", ["", "maybe", "2", "onn", "y", "١"])
def test_a_boolean_that_is_neither_is_refused(text):
    """R-5: anything else is refused, never read as off."""
    with pytest.raises(InputError, match="on or off"):
        validate.boolean(text, "track_cash")


@pytest.mark.parametrize("text", ["٣", "１２", "1٣", "²", "-", "", "1.0", "0x10"])
def test_a_whole_number_is_ascii_digits_only(text):
    """R-4: Unicode digits are not numbers."""
    with pytest.raises(InputError):
        validate.whole_number(text, "n")


def test_a_whole_number_beyond_sqlite_int64_is_refused_without_building_it():
    """R-4: a 5000-digit number is refused (int() would raise, SQLite overflow)."""
    with pytest.raises(InputError, match="from 1 to 9223372036854775807"):
        validate.record_id("9" * 5000, "n")
    assert validate.record_id(str(validate.INT64_MAX), "n") == validate.INT64_MAX


def test_a_name_is_stripped_bounded_and_free_of_controls():
    """R-4: names stripped, not empty, at most their kind's length, no controls."""
    assert validate.name("  Rugbrød  ", "item") == "Rugbrød"
    assert validate.name("a" * 80, "item") == "a" * 80
    for bad in ("", "   ", "a" * 81, "a\x1b[2Jb", "a\u202eb", "a\x9bb", "a\tb"):
        with pytest.raises(InputError):
            validate.name(bad, "item")


def test_a_note_keeps_tab_and_newline_and_refuses_other_controls():
    """R-4: notes may hold tab and newline, never ESC, BEL or CR."""
    assert validate.note("a\tb\nc") == "a\tb\nc"
    for bad in ("\x1b]0;owned\a", "a\rFAKE", "x" * 501):
        with pytest.raises(InputError):
            validate.note(bad)


def test_a_date_is_iso_and_between_2000_and_2099():
    """R-4: a date outside 2000-01-01..2099-12-31 is refused."""
    assert validate.day("2026-05-31") == date(2026, 5, 31)
    for bad in ("0001-01-01", "9999-12-31", "2026-02-30", "2026-5-31", "٢٠٢٦-٠٥-٣١"):
        with pytest.raises(InputError):
            validate.day(bad)


def test_json_is_bounded_in_depth_and_size():
    """R-4: deep nesting (a RecursionError) and huge documents are refused."""
    assert validate.json_object('{"kind": "none"}', "x") == {"kind": "none"}
    assert validate.json_value('"[[[[[[[[[[[["', "x") == "[[[[[[[[[[[["  # inside a string
    for bad in ("[" * 100_000, '{"a":' * 9 + "1" + "}" * 9, " " * 70_000 + "{}", "{"):
        with pytest.raises(InputError):
            validate.json_object(bad, "x")


def test_text_files_are_utf8_with_or_without_a_bom():
    """R-4: UTF-8 with a BOM reads; Latin-1 is refused naming the encoding."""
    assert validate.utf8_text("\ufeffsku".encode(), "f") == "sku"
    assert validate.utf8_text("æ".encode(), "f") == "æ"
    with pytest.raises(InputError, match="not UTF-8"):
        validate.utf8_text("æ".encode("latin-1"), "f")


def test_stock_on_hand_is_never_negative():
    """R-4: negative stock on hand is refused."""
    assert validate.stock("0") == 0
    with pytest.raises(InputError):
        validate.stock("-5")
