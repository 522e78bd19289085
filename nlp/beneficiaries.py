"""Who a request concerns (kelompok rentan) and, for social aid, what kind of problem and which programme.

Pure reading of a text against word lists in nlp/data: `rentan_id.tsv` (vulnerable groups; it builds on the
beneficiary groups of `penerima_id.tsv` that grouping reads, without changing them) and `bansos_id.tsv` (aid
problems and programmes). Every entry carries a general reason in its third column. The longest phrase wins
("anak sungai" is no child); a word may carry a possessive or emphatic particle ("lansianya"). The particles
are taken off the texts and the listed phrases alike, so that a phrase holding one ("rumahnya bertingkat", or
"sekolah", whose end looks like one) still matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nlp.lexicon import DATA_DIR, phrase_pattern
from nlp.normalize import normalize

GROUPS = ("perempuan", "anak", "lansia", "disabilitas", "keluarga_miskin", "nelayan")
AID_KINDS = ("salah_sasaran", "belum_terdaftar", "pencairan", "data")
PROGRAMMES = ("pkh", "bpnt", "blt", "sembako", "pbi", "lainnya")
_IGNORED = "_bukan"  # phrases read and dropped (they contain a group's word but name no people)
_ADULT = "_dewasa"  # phrases that show the people concerned are grown up (university, applying for work)
_OFFSPRING = frozenset({"anak", "anak-anak", "yatim", "piatu", "yatim piatu"})  # someone's child, of any age
_OWN_CHILD = "_anak_sendiri"  # the writer's own child: about children only where the text is about schooling
_CHILDHOOD = "_konteks_anak"  # or a child's health (tools/data/rentan_labels.md: a relative in passing)
_PARTICLE = re.compile(r"(?<=\w{3})(nya|lah|kah|pun)(?![\w-])")


@dataclass(frozen=True)
class Reading:
    """The vulnerable groups, aid problems and aid programmes one text names."""

    groups: frozenset[str]
    aid_kinds: frozenset[str]
    programmes: frozenset[str]


def _rows(filename: str) -> list[tuple[str, list[str]]]:
    """(name, words) per entry of a `name<TAB>words<TAB>reason` file; every entry must give its reason."""
    rows = []
    for raw in (DATA_DIR / filename).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            name, words, reason = [*raw.split("\t"), "", ""][:3]
            if not reason.strip():
                raise ValueError(f"{filename}: entry {name!r} gives no reason")
            rows.append((name.strip(), [w.strip().lower() for w in words.split(",") if w.strip()]))
    return rows


def _penerima() -> dict[str, list[str]]:
    """The beneficiary groups of penerima_id.tsv (name -> words), as grouping reads them."""
    out: dict[str, list[str]] = {}
    for raw in (DATA_DIR / "penerima_id.tsv").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            name, _, words = raw.partition("\t")
            out[name.strip()] = [w.strip().lower() for w in words.split(",") if w.strip()]
    return out


@cache
def _table(filename: str) -> tuple[dict[str, frozenset[str]], re.Pattern[str]]:
    """Phrase -> the names it reads as (an empty set: ignored), and a pattern matching every phrase."""
    penerima = _penerima()
    table: dict[str, frozenset[str]] = {}
    for name, words in _rows(filename):
        for word in words:
            expanded = penerima[word.removeprefix("penerima:")] if word.startswith("penerima:") else [word]
            for phrase in (_PARTICLE.sub("", p) for p in expanded):  # as texts are read ("sekolah" -> "seko")
                names = table.get(phrase, frozenset())
                table[phrase] = names if name == _IGNORED else names | {name}
    return table, phrase_pattern(list(table))


def _names(filename: str, normalized: str) -> frozenset[str]:
    """The names a normalised text reads as in one file.

    Where the text shows the people are grown up, a bare "anak" (or "yatim") is someone's son or daughter,
    not a child: "anak saya lolos SNBP" is about a university student. The writer's own child ("anak saya")
    makes a text about children only where it is about their schooling or a child's health: "anak saya
    gatal-gatal" after a water complaint is a relative in passing.
    """
    table, pattern = _table(filename)
    text = _PARTICLE.sub("", normalized)
    phrases = [" ".join(m.group(0).split()) for m in pattern.finditer(text)]
    if any(_ADULT in table[phrase] for phrase in phrases):
        phrases = [phrase for phrase in phrases if phrase not in _OFFSPRING]
    names = frozenset().union(*(table[phrase] for phrase in phrases))
    if _OWN_CHILD in names and _CHILDHOOD in names:
        names |= {"anak"}
    return names - {_ADULT, _OWN_CHILD, _CHILDHOOD}


def read(text: str) -> Reading:
    """The groups, aid problems and programmes a (redacted or verbatim) text names."""
    normalized = normalize(text)
    groups = _names("rentan_id.tsv", normalized)
    aid = _names("bansos_id.tsv", normalized)
    return Reading(groups=groups,
                   aid_kinds=frozenset(n.removeprefix("masalah:") for n in aid if n.startswith("masalah:")),
                   programmes=frozenset(n.removeprefix("program:") for n in aid if n.startswith("program:")))
