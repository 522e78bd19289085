"""Cluster labels: c-TF-IDF keywords, the representative member and a short title."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

import numpy as np

from nlp.lexicon import lexicon
from nlp.redact import redact

# Redaction placeholders ("[NIK]"), plus any e-mail or link a redactor missed.
_PLACEHOLDER = re.compile(r"[\[<{][^\]>}]{0,40}[\]>}]|\S+@\S+|(?:https?://|www\.)\S+")
_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_SPACES = re.compile(r"\s+")
_CLAUSE = re.compile(r"[.,;:!?()\"]+(?=\s|$)|\n")
_NYA_STEMS = frozenset({"bertanya", "ditanya", "menanya", "penanya", "sanya"})
_TRAILING = ",;:-–—/([{ "


def stopwords() -> frozenset[str]:
    """The words labels leave out: the maintained Indonesian list plus domain and chat fillers (nlp.lexicon).

    The city's own name is not among them (nothing city-specific in code): callers pass it as
    `extra_stopwords`, e.g. the words of `city.name`."""
    return lexicon().label_stopwords


def words(text: str) -> list[str]:
    """Split a text into lower-case word tokens, placeholders removed, stopwords kept."""
    clean = _PLACEHOLDER.sub(" ", unicodedata.normalize("NFKC", text).lower())
    return _TOKEN.findall(clean)


def _strip_nya(word: str) -> str:
    """Drop the possessive suffix -nya ("dokternya" -> "dokter") when a real stem remains."""
    if word.endswith("nya") and len(word) >= 6 and word not in _NYA_STEMS:
        return word[:-3]
    return word


def tokens(text: str, stop: frozenset[str] | None = None) -> list[str]:
    """Return the content words of a text: no stopwords, placeholders or one-letter tokens."""
    return [t for segment in _segments(text, stop) for t in segment]


def _segments(text: str, stop: frozenset[str] | None) -> list[list[str]]:
    """Split a text into runs of adjacent content words, broken by punctuation and stopwords."""
    stop = stopwords() if stop is None else stop
    runs: list[list[str]] = []
    clean = _PLACEHOLDER.sub("\n", unicodedata.normalize("NFKC", text).lower())
    for clause in _CLAUSE.split(clean):
        run: list[str] = []
        for word in _TOKEN.findall(clause):
            word = _strip_nya(word)
            if len(word) > 1 and word not in stop:
                run.append(word)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def terms(text: str, stop: frozenset[str] | None = None) -> list[str]:
    """Return a text's unigrams and its bigrams of adjacent content words."""
    runs = _segments(text, stop)
    bigrams = [f"{a} {b}" for run in runs for a, b in pairwise(run)]
    return [t for run in runs for t in run] + bigrams


def _class_counts(
    docs_by_cluster: Mapping[int, Sequence[str]], stop: frozenset[str]
) -> dict[int, Counter[str]]:
    """Count terms per cluster, treating each cluster as one concatenated document."""
    counts: dict[int, Counter[str]] = {}
    for cluster, docs in docs_by_cluster.items():
        counter: Counter[str] = Counter()
        for doc in docs:
            counter.update(terms(doc, stop))
        counts[cluster] = counter
    return counts


def _pick(ranked: Iterable[str], top_n: int, dedupe: bool) -> list[str]:
    """Take the first top_n terms, skipping a term whose words are all already shown."""
    chosen: list[str] = []
    seen: set[str] = set()
    for term in ranked:
        words = term.split()
        if dedupe and seen.issuperset(words):
            continue
        chosen.append(term)
        seen.update(words)
        if len(chosen) == top_n:
            break
    return chosen


def cluster_keywords(
    docs_by_cluster: Mapping[int, Sequence[str]],
    *,
    top_n: int = 5,
    extra_stopwords: Iterable[str] = (),
    dedupe: bool = True,
    only: Iterable[int] | None = None,
) -> dict[int, list[str]]:
    """Return the top c-TF-IDF unigrams and bigrams of each cluster (BERTopic's weighting); with `only`, of
    those clusters alone (the others still weigh the terms, their own keywords are not ranked)."""
    counts = _class_counts(docs_by_cluster, label_stop(extra_stopwords))
    frequency: Counter[str] = Counter()
    for counter in counts.values():
        frequency.update(counter)
    avg_words = sum(sum(counter.values()) for counter in counts.values()) / max(len(counts), 1)
    ranked = counts if only is None else {c: counts[c] for c in only if c in counts}
    return _rank(ranked, frequency, avg_words, top_n, dedupe)


