"""Every user-facing string has a Danish and an Icelandic translation, with the
same {placeholders}, so no screen or receipt falls back to English; plural messages
have every plural form of the language (C-6); a message with a context (msgctxt) is
translated apart from the same English without one."""

from __future__ import annotations

import string

import pytest

from core.text import i18n
from core.text.i18n import PLURAL_FORMS, po_path, read_po
from tests.i18n.extract import extract, extract_plurals, untranslated

MESSAGES = extract()
PLURALS = extract_plurals()


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def entries(lang: str):
    """{(context, msgid): Babel message} of a catalog, read strictly (a syntax error fails)."""
    with po_path(lang).open("rb") as po:
        catalog = read_po(po, strict=True)
    singular = lambda m: m.id if isinstance(m.id, str) else m.id[0]  # noqa: E731
    return {(m.context, singular(m)): m for m in catalog}, catalog


def name(key: tuple[str | None, str]) -> str:
    context, msgid = key
    return repr(msgid) if context is None else f"{msgid!r} ({context})"


@pytest.mark.parametrize("lang", ["da", "is"])
def test_every_message_is_translated_with_the_same_placeholders(lang):
    catalog, _whole = entries(lang)
    missing = [
        name(k)
        for k in MESSAGES
        if k not in catalog or catalog[k].pluralizable or untranslated(catalog[k])
    ]
    assert not missing, (
        f"{len(missing)} untranslated or fuzzy in {lang} (run `make catalogs`, translate): "
        + "; ".join(missing[:10])
    )
    wrong = [name(k) for k in MESSAGES if fields(k[1]) != fields(catalog[k].string)]
    assert not wrong, f"placeholders differ in {lang}: " + "; ".join(wrong[:10])


@pytest.mark.parametrize("lang", ["da", "is"])
def test_every_plural_message_has_all_its_forms_with_the_same_placeholders(lang):
    """C-6: a plural entry has msgid_plural and one msgstr[i] per form of the language."""
    nplurals = int(PLURAL_FORMS[lang].split(";")[0].split("=")[1])
    catalog, whole = entries(lang)
    header = po_path(lang).read_text("utf-8")
    assert header.count(f'"Plural-Forms: {PLURAL_FORMS[lang]}\\n"') == 1
    assert whole.plural_forms == PLURAL_FORMS[lang]
    problems = []
    for key, (plural, _places) in PLURALS.items():
        entry = catalog.get(key)
        if entry is None or not entry.pluralizable or entry.id[1] != plural:
            problems.append(f"{name(key)}: no plural entry (run `make catalogs`)")
        elif len(entry.string) != nplurals or untranslated(entry):
            problems.append(f"{name(key)}: {len(entry.string)} forms, some empty or fuzzy")
        elif any(fields(form) != fields(plural) for form in entry.string):
            problems.append(f"{name(key)}: placeholders differ")
    assert not problems, f"{lang}: " + "; ".join(problems[:10])


@pytest.mark.parametrize("lang", ["da", "is"])
def test_the_catalog_is_as_make_catalogs_writes_it(lang, tmp_path):
    """A hand edit that Babel would rewrite (an entry out of place, a lost reference, a
    stale msgid) shows here rather than as a noisy diff at the next `make catalogs`."""
    from tests.i18n.extract import write_catalog

    copy = tmp_path / "kassi.po"
    copy.write_bytes(po_path(lang).read_bytes())
    write_catalog(copy, lang, MESSAGES, PLURALS)
    assert copy.read_text("utf-8") == po_path(lang).read_text("utf-8"), "run `make catalogs`"


def test_no_message_is_both_singular_and_plural():
    """One msgid is either a plain message or a plural one: gettext keys them apart."""
    assert not set(MESSAGES) & set(PLURALS)


def test_the_extractor_finds_strings_of_every_kind():
    assert (None, "Starting amount") in MESSAGES  # _() in a screen and .pair() on a receipt
    assert (None, "Pay") in MESSAGES  # a footer key label (Binding description)
    assert (None, "view cash tracking session history") in MESSAGES  # N_() permission label
    assert PLURALS[(None, "{n} line")][0] == "{n} lines"  # ngettext() on the sale screen
    # pgettext(): the report's column, told apart from the F2 key "Start" (a verb)
    assert ("session start time", "Start") in MESSAGES
    assert (None, "Start") in MESSAGES


