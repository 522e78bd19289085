"""PII redaction: phone numbers, NIK and e-mail addresses become placeholders, however they are written.

The text is NFKC-normalised first (full-width digits and `＠` become plain ones), spelled-out digit runs
("nol delapan satu dua ...") are read as digits, and then every run of digit groups, whatever separates them
(spaces, dots, dashes of any kind, slashes, underscores), is checked: 16 digits that start with a province
code are a NIK; a run that `phonenumbers` finds valid for Indonesia and that is written with a trunk or
country prefix (0..., 62..., +62...) is a phone number. Amounts after "Rp", dates, RT/RW and codes stay.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

PHONE = "[nomor telepon]"
NIK = "[NIK]"
EMAIL = "[email]"

_AT = r"(?:\s*@\s*|\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+(?=[\w-]+\s*(?:\.|[\[(]\s*dot\s*[\])])\s*[a-z]{2,}\b))"
_DOT = r"(?:\s*\.\s*|\s*[\[(]\s*dot\s*[\])]\s*)"
_EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,}}(?![\w-])", re.IGNORECASE)
_SEP = r"[\s.\-_/–—‒―−]{1,3}"
_RUN = re.compile(rf"(?<![\w+])\+?\(?\d+\)?(?:{_SEP}\(?\d+\)?)*(?![\w])")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_GROUP = re.compile(r"\d+")
_CURRENCY = re.compile(r"(rp|idr|rupiah)[\s.:]*$", re.IGNORECASE)
# Province codes of Kemendagri (the first two digits of every NIK).
_PROVINCES = {*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82,
              *range(91, 97)}
_WORDS = {"nol": "0", "kosong": "0", "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5",
          "enam": "6", "tujuh": "7", "delapan": "8", "sembilan": "9"}
_SPELLED = re.compile(
    rf"\b(?:(?:{'|'.join(_WORDS)}|\d+)[\s,.\-]+){{5,}}(?:{'|'.join(_WORDS)}|\d+)\b", re.IGNORECASE)


def _is_nik(digits: str) -> bool:
    """Sixteen digits starting with a valid province code."""
    return len(digits) == 16 and int(digits[:2]) in _PROVINCES


def _is_phone(digits: str, plus: bool) -> bool:
    """A valid Indonesian number written with its trunk (0) or country (62) prefix."""
    if not 9 <= len(digits) <= 15 or not (plus or digits.startswith(("0", "62"))):
        return False
    try:
        number = phonenumbers.parse(("+" if plus or digits.startswith("62") else "") + digits, "ID")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def _kind(digits: str, plus: bool) -> str | None:
    """The placeholder for a digit string, or None when it is no personal number."""
    if not plus and _is_nik(digits):
        return NIK
    return PHONE if _is_phone(digits, plus) else None


def _scan_run(run: re.Match[str]) -> str:
    """Replace the longest personal numbers found among a run's consecutive digit groups."""
    text, groups = run.group(0), list(_GROUP.finditer(run.group(0)))
    out, last, i = [], 0, 0
    while i < len(groups):
        for j in range(len(groups), i, -1):
            digits = "".join(g.group(0) for g in groups[i:j])
            plus = i == 0 and text.startswith("+")
            if (kind := _kind(digits, plus)) is not None:
                start = 0 if plus else groups[i].start()
                start -= 1 if start > 0 and text[start - 1] == "(" else 0
                end = groups[j - 1].end() + (1 if text[groups[j - 1].end():].startswith(")") else 0)
                out.extend([text[last:start], kind])
                last, i = end, j
                break
        else:
            i += 1
    return "".join(out) + text[last:]


def _numbers(match: re.Match[str]) -> str:
    """Redact a run of digit groups unless it is an amount of money."""
    before = match.string[max(0, match.start() - 6) : match.start()]
    return match.group(0) if _CURRENCY.search(before) else _scan_run(match)


def _spelled(match: re.Match[str]) -> str:
    """Read a run of spelled-out digits (mixed with digits) and redact it when it is a personal number."""
    tokens = re.findall(r"[a-z]+|\d+", match.group(0), re.IGNORECASE)
    if all(t.isdigit() for t in tokens):
        return match.group(0)
    digits = "".join(_WORDS.get(t.lower(), t) for t in tokens)
    return _kind(digits, False) or match.group(0)


def redact(text: str) -> str:
    """Replace phone numbers, NIK and e-mail addresses by placeholders; leave amounts, RT/RW, dates alone."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = _EMAIL.sub(EMAIL, text)
    text = _SPELLED.sub(_spelled, text)
    return _RUN.sub(_numbers, text)
