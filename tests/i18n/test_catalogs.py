"""Every user-facing string has a Danish and an Icelandic translation, with the
same {placeholders}, so no screen or receipt falls back to English; plural messages
have every plural form of the language (C-6)."""

from __future__ import annotations

import string

import pytest

from core.text import i18n
from core.text.i18n import PLURAL_FORMS, po_path, read_po
from tests.i18n.extract import extract, extract_plurals

MESSAGES = extract()
PLURALS = extract_plurals()


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def entries(lang: str) -> dict[str, i18n.PoEntry]:
    return {e.msgid: e for e in read_po(po_path(lang).read_text("utf-8"))}


@pytest.mark.parametrize("lang", ["da", "is"])
def test_every_message_is_translated_with_the_same_placeholders(lang):
    catalog = {m: e.msgstr[0] for m, e in entries(lang).items() if e.msgid_plural is None}
    missing = [m for m in MESSAGES if not catalog.get(m)]
    assert not missing, (
        f"{len(missing)} untranslated in {lang} (run `make catalogs`): " + "; ".join(missing[:10])
    )
    wrong = [m for m in MESSAGES if fields(m) != fields(catalog[m])]
    assert not wrong, f"placeholders differ in {lang}: " + "; ".join(wrong[:10])


@pytest.mark.parametrize("lang", ["da", "is"])
def test_every_plural_message_has_all_its_forms_with_the_same_placeholders(lang):
    """C-6: a plural entry has msgid_plural and one msgstr[i] per form of the language."""
    nplurals = int(PLURAL_FORMS[lang].split(";")[0].split("=")[1])
    catalog = entries(lang)
    assert catalog[""].msgstr[0].count(f"Plural-Forms: {PLURAL_FORMS[lang]}") == 1
    problems = []
    for singular, (plural, _places) in PLURALS.items():
        entry = catalog.get(singular)
        if entry is None or entry.msgid_plural != plural:
            problems.append(f"{singular!r}: no plural entry (run `make catalogs`)")
        elif len(entry.msgstr) != nplurals or not all(entry.msgstr):
            problems.append(f"{singular!r}: {len(entry.msgstr)} forms, some empty")
        elif any(fields(form) != fields(plural) for form in entry.msgstr):
            problems.append(f"{singular!r}: placeholders differ")
    assert not problems, f"{lang}: " + "; ".join(problems[:10])


def test_no_message_is_both_singular_and_plural():
    """One msgid is either a plain message or a plural one: gettext keys them apart."""
    assert not set(MESSAGES) & set(PLURALS)


def test_the_extractor_finds_strings_of_every_kind():
    assert "Starting amount" in MESSAGES  # _() in a screen and .pair() on a receipt
    assert "Pay" in MESSAGES  # a footer key label (Binding description)
    assert "view cash tracking session history" in MESSAGES  # N_() permission label
    assert PLURALS["{n} line"][0] == "{n} lines"  # ngettext() on the sale screen


@pytest.mark.parametrize(
    "lang, n, expected",
    [
        ("en", 1, "1 line"),
        ("en", 2, "2 lines"),
        ("en", 0, "0 lines"),
        ("da", 1, "1 linje"),
        ("da", 2, "2 linjer"),
        ("da", 21, "21 linjer"),
        ("is", 1, "1 lína"),
        ("is", 21, "21 lína"),  # Icelandic: n % 10 == 1 and n % 100 != 11 is singular
        ("is", 11, "11 línur"),
        ("is", 111, "111 línur"),
        ("is", 2, "2 línur"),
        ("is", 0, "0 línur"),
    ],
)
def test_plural_forms_follow_each_languages_rule(lang, n, expected):
    """C-6: plurals through ngettext, by the catalog's own Plural-Forms rule."""
    previous = i18n.current_language()
    i18n.set_language(lang)
    try:
        assert i18n.ngettext("{n} line", "{n} lines", n).format(n=n) == expected
    finally:
        i18n.set_language(previous)
    assert i18n.ntranslate("{n} line", "{n} lines", n, lang).format(n=n) == expected


def test_a_po_file_compiles_to_a_catalog_the_standard_library_reads():
    """The .po is the source; it is compiled in memory, fuzzy and empty entries left out."""
    import gettext
    import io

    po = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            '"Plural-Forms: nplurals=2; plural=(n % 10 != 1 || n % 100 == 11);\\n"',
            "",
            'msgid "Yes"',
            'msgstr "J\\u00e1"',
            "",
            "#, fuzzy",
            'msgid "No"',
            'msgstr "Nei"',
            "",
            'msgid "Empty"',
            'msgstr ""',
            "",
            'msgid "{n} day"',
            'msgid_plural "{n} days"',
            'msgstr[0] "{n} dagur"',
            'msgstr[1] "{n} dagar"',
            "",
            'msgid "Two \\"quoted\\"\\n"',
            '"lines"',
            'msgstr "Tv\\u00e6r "',
            '"l\\u00ednur"',
        ]
    )
    po = po.replace("\\u00e1", "á").replace("\\u00e6", "æ").replace("\\u00ed", "í")
    t = gettext.GNUTranslations(io.BytesIO(i18n.compile_mo(read_po(po))))
    assert t.gettext("Yes") == "Já"
    assert t.gettext("No") == "No"  # fuzzy: not used
    assert t.gettext("Empty") == "Empty"
    assert [t.ngettext("{n} day", "{n} days", n) for n in (1, 21, 11, 3)] == [
        "{n} dagur",
        "{n} dagur",
        "{n} dagar",
        "{n} dagar",
    ]
    assert t.gettext('Two "quoted"\nlines') == "Tvær línur"
    assert i18n.parse_po(po) == {"Yes": "Já", 'Two "quoted"\nlines': "Tvær línur"}
