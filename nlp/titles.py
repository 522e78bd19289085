"""What makes a title read well: capitals for places and acronyms, a request that keeps its subject, and
formal word order for chat intensifiers. Pure text; the city's place names are passed in by the caller."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from nlp.lexicon import DATA_DIR

# "gelap bgt" is "gelap sekali", not "gelap sangat": the slang table maps bgt to the adverb that comes first.
_INTENSIFIER = re.compile(r"(?<![\w-])(?:bgt|bngt|bgd|banget|bangett+)(?![\w-])", re.IGNORECASE)
# A gang or an abbreviated street is followed by its name ("gg mawar", "jl. haryono").
_NAMED_AFTER = re.compile(r"(?<![\w-])(gang|gg\.?|jl\.?|jln\.?)\s+([a-z][\w'-]*)", re.IGNORECASE)
_NAME_HEAD = re.compile(r"(?<![\w-])(jalan|jl\.?|jln\.?|gang|gg\.?)(?=\s+[A-Z])")
_FIRST_WORD = re.compile(r"^([A-Za-z]+)")
REQUEST_WORD = "Mohon"


@lru_cache(maxsize=1)
def acronyms() -> dict[str, str]:
    """The acronym list (nlp/data/akronim_id.txt): lower case -> as written."""
    lines = (DATA_DIR / "akronim_id.txt").read_text(encoding="utf-8").splitlines()
    return {w.lower(): w for line in lines if not line.startswith("#") for w in line.split()}


def _mark(index: int) -> str:
    """A made-up word the normaliser leaves alone ("zzakronimab"), standing in for an acronym."""
    return "zzakronim" + "".join(chr(ord("a") + int(d)) for d in f"{index:02d}")


def normalize_keeping_acronyms(text: str) -> str:
    """The normaliser's standard spelling, except for acronyms the resident wrote in capitals ("Dinas PU" is not
    "dinas punya"); those come back in capitals."""
    from nlp.normalize import normalize

    known = acronyms()
    kept: list[str] = []

    def hide(match: re.Match[str]) -> str:
        kept.append(known[match.group(0).lower()])
        return _mark(len(kept) - 1)

    hidden = re.sub(r"(?<![\w-])[A-Z][A-Za-z]*(?![\w-])",
                    lambda m: hide(m) if m.group(0).isupper() and m.group(0).lower() in known else m.group(0), text)
    clean = normalize(hidden)
    for index, word in enumerate(kept):
        clean = clean.replace(_mark(index), word)
    return clean


def formal_intensifier(text: str) -> str:
    """Chat intensifiers after a word ("gelap bgt") as formal Indonesian writes them there ("gelap sekali")."""
    return _INTENSIFIER.sub("sekali", text)


@lru_cache(maxsize=64)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for the proper names, longest first, any case, spaces or hyphens between words."""
    ordered = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not ordered:
        return None
    body = "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def _capital_words(span: str) -> str:
    """Each word of a name with a capital first letter; acronyms in capitals."""
    known = acronyms()
    return re.sub(r"[A-Za-z][\w']*", lambda m: known.get(m.group(0).lower(), m.group(0).capitalize()), span)


def capitalise(text: str, names: Iterable[str] = ()) -> str:
    """Place names (config) with capitals, acronyms in capitals, the name after a gang or Jl. capitalised."""
    listed = tuple(names)
    written = {" ".join(n.lower().split()): n.strip() for n in listed}
    pattern = _names_pattern(listed)
    if pattern is not None:
        text = pattern.sub(lambda m: written.get(" ".join(m.group(0).lower().split()), _capital_words(m.group(0))),
                           text)
    text = _NAMED_AFTER.sub(lambda m: f"{m.group(1)} {_capital_words(m.group(2))}", text)
    text = _NAME_HEAD.sub(lambda m: m.group(1).capitalize(), text)  # "jalan Ahmad Yani" is a name: "Jalan"
    known = acronyms()
    return re.sub(r"(?<![\w-])[A-Za-z]+(?![\w-])", lambda m: known.get(m.group(0).lower(), m.group(0)), text)


def _passive_verb(word: str) -> bool:
    """Whether a word is a di- passive verb ("dibangun", "diperbaiki"), not a root that starts with di ("dinas")."""
    from nlp.features import is_root, root

    word = word.lower()
    return word.startswith("di") and len(word) > 4 and not is_root(word) and root(word) != word


def as_request(core: str) -> str:
    """A title that starts with a passive verb gets back the request word its opener took away
    ("dibangun taman bermain" -> "Mohon dibangun taman bermain"), so the verb keeps a subject."""
    first = _FIRST_WORD.match(core)
    if first is not None and _passive_verb(first.group(1)):
        return f"{REQUEST_WORD} {core[:1].lower()}{core[1:]}"
    return core[:1].upper() + core[1:]