def label_stop(extra_stopwords: Iterable[str] = ()) -> frozenset[str]:
    """The stopwords of labels plus the caller's own (the city's name)."""
    return stopwords() | frozenset(w.lower() for w in extra_stopwords)


def _rank(counts: Mapping[int, Counter[str]], frequency: Mapping[str, int], avg_words: float, top_n: int,
          dedupe: bool) -> dict[int, list[str]]:
    """Each cluster's terms by c-TF-IDF (`frequency`: a term's count over every cluster, `avg_words`: terms per
    cluster), the top_n picked."""
    idf = {t: math.log(1.0 + avg_words / frequency[t]) for counter in counts.values() for t in counter}
    # Ties (common in small clusters) go to the term whose words are rarer overall, then A-Z.
    rarity = {t: sum(idf[w] for w in t.split()) for t in idf}  # a bigram's words are terms of its cluster too
    result: dict[int, list[str]] = {}
    for cluster, counter in counts.items():
        total = sum(counter.values()) or 1
        ranked = sorted(counter, key=lambda t: (-(counter[t] / total) * idf[t], -rarity[t], t))
        result[cluster] = _pick(ranked, top_n, dedupe)
    return result


class TitleTerms:
    """The terms of every cluster's title, counted once and kept, to weigh a few clusters' keywords against.

    A submission's keywords are weighed against the titles of all other visible clusters; reading every
    title's words on each submission costs more as clusters grow. `keywords` takes the current titles,
    recounts only those that changed since its last call (a title edited, a cluster new or gone) and gives
    exactly what `cluster_keywords` gives for the same documents. Safe to share between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop: frozenset[str] = frozenset()
        self._titles: dict[int, str] = {}
        self._frequency: Counter[str] = Counter()
        self._words = 0

    def keywords(self, titles: Mapping[int, str], members: Mapping[int, Sequence[str]], *, top_n: int = 5,
                 extra_stopwords: Iterable[str] = (), dedupe: bool = True) -> dict[int, list[str]]:
        """`cluster_keywords` of the clusters in `members` (their members' texts), weighed against the titles
        of the clusters in `titles` that are not in `members`: the documents `{i: [title]} | members`, with
        only the clusters of `members` ranked."""
        stop = label_stop(extra_stopwords)
        counts = _class_counts(members, stop)
        with self._lock:
            self._sync(titles, stop)
            own = [titles[c] for c in members if c in titles]  # their titles are not part of the contrast
            own_terms: Counter[str] = Counter(t for title in own for t in terms(title, stop))
            frequency = {t: self._frequency[t] - own_terms[t] for counter in counts.values() for t in counter}
            words = self._words - sum(own_terms.values())
        for counter in counts.values():
            for term, n in counter.items():
                frequency[term] += n
        words += sum(sum(counter.values()) for counter in counts.values())
        documents = len(titles) - len(own) + len(counts)
        return _rank(counts, frequency, words / max(documents, 1), top_n, dedupe)

    def _sync(self, titles: Mapping[int, str], stop: frozenset[str]) -> None:
        """Count the titles that changed since the last call (all of them when the stopwords changed)."""
        if stop != self._stop:
            self._stop, self._titles, self._frequency, self._words = stop, {}, Counter(), 0
        for cluster_id in self._titles.keys() - titles.keys():
            self._count(self._titles.pop(cluster_id), -1)
        for cluster_id, title in titles.items():
            old = self._titles.get(cluster_id)
            if old != title:
                if old is not None:
                    self._count(old, -1)
                self._count(title, 1)
                self._titles[cluster_id] = title

    def _count(self, title: str, sign: int) -> None:
        """Add (sign 1) or take away (-1) a title's terms."""
        found = terms(title, self._stop)
        self._words += sign * len(found)
        for term in found:
            self._frequency[term] += sign
            if not self._frequency[term]:
                del self._frequency[term]


def representative_index(vectors: np.ndarray) -> int:
    """Return the index of the member nearest (cosine) to the L2-normalised mean vector."""
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] == 0:
        raise ValueError("vectors must be a non-empty 2-D array")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.where(norms == 0, 1.0, norms)
    centre = unit.mean(axis=0)
    length = np.linalg.norm(centre)
    if length == 0:
        return 0
    return int(np.argmax(unit @ (centre / length)))


