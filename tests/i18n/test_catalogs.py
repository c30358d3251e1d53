"""Every user-facing string has a Danish and an Icelandic translation, with the
same {placeholders}, so no screen or receipt falls back to English."""

from __future__ import annotations

import string

import pytest

from core.i18n import LOCALE_DIR, parse_po
from tests.i18n.extract import extract

MESSAGES = extract()


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", ["da", "is"])
def test_every_message_is_translated_with_the_same_placeholders(lang):
    catalog = parse_po((LOCALE_DIR / lang / "LC_MESSAGES" / "kassi.po").read_text("utf-8"))
    missing = [m for m in MESSAGES if not catalog.get(m)]
    assert not missing, (
        f"{len(missing)} untranslated in {lang} (run `make catalogs`): " + "; ".join(missing[:10])
    )
    wrong = [m for m in MESSAGES if fields(m) != fields(catalog[m])]
    assert not wrong, f"placeholders differ in {lang}: " + "; ".join(wrong[:10])


def test_the_extractor_finds_strings_of_every_kind():
    assert "Starting amount" in MESSAGES  # _() in a screen and .pair() on a receipt
    assert "Pay" in MESSAGES  # a footer key label (Binding description)
    assert "view cash tracking session history" in MESSAGES  # N_() permission label
