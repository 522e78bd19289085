"""Every word list of the text code, read once from the editable files in nlp/data: the slang table (on top of
the regional-language table and the maintained colloquial lexicon Kamus Alay, package indoNLP), fillers,
small-talk words, the stopwords of grouping and of labels (both on top of the one maintained Indonesian list,
package stop-words) and the request words grouping ignores."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from stop_words import get_stop_words

DATA_DIR = Path(__file__).parent / "data"

# Words with a genuine double letter, so that "maaaf" squeezes to "maaf" and not "maf".
DOUBLE_LETTER_WORDS = frozenset(
    {
        "maaf",
        "saat",
        "taat",
        "manfaat",
        "jumaat",
        "syariat",
        "allah",
        "assalamualaikum",
        "innalillahi",
        "sekolah",
        "keadaan",
        "perusahaan",
        "kebiasaan",
        "permintaan",
        "pengadaan",
        "penyediaan",
        "pelaksanaan",
        "kesaat",
        "sesaat",
        "riil",
        "taaruf",
        "saudara",
        "mutiara",
        "aamiin",
        "aamin",
        "fee",
        "free",
        "good",
        "cool",
        "coffee",
        "see",
        "too",
        "soon",
        "need",
        "feed",
        "week",
        "keep",
        "door",
        "poor",
        "school",
        "pool",
    }
)


@dataclass(frozen=True)
class Lexicon:
    """The editable word lists, compiled for matching."""

    slang: dict[str, str]
    regional: dict[str, str]  # Javanese, Banjar and Bugis-Malay words -> Indonesian (nlp/data/daerah_id.tsv)
    roots: frozenset[str]  # Indonesian root words (Sastrawi's dictionary)
    fillers: tuple[str, ...]  # phrases removed before texts are compared, longest first
    small_talk: frozenset[str]
    stopwords: frozenset[str]  # grouping: left out of a text's content terms
    label_stopwords: frozenset[str]  # labels: left out of keywords and title word runs
    generic_roots: frozenset[str]  # roots that only say "this is a request"


def _lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a data file."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [ln for ln in (raw.rstrip("\n\r") for raw in text.splitlines()) if ln.strip() and not ln.startswith("#")]


def _words(name: str) -> list[str]:
    """The words of a word-list file (several per line allowed), lower case."""
    return [w.lower() for line in _lines(name) for w in line.split()]


def read_slang(name: str = "slang_id.tsv") -> dict[str, str]:
    """Read a TSV of written form -> standard form (an empty right side deletes the word)."""
    table: dict[str, str] = {}
    for line in _lines(name):
        left, _, right = line.partition("\t")
        table[left.strip().lower()] = right.strip().lower()
    return table


def read_regional(name: str = "daerah_id.tsv") -> dict[str, str]:
    """Read the regional-language table: written form, Indonesian, language, the dictionary fact (TAB-separated;
    a blank Indonesian form deletes a particle)."""
    table: dict[str, str] = {}
    for line in _lines(name):
        written, standard, *_ = [*line.split("\t"), ""]
        table[" ".join(written.lower().split())] = standard.strip().lower()
    return table


@lru_cache(maxsize=1)
def indonesian_roots() -> frozenset[str]:
    """The root words of Sastrawi's Indonesian dictionary."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(StemmerFactory().get_words())


def colloquial_lexicon(ours: dict[str, str]) -> dict[str, str]:
    """Kamus Alay (the Colloquial Indonesian Lexicon of Salsabila et al., 2018, shipped by indoNLP): chat
    spellings -> standard words, for the spellings our own table does not list.

    Left out: a spelling that is itself a standard root in Sastrawi's dictionary ("kaya" is rich, not "kayak";
    "pala" is nutmeg) and one with digits (the normaliser has already expanded "anak2"). Standard forms are read
    through our table, so "gada" -> "enggak ada" becomes "tidak ada". Our table wins, and lists the civic
    abbreviations that the chat lexicon reads otherwise ("smp" is a school, not "sampai").
    """
    from indoNLP.preprocessing.slang_data import SLANG_DATA

    roots = indonesian_roots()
    table: dict[str, str] = {}
    for written, standard in SLANG_DATA.items():
        written, standard = written.strip().lower(), standard.strip().lower()
        if written == standard or written in roots or not written.isalpha() or written in ours:
            continue
        table[written] = " ".join(ours.get(word, word) for word in standard.split())
    return table


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the word lists once."""
    fillers = tuple(sorted({ln.strip().lower() for ln in _lines("fillers_id.txt")}, key=len, reverse=True))
    small = frozenset(ln.strip().lower() for ln in _lines("smalltalk_id.txt"))
    maintained = [w.lower() for w in get_stop_words("id")]
    ours = read_slang()
    regional = read_regional()
    return Lexicon(slang={**colloquial_lexicon(ours), **regional, **ours}, regional=regional,
                   roots=indonesian_roots(), fillers=fillers, small_talk=small,
                   stopwords=frozenset([*maintained, *_words("stopwords_extra_id.txt")]),
                   label_stopwords=frozenset([*maintained, *_words("stopwords_labels_id.txt")]),
                   generic_roots=frozenset(_words("generic_roots_id.txt")))


def phrase_pattern(phrases: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    """A regex matching any of the phrases as whole words, longest first."""
    ordered = sorted(phrases, key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
