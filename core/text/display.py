"""Stored text made safe to show a person (R-6): on a terminal, in the TUI, on paper.

Names, notes and reasons come from people, imports and older databases; the
rule at entry (core/text/validate.py) does not reach what is already stored. So
every output path shows stored text through `safe_text`, which rewrites what a
terminal or printer would obey instead of print:

- a whole escape sequence (7-bit ``ESC [ … final``, ``ESC ] … BEL/ST``, DCS,
  SOS, PM, APC, two-byte ``ESC x``, and their 8-bit C1 forms) becomes one
  ``␛``: its parameters are the attack, not the text, and one mark per
  sequence keeps a table cell short while showing that something was there;
- tab, newline and carriage return become the two visible characters ``\\t``,
  ``\\n``, ``\\r``, so a stored note stays on one line and cannot fake or
  overwrite a row (a table cell, a status bar and a report line alike; one
  rule everywhere rather than a space here and an escape there);
- any other C0 control becomes its Unicode control picture (BEL ``␇``, NUL
  ``␀``), DEL ``␡``;
- C1 controls (U+0080–U+009F), the bidi embeddings, overrides and isolates
  (U+202A–U+202E, U+2066–U+2069) and the line/paragraph separators
  (U+2028/U+2029) become ``�``.

Everything else, letters like æøåðþ, emoji and zero-width joiners included,
is returned unchanged (the same object: the common case costs one regex scan).
"""

from __future__ import annotations

import re

# Unicode "control pictures" block: U+2400 + code for C0, U+2421 for DEL.
ESCAPE_MARK = "\u241b"  # ␛
REPLACEMENT = "\ufffd"  # �
_VISIBLE = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x7f": "\u2421"}

_BIDI_AND_SEPARATORS = "\u202a-\u202e\u2066-\u2069\u2028\u2029"
_SEQUENCE = (
    # CSI: ESC [ or 8-bit CSI, parameter bytes, intermediate bytes, final byte
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    # OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \ or 8-bit ST)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c)"
    # any other escape: intermediates, then one final byte (ESC @, ESC ( B, ESC c …)
    r"|\x1b[ -/]*[0-~]"
)
_ONE_LINE = re.compile(
    f"(?s:{_SEQUENCE})|[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]",
)
_KEEP_NEWLINES = re.compile(
    f"(?s:{_SEQUENCE})|[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]",
)
_JSON_RAW = re.compile(f"[\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
# One character class: the fast check every shown value takes (a sequence starts
# with ESC or a C1 byte, so nothing to rewrite means none of these is present).
_ZERO_WIDTH_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_ANY_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")


def _visible(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) > 1:
        return ESCAPE_MARK
    if found in _VISIBLE:
        return _VISIBLE[found]
    if found < " ":
        return chr(0x2400 + ord(found))
    return REPLACEMENT


def safe_text(text: str, *, keep_newlines: bool = False) -> str:
    """`text` as a person may see it: no control character or escape sequence left (R-6).

    `keep_newlines` is for text the program itself broke into lines (a
    document, a multi-line panel) after the stored parts went through
    `safe_text` already: it keeps "\\n" and rewrites the rest the same way.
    """
    if keep_newlines:
        if _ANY_BUT_NEWLINE.search(text) is None:
            return text
        return _KEEP_NEWLINES.sub(_visible, text)
    if _ZERO_WIDTH_CONTROLS.search(text) is None:
        return text
    return _ONE_LINE.sub(_visible, text)


def json_text(dumped: str) -> str:
    """JSON from `json.dumps(..., ensure_ascii=False)` with no raw terminal control left.

    json.dumps escapes C0 controls itself but writes DEL, C1 controls and bidi
    controls raw when `ensure_ascii=False`; those can only occur inside JSON
    strings, where a ``\\uXXXX`` escape means the same character, so the data
    survives exactly and a terminal shows nothing it would obey.
    """
    if _JSON_RAW.search(dumped) is None:
        return dumped
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def without_controls(laid_out: str) -> str:
    """The last net under a screen already laid out: controls deleted, nothing replaced.

    For a line whose cell widths are fixed (a rendered TUI line): these
    characters take no cell, so deleting them keeps every column where it
    was, where a visible replacement would push the line one cell wider.
    Stored text is shown through `safe_text` before layout; this only catches
    a path that forgot to, so that nothing reaches the terminal raw (R-6).
    """
    if _ZERO_WIDTH_CONTROLS.search(laid_out) is None:
        return laid_out
    return _ZERO_WIDTH_CONTROLS.sub("", laid_out)
