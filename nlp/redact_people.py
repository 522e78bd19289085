"""Names in self-introductions, house numbers of personal addresses and bank accounts.

Names: after a strong cue ("nama saya", "Nama:", "namanya", "bernama", "a.n.", "atas nama") the next words
are a name in any case, up to a word that is no name (a stopword, a role, an institution, a kind of place, a
time: nlp/data/bukan_nama_id.txt) or a place of the city. After a weak cue ("saya", "dari", "anak saya", "narahubung")
only capitalised words are, and only when they are no Indonesian word (Sastrawi's dictionary) unless they are
a common given name that is also one (nlp/data/nama_umum_id.txt): "dari Rahmat" is a name, "dari Satimpo",
"dari Dinas", "saya Warga" and "dari dulu" are not. After "Pak"/"Bu" a cue's next words are a name in any
case ("saya pak budi"), but not a role ("saya pak RT"). "saya budi, warga ..." is read from its context.

House numbers: "No. 12", "No 7A", "nomor 3/4" and a block code ("Blok C-12") after an address word (Jl.,
Gang, Perum, rumah, alamat, ...) in the same clause, unless a landmark word comes right before ("depan
No. 12" tells where a road is broken). The street, RT, RW and kelurahan stay.

Bank accounts: 7 or more digits after a bank's name or "rek"/"rekening"/"norek".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nlp.lexicon import DATA_DIR, lexicon

NAME = "[nama]"
HOUSE = "[nomor rumah]"
ACCOUNT = "[nomor rekening]"

_BANKS = (r"bank|rek(?:ening)?|no\.?\s*rek(?:ening)?|norek|a/c|bri|bni|bca|bsi|btn|mandiri|cimb(?:\s+niaga)?|"
          r"danamon|permata|muamalat|ocbc(?:\s+nisp)?|panin|mega|jago|seabank|bjb|bpd(?:\s+kaltim(?:tara)?)?|"
          r"bankaltimtara|kaltimtara|maybank|bukopin|sinarmas|btpn|jenius|syariah")
_ACCOUNT = re.compile(
    rf"(?<![\w])(?:{_BANKS})\.?(?:[\s:.\-]+(?:{_BANKS}|no|nomor|nomer))*\.?[\s:\-]*"
    r"(?P<n>\d(?:[\s.\-]?\d){6,24})(?![\w])", re.IGNORECASE)

_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+")  # "pinjaman bank 5.000.000" is money, not an account
_STRONG = re.compile(
    r"(?<![\w])(?:nama(?:ku|nya|\s*(?:lengkap\s*)?(?:saya|sy|sya|aku|gue|gw|pelapor)(?:\s+(?:adalah|ialah|yaitu))?"
    r"|\s*(?:lengkap\s*)?(?=[:=])|\s+(?:anak|istri|suami|ibu|bapak|ayah|adik|kakak)\s+(?:saya|sy|kami))"
    r"|bernama|a\s*[./]\s*n\b\.?|an\.(?=[ \t]*[A-Z])|atas\s+nama)[ \t]*[:=,]?", re.IGNORECASE)
_WEAK = re.compile(
    r"(?<![\w])(?:(?:anak|istri|suami|ibu|bapak|ayah|adik|kakak|cucu|mertua)\s+(?:saya|sy|kami)|saya|sy|aku|dari|"
    r"narahubung|hubungi|kontak|cp|contact\s+person|penanggung\s+jawab|pelapor)(?![\w])[ \t]*[,:]?"
    r"|(?<![\w])(?:hormat\s+(?:saya|kami)|salam(?:\s+(?:saya|kami))?|wassalam\w*(?:[ \t]+wr\.?[ \t]*wb\.?)?|ttd)"
    r"(?![\w])[ \t]*[,.:]?\s*"
    r"|\[nomor telepon\][ \t]*[(/\-–][ \t]*",  # "0812… (Budi)", "0812… - Budi"
    re.IGNORECASE)
_HONORIFIC = re.compile(
    r"[ \t]*(?:pak|bu|ibu|bapak|bpk|ibuk|bunda|mas|mbak|mba|kak|bang|abang|om|tante|haji|hajjah|hj|h|ustadz|"
    r"ustad|dr|drs|ir)(?:\.|(?![\w]))", re.IGNORECASE)
_WORD = re.compile(r"[ \t]*(?P<w>[^\W\d_]\.(?=[ \t]+[^\W\d_])|[^\W\d_](?:[^\W\d_]|['’-][^\W\d_])*)")
_CONTEXT = re.compile(r"[ \t]*,?[ \t]*(?:warga|dari|selaku|ketua|tinggal|asal|rt\b|penghuni|pemilik)",
                      re.IGNORECASE)
_AFFIXED = re.compile(r"^(?:me|ber|di|ter|pe|per|ke|se)\w{4,}$")
_ADDRESS_CUE = re.compile(
    r"(?<![\w])(?:jl|jln|jalan|gg|gang|perum|perumahan|komplek|kompleks|komp|btn|griya|villa|blok|rumah|"
    r"alamat|alamatnya|tinggal|domisili)(?![\w])", re.IGNORECASE)
_HOUSE = re.compile(
    r"(?<![\w])(?:(?:no|nomor|nomer|nmr|nr)\.?[ \t]*:?[ \t]*|(?P<blok>blok[ \t]+)(?=[a-z]{0,2}[ \t]*[-.]?[ \t]*\d))"
    r"(?P<n>(?:[a-z]{1,2}[ \t]*[-.]?[ \t]*)?\d{1,4}[a-z]?(?:[ \t]*[/-][ \t]*\d{1,4}[a-z]?)?"
    r"(?:[ \t]+(?:no|nomor)\.?[ \t]*\d{1,4}[a-z]?)?)(?![\w])", re.IGNORECASE)
_LANDMARK = re.compile(
    r"(?:depan|dekat|samping|sebelah|seberang|belakang|antara|sampai|hingga|s/d|sd|smp|sma|smk|sdn|tk|tps|"
    r"ujung|pojok|persis|kamar|antrean|antrian|urut|surat|pos|posyandu|loket)[ \t.]*$", re.IGNORECASE)
_RANGE = re.compile(r"[ \t]*(?:sampai|hingga|s\.?/?d\.?|ke|-)[ \t]*(?:no|nomor)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[!?;\n]|(?P<word>\w*)\.(?=[ \t]|$)")
_ABBREVIATIONS = frozenset({"jl", "jln", "gg", "no", "komp", "kel", "kec", "perum", "rt", "rw", "pak", "bu", "h", "hj",
                            "n", "a", "blok", "nmr", "dr", "ir"})
_places: dict[str, frozenset[str]] = {"areas": frozenset(), "all": frozenset(), "tokens": frozenset()}


def use_place_names(areas: Iterable[str], streets: Iterable[str] = ()) -> None:
    """Remember the city's areas and institutions (never names) and streets (no name after a weak cue)."""
    area_set = frozenset(" ".join(a.lower().split()) for a in areas if a.strip())
    _places["areas"] = area_set
    _places["all"] = area_set | frozenset(" ".join(s.lower().split()) for s in streets if s.strip())
    _places["tokens"] = frozenset(w for a in area_set for w in re.findall(r"[^\W\d_]{3,}", a))


