"""Text normalisation for matching: Unicode, whitespace, stretched letters, chat slang, small talk."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nlp.lexicon import DOUBLE_LETTER_WORDS, lexicon, phrase_pattern
from nlp.unseen import strip_invisible

# Zero-width characters, bidi controls, soft hyphen, BOM, variation selectors.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufe00-\ufe0f\ufeff]")
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")
_WORD = re.compile(r"[^\W\d_]+")
# "anak2" -> "anak-anak", "trek2an" -> "trek-trekan", "anak2nya" -> "anak-anaknya"; not units like "m2", "km2".
_REDUP = re.compile(r"(?<![\w-])([^\W\d_]{2,})2(an|nya|kan|lah)?(?![\w-])")
_UNITS = frozenset({"km", "cm", "mm", "m", "ha"})
# A number written against its unit ("3kg", "2rb", "10km"): the unit becomes its own word, as in "3 kg".
_GLUED_UNIT = re.compile(r"(?<![\w-])(\d+(?:[.,]\d+)?)(kg|gr|km|cm|mm|m|ha|l|liter|rb|ribu|jt|juta|x|kali)(?![\w-])")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'", "`": "'"})
_NON_WORD = re.compile(r"[^\w\s'-]|(?<![\w])['-]|['-](?![\w])")
_DIGITS_ONLY = re.compile(r"^\d+$")
_QUESTION = re.compile(r"\?|(?<!\w)(apa|apakah|gimana|bagaimana|bisa|boleh|kah)(?!\w)")
_ABOUT_BOT = re.compile(r"(?<!\w)(bot|bot ?nya|layanan ini|aplikasi ini|nomor ini|akun ini|sistem ini)(?!\w)")
# A question about one's own message reaching the bot ("usulan saya sudah masuk belum?"): not a proposal.
_OWN_MESSAGE = re.compile(r"(?<!\w)(usulan|aspirasi|laporan|pesan|pengaduan|keluhan)(nya)?\s+(saya|kami|aku)(?!\w)")
_ARRIVED = re.compile(r"(?<!\w)(masuk|sampai|nyampe|diterima|terkirim|tercatat|diproses|dibaca|cek)(?!\w)")
_REQUEST = re.compile(
    r"(?<!\w)(tolong|mohon|usul\w*|minta|perbaiki|diperbaiki|rusak|bantu\w*|harap|segera|kapan|kenapa|"
    r"laporkan|lapor|keluh\w*|adu)(?!\w)"
)


def _squeeze_word(match: re.Match[str]) -> str:
    """Squeeze one stretched word, keeping a genuine double letter when the word is known."""
    word = match.group(0)
    single = _STRETCH.sub(r"\1", word)
    double = _STRETCH.sub(r"\1\1", word)
    return double if double.lower() in DOUBLE_LETTER_WORDS else single


def squeeze(text: str) -> str:
    """Reduce letters repeated three or more times ("tolonggg" -> "tolong", "maaaaf" -> "maaf")."""
    return _WORD.sub(lambda m: _squeeze_word(m) if _STRETCH.search(m.group(0)) else m.group(0), text)


def _redup(match: re.Match[str]) -> str:
    """Expand a reduplication written with a 2 ("anak2" -> "anak-anak")."""
    word, suffix = match.group(1), match.group(2) or ""
    return match.group(0) if word.lower() in _UNITS else f"{word}-{word}{suffix}"


def clean_unicode(text: str) -> str:
    """NFKC, drop invisible control characters, unify quotes and collapse whitespace (case kept)."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    text = _INVISIBLE.sub("", text).translate(_QUOTES)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _slang_pattern() -> re.Pattern[str]:
    """The compiled slang matcher."""
    return phrase_pattern(list(lexicon().slang))


@lru_cache(maxsize=1)
def _filler_pattern() -> re.Pattern[str]:
    """The compiled filler matcher."""
    return phrase_pattern(lexicon().fillers)


