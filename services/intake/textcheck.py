"""Checks on what a resident typed, before anything is stored as a proposal."""

import re
import unicodedata
from enum import StrEnum

from nlp.normalize import clean_unicode, is_small_talk, normalize
from nlp.unseen import strip_invisible

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
THANKS = "terima kasih"  # every spelling of thanks (makasih, mksh, thx…) normalises to this
# Bidi controls and zero-width characters: they can flip or hide text shown to others.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
USUL_TAG = re.compile(r"#usul\b", re.IGNORECASE)
USUL_COMMAND = re.compile(r"^/usul(@\w+)?(\s|$)", re.IGNORECASE)


def usul_text(text: str) -> str:
    """The aspiration in a group message: without the /usul command and the #usul tag (any case)."""
    return USUL_TAG.sub("", USUL_COMMAND.sub("", text.strip(), count=1)).strip()


def is_usul(text: str | None) -> bool:
    """Tell whether a group message is an aspiration (/usul or #usul)."""
    if not text:
        return False
    return bool(USUL_COMMAND.match(text.strip()) or USUL_TAG.search(text))


class TextProblem(StrEnum):
    """Why a message is not taken as an aspiration; the value is the text key people see."""

    EMPTY = "empty_text"
    NO_WORDS = "no_words"
    TOO_LONG = "too_long"
    SMALL_TALK = "small_talk"
    THANKS = "small_talk_thanks"


def visible_text(text: str) -> str:
    """Remove invisible and direction-changing characters and stacked marks, and trim; keep the rest as typed.

    Every text a resident sends passes here first (drafts, edits, group aspirations)."""
    return _INVISIBLE.sub("", strip_invisible(unicodedata.normalize("NFC", text))).strip()


def check_text(text: str | None, *, max_chars: int, min_chars: int) -> TextProblem | None:
    """Return what is wrong with a would-be aspiration, or None if it can be a draft."""
    shown = visible_text(text or "")
    if not shown:
        return TextProblem.EMPTY
    if len(shown) > max_chars:
        return TextProblem.TOO_LONG
    if not _LETTER.search(clean_unicode(shown)):
        return TextProblem.NO_WORDS
    if len(shown) < min_chars or is_small_talk(shown):
        return TextProblem.THANKS if THANKS in normalize(shown) else TextProblem.SMALL_TALK
    return None