@dataclass(frozen=True)
class _Vocabulary:
    """The word lists names are told from."""

    not_names: frozenset[str]  # stopwords, roles, institutions, kinds of places, times, chat spellings of them
    given: frozenset[str]  # given names that are also Indonesian words
    roots: frozenset[str]  # Sastrawi's dictionary


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    """Read the word lists once."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    def read(name: str) -> frozenset[str]:
        lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
        return frozenset(w for line in lines if not line.startswith("#") for w in line.lower().split())

    lex = lexicon()
    stop = lex.stopwords | read("bukan_nama_id.txt")
    slang = frozenset(k for k, v in lex.slang.items() if v and all(w in stop for w in v.split()))
    honorifics = frozenset({"pak", "bu", "ibu", "bapak", "bpk", "ibuk", "mas", "mbak", "mba", "kak", "bang"})
    return _Vocabulary(stop | slang | honorifics, read("nama_umum_id.txt"), frozenset(StemmerFactory().get_words()))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """Sastrawi's stemmer, built once."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    """The word's root by Sastrawi's stemmer ("melaporkan" -> "lapor")."""
    return str(_stemmer().stem(word))


def _is_word(low: str) -> bool:
    """No common given name, and an Indonesian word (a dictionary root or one with a prefix), chat spelling or
    a word of a place's name ("dari Berbas")."""
    vocabulary = _vocabulary()
    if low in vocabulary.given:
        return False
    if low in vocabulary.roots or low in lexicon().slang or low in _places["tokens"]:
        return True
    return _derived(low)


