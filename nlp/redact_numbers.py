"""Phone numbers and NIK in every spelling: digit groups with any separators, letters written for digits.

A run of digit groups is read whatever separates them (spaces, dots, dashes of any kind, slashes,
underscores, middle dots, bullets, tildes, brackets, a comma between digits) and with the letters people type
for digits inside a group ("O812", "08l2", "789O"). Among a run's consecutive groups the longest personal
number is replaced: 16 digits with a province code are a NIK, and so are 15 or 17 (a digit too few or too many)
when a birth date follows the region code; a number that `phonenumbers` finds valid for Indonesia, written with a trunk
or country prefix, is a phone number (a landline has at most 11 digits). Dates ("08.12.2024") and letter
numbers ("061/1234/2025") are never part of one; amounts after "Rp" stay.
"""

from __future__ import annotations

import re

import phonenumbers

PHONE = "[nomor telepon]"
NIK = "[NIK]"

_LOOKALIKE = str.maketrans("OoIl", "0011")
_GROUP_BODY = r"[0-9OoIl]*[0-9][0-9OoIl]*"
_DASHES = "\\-\u2010-\u2015\u2212\u2043\ufe58\ufe63"
_SEP = rf"(?:[\s()]*[.{_DASHES}_/\u00b7\u2022\u2219\u22c5~][\s()]*|[\s()]+|\s*,(?=[0-9OoIl]*[0-9]))"
_RUN = re.compile(rf"(?<![\w+])(?:\(\s*)?(?:\+\s*)?(?:\(\s*)?{_GROUP_BODY}(?:{_SEP}{_GROUP_BODY}){{0,24}}(?!\w)")
_GROUP = re.compile(rf"(?<![0-9OoIl]){_GROUP_BODY}")
_DATE = re.compile(r"(?<!\d)(?:\d{1,2}([./-])\d{1,2}\1(?:19|20)\d\d|(?:19|20)\d\d([./-])\d{1,2}\2\d{1,2})(?!\d)")
_LETTER_NUMBER = re.compile(r"\d+(?:\s*/\s*\d+)+\s*/\s*(?:19|20)\d\d")
_CURRENCY = re.compile(r"(rp|idr|rupiah)[\s.:]*$", re.IGNORECASE)
# Province codes of Kemendagri (the first two digits of every NIK).
_PROVINCES = {*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82,
              *range(91, 97)}
_WORDS = {"nol": "0", "kosong": "0", "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5",
          "enam": "6", "tujuh": "7", "delapan": "8", "sembilan": "9"}
_SPELLED = re.compile(
    rf"\b(?:(?:{'|'.join(_WORDS)}|\d+)[\s,.\-]+){{5,}}(?:{'|'.join(_WORDS)}|\d+)\b", re.IGNORECASE)
LANDLINE_MAX = 11  # 0 + area code + subscriber number: the longest Indonesian landline


def _birth_date_at(digits: str, at: int) -> bool:
    """Whether digits[at:at+4] read as a NIK's day (women +40) and month."""
    day, month = int(digits[at : at + 2]), int(digits[at + 2 : at + 4])
    return (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12


def is_nik(digits: str) -> bool:
    """Sixteen digits with a province code; or 15 or 17 (a digit too few or too many) with a birth date too."""
    if not 15 <= len(digits) <= 17 or int(digits[:2]) not in _PROVINCES:
        return False
    if len(digits) == 16:
        return True
    return any(_birth_date_at(digits, at) for at in {5, 6, 7} if at <= len(digits) - 4)


def is_phone(digits: str, plus: bool) -> bool:
    """A valid Indonesian number written with its trunk (0) or country (62) prefix."""
    if not 9 <= len(digits) <= 15 or not (plus or digits.startswith(("0", "62"))):
        return False
    try:
        number = phonenumbers.parse(("+" if plus or digits.startswith("62") else "") + digits, "ID")
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    mobile = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    return mobile or len(str(number.national_number)) + 1 <= LANDLINE_MAX


def kind(digits: str, plus: bool) -> str | None:
    """The placeholder for a digit string, or None when it is no personal number."""
    if not plus and is_nik(digits):
        return NIK
    return PHONE if is_phone(digits, plus) else None


def _segments(text: str) -> list[list[re.Match[str]]]:
    """A run's digit groups, split where a date stands between them (a date is never part of a number)."""
    dates = [d.span() for d in _DATE.finditer(text)]
    segments: list[list[re.Match[str]]] = [[]]
    for group in _GROUP.finditer(text):
        if any(start <= group.start() < end for start, end in dates):
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(group)
    return [s for s in segments if s]


def _span(text: str, first: re.Match[str], last: re.Match[str], plus: bool) -> tuple[int, int]:
    """Where a found number starts and ends in its run, with its "+" and brackets."""
    start = 0 if plus else first.start() - (1 if text[: first.start()].endswith("(") else 0)
    end = last.end() + (1 if text[last.end():].startswith(")") else 0)
    return start, end


def _found(text: str, groups: list[re.Match[str]]) -> list[tuple[int, int, str]]:
    """The longest personal numbers among consecutive groups: (start, end, placeholder)."""
    found, i = [], 0
    while i < len(groups):
        for j in range(len(groups), i, -1):
            digits = "".join(g.group(0) for g in groups[i:j]).translate(_LOOKALIKE)
            before = text[: groups[i].start()]
            plus = "+" in before and not any(ch.isdigit() for ch in before)
            if (placeholder := kind(digits, plus)) is not None:
                found.append((*_span(text, groups[i], groups[j - 1], plus), placeholder))
                i = j
                break
        else:
            i += 1
    return found


def _scan_run(text: str) -> str:
    """Replace the personal numbers of one run of digit groups."""
    if _LETTER_NUMBER.fullmatch(text.strip("() ")):
        return text
    out, last = [], 0
    for segment in _segments(text):
        for start, end, placeholder in _found(text, segment):
            out.extend([text[last:start], placeholder])
            last = end
    return "".join(out) + text[last:]


def _numbers(match: re.Match[str]) -> str:
    """Redact a run of digit groups unless it is an amount of money."""
    before = match.string[max(0, match.start() - 6) : match.start()]
    return match.group(0) if _CURRENCY.search(before) else _scan_run(match.group(0))


def _spelled(match: re.Match[str]) -> str:
    """Read a run of spelled-out digits (mixed with digits) and redact it when it is a personal number."""
    tokens = re.findall(r"[a-z]+|\d+", match.group(0), re.IGNORECASE)
    if all(t.isdigit() for t in tokens):
        return match.group(0)
    digits = "".join(_WORDS.get(t.lower(), t) for t in tokens)
    return kind(digits, False) or match.group(0)


def redact_numbers(text: str) -> str:
    """Replace phone numbers and NIK (digits, spelled-out digits, letters for digits) by placeholders."""
    return _RUN.sub(_numbers, _SPELLED.sub(_spelled, text))
