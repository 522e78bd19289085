"""Lexical features of a normalised text: content terms (roots and concepts) and IDF-weighted overlap."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cache, lru_cache
from itertools import chain
from typing import Any, Protocol

import numpy as np

from nlp.lexicon import DATA_DIR, lexicon, phrase_pattern
from nlp.morph import informal_root
from nlp.normalize import content_tokens, strip_fillers

_CONCEPT_PREFIX = "c_"
_PARTICLE = re.compile(r"(?<=\w{3})(nya|lah|kah|pun|ku|mu)$")
_WORD = re.compile(r"(?<![\w-])[a-z]{5,}(?![\w-])")
_PLURAL = re.compile(r"(?<![\w-])([a-z]+)-\1(?![\w-])")


@lru_cache(maxsize=1)
def _concepts() -> tuple[dict[str, str], re.Pattern[str] | None]:
    """The synonym table: phrase -> concept, and a regex for its multi-word phrases."""
    table: dict[str, str] = {}
    path = DATA_DIR / "sinonim_id.tsv"
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        concept, _, words = raw.partition("\t")
        for word in words.split(","):
            if word.strip():
                table[word.strip().lower()] = _CONCEPT_PREFIX + concept.strip()
    phrases = [p for p in table if " " in p]
    return table, (phrase_pattern(phrases) if phrases else None)


def is_concept(term: str) -> bool:
    """Whether a term is a synonym-table concept (a thing asked for) rather than a root."""
    return term.startswith(_CONCEPT_PREFIX)


class _Stemmer(Protocol):
    """The part of Sastrawi's stemmer used here (Sastrawi ships no types)."""

    delegatedStemmer: Any  # Sastrawi's name; its .dictionary.contains(word) knows the roots

    def stem(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _stemmer() -> _Stemmer:
    """The Sastrawi stemmer for Indonesian (loaded once)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    stemmer: _Stemmer = StemmerFactory().create_stemmer()
    return stemmer


# Standard nasal prefixes (meN-, peN-) and the root-initial letter each swallows (KBBI's morphophonemic
# rules: memukul <- pukul, menulis <- tulis, mengirim <- kirim, menyapu <- sapu).
_NASAL = (("meny", "s"), ("peny", "s"), ("meng", "k"), ("peng", "k"), ("mem", "p"), ("pem", "p"),
          ("men", "t"), ("pen", "t"))
_DERIVED_SUFFIXES = ("an", "kan", "i", "")


def _nasal_restored(word: str) -> Iterator[str]:
    """Roots a meN-/peN- form may come from, with the swallowed letter put back ("pemadaman" -> "padam")."""
    for prefix, letter in _NASAL:
        if word.startswith(prefix) and len(word) > len(prefix) and word[len(prefix)] in "aiueo":
            rest = word[len(prefix):]
            for suffix in _DERIVED_SUFFIXES:
                if rest.endswith(suffix) and len(rest) - len(suffix) >= 3:
                    yield letter + rest[: len(rest) - len(suffix)]


def strip_particle(word: str) -> str:
    """A word without its clitic particle (-nya, -lah, -kah, -pun, -ku, -mu) when that leaves a known word
    and the word is not itself one ("lokalnya" -> "lokal", but "sekolah" stays)."""
    bare = _PARTICLE.sub("", word)
    if bare == word or is_root(word):
        return word
    table, _ = _concepts()
    return bare if bare in table or is_root(bare) or is_root(_stemmer().stem(bare)) else word


@lru_cache(maxsize=200_000)
def root(word: str) -> str:
    """The root of an Indonesian word, or a concept name from the synonym table."""
    table, _ = _concepts()
    if word in table:
        return table[word]
    bare = _PARTICLE.sub("", word)
    if bare in table:
        return table[bare]
    if "-" in word:
        head, _, tail = word.partition("-")
        if head == tail:
            word = head
    stem = _stemmer().stem(word) or word
    if stem in table and word == stem + "an":
        return word  # a noun in -an names its own thing: "jaringan" (network) is not "jaring" (a fishing net)
    if stem not in table:
        derived = next((r for r in _nasal_restored(word) if r in table), None)
        if derived is not None:
            return table[derived]
    if stem not in table and not is_root(stem):
        stem = informal_root(word, is_root) or stem
    return table.get(stem, stem)


def is_root(word: str) -> bool:
    """Whether Sastrawi's dictionary knows the word as a root."""
    return bool(_stemmer().delegatedStemmer.dictionary.contains(word))


def terms(normalized: str, drop: Iterable[str] = ()) -> tuple[str, ...]:
    """Distinct content terms of a normalised text, without stopwords, generic request words or `drop` words."""
    text = strip_fillers(normalized)
    for word in drop:
        text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ", text)
    text = _WORD.sub(lambda m: strip_particle(m.group(0)), text)  # "tenaga kerja lokalnya" is a phrase too
    text = _PLURAL.sub(r"\1", text)  # "tiang-tiang lampu" names what "tiang lampu" does
    table, pattern = _concepts()
    if pattern is not None:
        text = pattern.sub(lambda m: " " + table[" ".join(m.group(0).split())].replace(" ", "_") + " ", text)
    stop, generic = lexicon().stopwords, lexicon().generic_roots
    out: dict[str, None] = {}
    for word in content_tokens(text):
        if word.startswith(_CONCEPT_PREFIX):
            out[word] = None
            continue
        if word in stop or len(word) < 2:
            continue
        term = root(word)
        if term not in generic and term not in stop and len(term) > 1:
            out[term] = None
    return tuple(out)


@lru_cache(maxsize=1)
def words_before_street() -> frozenset[str]:
    """Words that make a synonym-table phrase with a following "jalan" or "gang" ("lampu jalan")."""
    table, _ = _concepts()
    return frozenset(p.split()[-2] for p in table if len(p.split()) > 1 and p.split()[-1] in ("jalan", "gang"))


@lru_cache(maxsize=1)
def local_terms() -> frozenset[str]:
    """Terms of things that exist in one place (nlp/data/lokal_id.txt, through synonyms and roots)."""
    lines = (DATA_DIR / "lokal_id.txt").read_text(encoding="utf-8").splitlines()
    words = [ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#")]
    return frozenset(words) | frozenset(t for w in words for t in terms(w))


class TermStats:
    """Document frequencies of terms over the stored items, for IDF weights."""

    def __init__(self) -> None:
        """Start empty."""
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, item_terms: Sequence[str]) -> None:
        """Count one item's terms."""
        self.df.update(set(item_terms))
        self.n += 1

    def add_many(self, items_terms: Iterable[Sequence[str]]) -> None:
        """Count several items' terms (as `add` one by one)."""
        sets = [set(t) for t in items_terms]
        self.df.update(chain.from_iterable(sets))
        self.n += len(sets)

    def remove(self, item_terms: Sequence[str]) -> None:
        """Forget one item's terms."""
        self.df.subtract(set(item_terms))
        self.n -= 1

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency."""
        return math.log((self.n + 1) / (self.df.get(term, 0) + 1)) + 1.0


def overlaps(
    query: Sequence[str], others: Sequence[Sequence[str]], stats: TermStats, concept_weight: float = 1.0
) -> list[float]:
    """`overlap` of one term set with several others, each term's weight computed once."""
    weights: list[float] = overlap_array(query, others, stats, concept_weight).tolist()
    return weights


def overlap_array(
    query: Sequence[str], others: Sequence[Sequence[str]], stats: TermStats, concept_weight: float = 1.0
) -> np.ndarray:
    """`overlaps` as a float64 array; per-term work is vectorised (sums run in the same order as one by one)."""
    flat = list(chain.from_iterable(others))
    sq = {t: term_weight(t, stats, concept_weight) ** 2 for t in set(flat).union(query)}
    wq = {t: sq[t] for t in query}
    nq = sum(wq.values())
    segment = np.repeat(np.arange(len(others)), [len(terms_b) for terms_b in others])
    norms = np.bincount(segment, np.fromiter(map(sq.__getitem__, flat), np.float64, len(flat)), len(others))
    common = np.bincount(segment, np.fromiter((wq.get(t, 0.0) for t in flat), np.float64, len(flat)), len(others))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(common != 0.0, common / np.sqrt(nq * norms), 0.0)


def term_weight(term: str, stats: TermStats, concept_weight: float = 1.0) -> float:
    """A term's weight: its IDF, times `concept_weight` for a concept from the synonym table."""
    w = stats.idf(term)
    return w * concept_weight if term.startswith(_CONCEPT_PREFIX) else w


def overlap(a: Sequence[str], b: Sequence[str], stats: TermStats, concept_weight: float = 1.0) -> float:
    """Weighted cosine of two term sets (binary term frequency, IDF weights)."""
    return overlaps(a, [b], stats, concept_weight)[0] if a and b else 0.0


@cache
def _facet_table(filename: str) -> tuple[dict[str, frozenset[str]], re.Pattern[str]]:
    """Words and phrases -> facet values, from a `name<TAB>word, phrase, …` file in nlp/data.

    A word listed under several names carries them all (it conflicts with none of its senses).
    """
    table: dict[str, frozenset[str]] = {}
    for raw in (DATA_DIR / filename).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            value, _, words = raw.partition("\t")
            for word in (w.strip().lower() for w in words.split(",") if w.strip()):
                table[word] = table.get(word, frozenset()) | {value.strip()}
    return table, phrase_pattern(list(table))


def _facet(filename: str, normalized: str) -> frozenset[str]:
    """The facet values a normalised text names (particles stripped first)."""
    table, pattern = _facet_table(filename)
    text = _WORD.sub(lambda m: strip_particle(m.group(0)), normalized)
    return frozenset().union(*(table[" ".join(m.group(0).split())] for m in pattern.finditer(text)))


def beneficiaries(normalized: str) -> frozenset[str]:
    """The groups of people a request is for, as named in the text ("beasiswa atlet" -> {"atlet"})."""
    return _facet("penerima_id.tsv", normalized)


def utilities(normalized: str) -> frozenset[str]:
    """The utilities a request is about ("air PDAM mati" -> {"air"}, "listrik padam" -> {"listrik"})."""
    return _facet("layanan_id.tsv", normalized)


def needs(normalized: str) -> frozenset[str]:
    """The kinds of need a request names ("air keruh" -> {"mutu"}, "air mati" -> {"rusak"})."""
    return _facet("masalah_id.tsv", normalized)