def _derived(low: str) -> bool:
    """A dictionary root with a verb or noun prefix ("melaporkan", "ditinggal")."""
    return _AFFIXED.match(low) is not None and _stem(low) in _vocabulary().roots


def _weak_name_word(word: str, *, first: bool) -> bool:
    """After a weak cue: a capitalised word that is no Indonesian word (the first) or no derived one (the rest)."""
    if len(word) < 2 or not word[0].isupper() or word[1:].isupper():
        return False
    low = word.lower().rstrip(".")
    if first:
        return not _is_word(low)
    return low in _vocabulary().given or not _derived(low)


def _place_at(text: str, pos: int, weak: bool) -> bool:
    """Whether a known place (weak: or street) name starts at pos."""
    rest = " ".join(text[pos : pos + 60].lower().split())
    names = _places["all"] if weak else _places["areas"]
    return any(rest.startswith(n) and not rest[len(n) : len(n) + 1].isalnum() for n in names)


def _name_end(text: str, pos: int, *, strong: bool, limit: int) -> int:
    """Where the name starting at pos ends (pos when there is none)."""
    stop = _vocabulary().not_names
    end, taken = pos, 0
    while taken < limit and (m := _WORD.match(text, end)) is not None:
        word = m.group("w")
        if word.lower() in stop or _place_at(text, m.start("w"), not strong):
            break
        if not strong and not _weak_name_word(word, first=taken == 0):
            break
        end, taken = m.end(), taken + 1
    return end


def _lower_name_end(text: str, pos: int) -> int:
    """'saya budi, warga …': one lower-case word that is a name because of what follows it."""
    m = _WORD.match(text, pos)
    if m is None or m.group("w").lower() in _vocabulary().not_names or _is_word(m.group("w").lower()):
        return pos
    return m.end() if _CONTEXT.match(text, m.end()) else pos


def _name_span(text: str, cue: re.Match[str], strong: bool) -> tuple[int, int]:
    """The span of the name a cue introduces (empty when none)."""
    pos = cue.end()
    honorific = _HONORIFIC.match(text, pos)
    if honorific is not None and _WORD.match(text, honorific.end()):
        pos = honorific.end()
        strong = True
    end = _name_end(text, pos, strong=strong, limit=4 if strong else 3)
    if end == pos and not strong and cue.group(0).strip(" \t,").lower() in {"saya", "sy", "aku"}:
        end = _lower_name_end(text, pos)
    start = pos + len(text[pos:end]) - len(text[pos:end].lstrip())
    return start, end


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    """Replace non-overlapping spans (in order) by a placeholder."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start >= last and end > start:
            out.extend([text[last:start], placeholder])
            last = end
    return "".join(out) + text[last:]


def redact_names(text: str) -> str:
    """Replace the names of self-introductions by a placeholder."""
    spans = [_name_span(text, m, True) for m in _STRONG.finditer(text)]
    taken = {s for s, e in spans if e > s}
    spans += [span for m in _WEAK.finditer(text) if (span := _name_span(text, m, False))[0] not in taken]
    return _replace_spans(text, spans, NAME)


def _is_house_number(text: str, match: re.Match[str]) -> bool:
    """A house number: an address word earlier in its clause, no landmark word right before it."""
    before = text[max(0, match.start() - 80) : match.start()]
    ends = [m.end() for m in _CLAUSE_END.finditer(before) if (m.group("word") or "").lower() not in _ABBREVIATIONS
            or m.group(0)[-1] != "."]
    clause = before[ends[-1]:] if ends else before
    if _RANGE.match(text, match.end()):
        return False  # "dari No. 5 sampai No. 20": a stretch of road
    return bool(_ADDRESS_CUE.search(clause) or match.group("blok")) and not _LANDMARK.search(before)


def redact_houses(text: str) -> str:
    """Replace house numbers of personal addresses by a placeholder; streets, RT and landmarks stay."""
    spans = [(m.start("n") if m.group("blok") else m.start(), m.end()) for m in _HOUSE.finditer(text)
             if _is_house_number(text, m)]
    return _replace_spans(text, spans, HOUSE)


def redact_accounts(text: str) -> str:
    """Replace bank account numbers written after a bank or "rek" by a placeholder."""
    spans = [m.span("n") for m in _ACCOUNT.finditer(text) if not _AMOUNT.fullmatch(m.group("n"))]
    return _replace_spans(text, spans, ACCOUNT)


def redact_people(text: str) -> str:
    """Names of self-introductions, then house numbers."""
    return redact_houses(redact_names(text))
