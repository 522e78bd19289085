"""Characters nobody sees: removed from every incoming text before anything else reads it.

Invisible characters between the digits of a phone number hide it from redaction and reappear as a clean
number once another step drops them; thousands of stacked combining marks ("zalgo") make a title that covers
other residents' screens. `strip_invisible` removes format characters (zero-width, bidi controls, tag
characters, the Mongolian vowel separator, the Arabic letter mark), variation selectors and the combining
grapheme joiner, turns blank-looking letters (braille blank, Hangul fillers) into spaces, and keeps at most
two combining marks on a letter (enough for any accent a resident types).
"""

from __future__ import annotations

import re
import unicodedata

MAX_MARKS = 2  # combining marks kept on one base character

# Variation selectors (VS1-16 and the supplement) and the combining grapheme joiner: marks that show nothing.
_SILENT_MARKS = re.compile("[\u034f\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# Letters and symbols that render as blank space.
_BLANKS = re.compile("[\u115f\u1160\u2800\u3164\uffa0\u17b4\u17b5]")
_FORMAT = "Cf"
_MARKS = frozenset({"Mn", "Me"})


def _drop_format(text: str) -> str:
    """Remove every format character (category Cf), which includes tag characters and bidi controls."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != _FORMAT)


def _cap_marks(text: str) -> str:
    """Keep at most MAX_MARKS combining marks after each base character."""
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.category(ch) in _MARKS:
            run += 1
            if run > MAX_MARKS:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def strip_invisible(text: str) -> str:
    """The text as people see it: no invisible characters, blank letters as spaces, no stacked marks (NFC)."""
    if text.isascii():
        return text
    text = _SILENT_MARKS.sub("", unicodedata.normalize("NFC", text))
    text = _BLANKS.sub(" ", _drop_format(text))
    return _cap_marks(text)