def short_title(text: str, limit: int = 100) -> str:
    """Shorten a text to at most `limit` characters at a clause or word boundary, ending with an ellipsis."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    clause = max(head.rfind(p) for p in (". ", ", ", "; ", ": ", " - "))
    cut = head.rfind(" ")
    if clause > limit // 2:
        head = head[:clause]
    elif cut > limit // 3 and not flat[limit - 1].isspace():
        head = head[:cut]
    return head.rstrip(_TRAILING).rstrip(".") + "…"


def _opening() -> re.Pattern[str]:
    """Greetings, forms of address, politeness and request openers at the start of a text (any case)."""
    words = sorted(set(lexicon().fillers) | set(REQUEST_OPENERS), key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"^(?:(?:{body})(?![\w'-])[\s,.!:;-]*)+", re.IGNORECASE)


# Openers that only say "this is a request" ("mohon dibantu ..."): a planner's title starts after them.
REQUEST_OPENERS: tuple[str, ...] = (
    "mohon dibantu", "mohon bantuannya", "mohon bantuan", "minta tolong", "tolong dong", "kami mohon",
    "kami minta", "kami mengusulkan", "kami berharap", "saya mohon", "saya minta", "saya mengusulkan",
    "mengusulkan", "usul", "izin", "ijin", "min", "kakak", "sy", "saya", "kami",
)
_CLOSING = re.compile(r"[\s,.!]*(?:terima\s*kasih(?:\s+banyak)?|makasih|thanks?|wassalam\w*)[\s\w,.!]{0,30}$",
                      re.IGNORECASE)


# A form of address at the very end ("... belum cair min"): the resident talking to the bot, not the request.
_ADDRESS_END = re.compile(r"[\s,.!?]+(?:min|admin|mimin|pak|bu|bapak|ibu|kak|kakak|gan|bos)[\s,.!?]*$", re.IGNORECASE)

# Addressing the bot mid-sentence ("mampet bgt di gg mawar min, udh seminggu"): the word goes, the comma stays.
_ADDRESS_MID = re.compile(r"\s+(?:min|mimin|gan|kak|bos)(?=\s*[,.!?])", re.IGNORECASE)

SLANG_SHARE = 0.15  # above this share of chat words, a title is shown in standard spelling


def readable_title(text: str, limit: int = 100, names: Iterable[str] = ()) -> str:
    """A title for planners from a (redacted) message: no greeting, address or thanks; a request that keeps
    its subject; place names (`names`, from config) and acronyms capitalised; short."""
    from nlp.titles import as_request, capitalise, formal_intensifier, normalize_keeping_acronyms

    text = redact(text)  # whatever the caller passed (a text stored by an older redactor too)
    text = _ADDRESS_MID.sub("", formal_intensifier(text))
    if informality(text) > SLANG_SHARE:  # chat spelling: show the standard words the normaliser gives
        text = redact(normalize_keeping_acronyms(text))  # redacted again: normalising may join what redaction saw apart
    core = _CLOSING.sub("", _opening().sub("", _SPACES.sub(" ", text).strip()))
    core = _ADDRESS_END.sub("", core).strip(" ,.;:-")
    core = core or _SPACES.sub(" ", text).strip()
    return short_title(as_request(capitalise(core, names)), limit)


def informality(text: str) -> float:
    """Share of a text's words that the slang table rewrites (0 for formal Indonesian)."""
    from nlp.normalize import normalize

    before = _TOKEN.findall(text.lower())
    after = set(_TOKEN.findall(normalize(text)))
    return sum(w not in after for w in before) / len(before) if before else 1.0


def title_index(vectors: np.ndarray, texts: Sequence[str]) -> int:
    """The member to title a cluster with: near the centre, preferring a complete, formal message."""
    matrix = np.asarray(vectors, dtype=np.float64)
    unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    centre = unit.mean(axis=0)
    central = unit @ (centre / max(float(np.linalg.norm(centre)), 1e-12))
    complete = np.array([min(len(_TOKEN.findall(t)), 8) / 8 for t in texts])
    formal = np.array([1.0 - informality(t) for t in texts])
    return int(np.argmax(central + 0.1 * formal + 0.05 * complete))
