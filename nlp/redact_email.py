"""E-mail addresses in every spelling: "@", "(at)", "[@]", "{at}", " at ", " di gmail.com", "(dot)", " dot ",
"gmail,com", spaced parts ("siti . rahma @ gmail . com") and no top-level domain ("siti@gmail")."""

from __future__ import annotations

import re

EMAIL = "[email]"

PROVIDERS = ("gmail", "googlemail", "yahoo", "ymail", "rocketmail", "hotmail", "outlook", "live", "icloud",
             "proton", "protonmail", "aol", "gmx", "zoho", "yandex", "mail")
_TLD = r"(?:com|co|id|net|org|ac|go|sch|or|my|info|biz|me|io)"
_PROVIDER = rf"(?:{'|'.join(PROVIDERS)})"
_BRACKETED_AT = r"\s*[\[({]\s*(?:at|@)\s*[\])}]\s*"
_DOT = rf"(?:[ \t]*[.\u3002][ \t]*|\s*[\[({{]\s*(?:dot|titik|\.)\s*[\])}}]\s*|\s+(?:dot|titik)\s+|,(?={_TLD}\b))"
# Bounded repetitions: linear time on any text.
_LOCAL = r"[\w+-]+(?:(?:\.|[ \t]+[._-][ \t]+|\s*[\[({]\s*(?:dot|titik)\s*[\])}]\s*)[\w+-]+){0,8}"
_DOMAIN = rf"[\w-]+(?:{_DOT}[\w-]+){{0,5}}{_DOT}[a-z]{{2,}}(?![\w-])"
_NO_TLD = rf"(?:{_PROVIDER}|(?<=[^\s@]@)[\w-]+)(?![\w-])(?!{_DOT}[a-z]{{2,}})"
_EMAIL = re.compile(
    rf"(?<![\w.+-]){_LOCAL}(?:"
    rf"(?:\s*@\s*|{_BRACKETED_AT})(?:{_DOMAIN}|{_NO_TLD})"  # an @ in any dress
    rf"|\s+(?:at|di)\s+{_PROVIDER}(?:{_DOT}[a-z]{{2,}}){{1,4}}(?![\w-])"  # " at gmail.com", " di gmail.com"
    rf"|\s+at\s+{_PROVIDER}(?![\w-])"  # " at gmail"
    rf"|\s+at\s+[\w-]+(?:{_DOT}[\w-]+){{0,5}}{_DOT}{_TLD}(?![\w-])"  # " at kantor.go.id"
    rf")",
    re.IGNORECASE,
)


def redact_emails(text: str) -> str:
    """Replace every e-mail address, however written, by a placeholder."""
    return _EMAIL.sub(EMAIL, text)