def replace_slang(text: str) -> str:
    """Replace chat abbreviations, slang and regional words by standard Indonesian (one pass), then regional
    words with a suffix ("dalane" -> "jalannya")."""
    table = lexicon().slang

    def standard(match: re.Match[str]) -> str:
        written = match.group(0)
        if len(written) == 1 and match.string[match.end() : match.end() + 1] == ".":
            return written  # an initial ("M.T. Haryono", "D.I. Panjaitan"), not chat "m" or "d"
        return table[" ".join(written.split())]

    text = _slang_pattern().sub(standard, text)
    return " ".join(_WHOLE_WORD.sub(lambda m: regional_suffixed(m.group(0)), text).split())


_WHOLE_WORD = re.compile(r"(?<![\w'-])[^\W\d_]{5,}(?![\w'-])")
# Javanese definite suffixes are Indonesian "-nya": ngoko -ne after a vowel and -e after a consonant ("lampune",
# "dalane"), krama -nipun and -ipun ("toyanipun", "listrikipun"). (suffix, stem ends in a vowel, Indonesian)
_DEFINITE = (("nipun", True, "nya"), ("ipun", False, "nya"), ("ne", True, "nya"), ("e", False, "nya"))
# Indonesian suffixes on a regional stem ("omahku", "banyunya").
_INDONESIAN = (("nya", "nya"), ("ku", "ku"), ("mu", "mu"))
_VOWELS = frozenset("aiueo")


def regional_suffixed(word: str) -> str:
    """A regional word with a suffix in Indonesian ("dalane" -> "jalannya", "omahku" -> "rumahku"); any other
    word as it is. The stem must be a word of the regional table, or for a Javanese definite suffix an Indonesian
    root of four letters or more; an Indonesian root itself ("sore", "karena") is never cut."""
    lex = lexicon()
    if word in lex.roots or word in lex.slang:
        return word
    for suffix, after_vowel, indonesian in _DEFINITE:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 4 and (stem[-1] in _VOWELS) == after_vowel:
            if lex.regional.get(stem):
                return lex.regional[stem] + indonesian
            if stem in lex.roots:
                return stem + indonesian
    for suffix, indonesian in _INDONESIAN:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and lex.regional.get(stem):
            return lex.regional[stem] + indonesian
    return word


def normalize(text: str) -> str:
    """Normalise a message for matching: Unicode, whitespace, stretched letters, lower case, slang."""
    text = clean_unicode(text).lower()
    text = squeeze(text)
    text = _REDUP.sub(_redup, text)
    text = _GLUED_UNIT.sub(r"\1 \2", text)
    return replace_slang(text)


def strip_fillers(normalized: str) -> str:
    """Remove greetings, forms of address, politeness and particles from a normalised text."""
    out = _filler_pattern().sub(" ", normalized)
    out = re.sub(r"\s+([,.!?;:])", r"\1", out)
    out = re.sub(r"^[\s,.!?;:]+", "", out)
    return " ".join(out.split())


def content_tokens(normalized: str) -> list[str]:
    """Words of a normalised text without punctuation, emoji, digits-only tokens or placeholders."""
    text = re.sub(r"\[[^\]]*\]", " ", normalized)
    words = _NON_WORD.sub(" ", text).split()
    return [w for w in words if not _DIGITS_ONLY.match(w)]


def is_small_talk(text: str) -> bool:
    """Tell a greeting, test, thank-you or question about the bot from a message that asks for something."""
    norm = normalize(text)
    rest = content_tokens(strip_fillers(norm))
    lex = lexicon()
    if all(w in lex.small_talk or w in lex.stopwords for w in rest):
        return True
    if _ABOUT_BOT.search(norm) and _QUESTION.search(norm) and not _REQUEST.search(norm):
        return len(rest) <= 15
    if _OWN_MESSAGE.search(norm) and _ARRIVED.search(norm) and _QUESTION.search(norm):
        return len(rest) <= 15
    return False


def embedding_text(normalized: str) -> str:
    """The text to embed: a normalised text without fillers or PII placeholders."""
    return " ".join(re.sub(r"\[[^\]]*\]", " ", strip_fillers(normalized)).split())