def test_the_extractor_reads_contexts_of_every_function(tmp_path):
    source = tmp_path / "core" / "screen.py"
    source.parent.mkdir()
    source.write_text(
        "\n".join(
            [
                'pgettext("verb", "Open")',
                'i18n.ptranslate("noun", "Open", lang)',
                'npgettext("stock", "{n} item", "{n} items", n)',
                'nptranslate("basket", "{n} item", "{n} items", n, lang)',
                'ngettext("{n} item", "{n} items", n)',
                "pgettext(context, 'Open')",  # no literal context: not a message
            ]
        ),
        "utf-8",
    )
    for package in ("tui", "hardware"):
        (tmp_path / package).mkdir()
    assert extract(tmp_path) == {
        ("verb", "Open"): ["core/screen.py:1"],
        ("noun", "Open"): ["core/screen.py:2"],
    }
    assert extract_plurals(tmp_path) == {
        ("stock", "{n} item"): ("{n} items", ["core/screen.py:3"]),
        ("basket", "{n} item"): ("{n} items", ["core/screen.py:4"]),
        (None, "{n} item"): ("{n} items", ["core/screen.py:5"]),
    }


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


@pytest.mark.parametrize(
    "lang, column, key",
    [("en", "Start", "Start"), ("da", "Start", "Start"), ("is", "Upphaf", "Opna")],
)
def test_a_context_tells_the_same_english_apart(lang, column, key):
    """Icelandic writes the F2 key "Start" as a verb (Opna, open the session) and the
    report's column "Start" above a date as a noun (Upphaf, the beginning)."""
    previous = i18n.current_language()
    i18n.set_language(lang)
    try:
        assert i18n.pgettext("session start time", "Start") == column
        assert i18n.gettext("Start") == key
    finally:
        i18n.set_language(previous)
    assert i18n.ptranslate("session start time", "Start", lang) == column
    assert i18n.translate("Start", lang) == key
    # a context no catalog has falls back to the English, as gettext does
    assert i18n.ptranslate("no such context", "Start", lang) == "Start"


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
            'msgid "{n} week"',
            'msgid_plural "{n} weeks"',
            'msgstr[0] "{n} vika"',
            'msgstr[1] ""',
            "",
            'msgctxt "verb"',
            'msgid "Open"',
            'msgstr "Opna"',
            "",
            'msgctxt "session"',
            'msgid "{n} open"',
            'msgid_plural "{n} open"',
            'msgstr[0] "{n} opin"',
            'msgstr[1] "{n} opnar"',
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
    # one form missing: the whole entry is left out, English rather than a blank
    assert t.ngettext("{n} week", "{n} weeks", 2) == "{n} weeks"
    assert t.pgettext("verb", "Open") == "Opna"
    assert t.gettext("Open") == "Open"  # the context is part of the key
    assert [t.npgettext("session", "{n} open", "{n} open", n) for n in (1, 2)] == [
        "{n} opin",
        "{n} opnar",
    ]
    assert t.gettext('Two "quoted"\nlines') == "Tvær línur"
    singular = {k: v for k, v in t._catalog.items() if isinstance(k, str) and k}
    assert singular == {"Yes": "Já", 'Two "quoted"\nlines': "Tvær línur", "verb\x04Open": "Opna"}


def test_a_broken_catalog_fails_the_strict_read():
    """The catalog test reads strictly; at run time Babel skips the bad entry instead."""
    from babel.messages.pofile import PoFileError

    po = 'msgid "Yes"\nmsgstr "Já"\n\nmsgid "No"\nmsgtsr "Nei"\n\nmsgid "Back"\nmsgstr "Aftur"\n'
    with pytest.raises(PoFileError):
        read_po(po, strict=True)
    lenient = read_po(po)
    assert lenient.get("Yes").string == "Já"
    assert lenient.get("Back").string == "Aftur"
