"""Cluster categories from config: keyword matches on normalised text plus embedding similarity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp.labels import words

Encode = Callable[[list[str]], np.ndarray]

# Light Indonesian affix stripping so "kebanjiran" matches "banjir" and "sekolahnya" matches "sekolah".
_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "pe", "ber", "ter", "per",
             "di", "ke", "se")
_SUFFIXES = ("nya", "kan", "an", "i")


@dataclass(frozen=True)
class Category:
    """One category: a stable code, the label people read, a description and cue words."""

    code: str
    label: str
    description: str
    keywords: tuple[str, ...] = ()


def parse_categories(raw: Mapping[str, Mapping[str, Any]]) -> list[Category]:
    """Build categories from config.yaml's `categories:` ({code: {label, description, keywords}})."""
    out = []
    for code, spec in raw.items():
        keywords = tuple(" ".join(words(str(k))) for k in spec.get("keywords") or ())
        label = str(spec.get("label") or code)
        out.append(Category(str(code), label, str(spec.get("description") or label), keywords))
    return out


def word_forms(word: str) -> set[str]:
    """Return a word and its stems without one common prefix and/or suffix (stems of 3+ letters)."""
    forms = {word}
    for suffix in ("", *_SUFFIXES):
        stem = word[: len(word) - len(suffix)] if suffix and word.endswith(suffix) else word
        if (suffix and stem == word) or len(stem) < 3:
            continue
        forms.add(stem)
        forms.update(stem[len(p):] for p in _PREFIXES if stem.startswith(p) and len(stem) - len(p) >= 3)
    return forms


def _unit(matrix: np.ndarray) -> np.ndarray:
    """L2-normalise the rows of a matrix (zero rows stay zero)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float32))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


class Categoriser:
    """Assign each text the category its keywords and its embedding point to, or the fallback."""

    def __init__(
        self,
        definitions: Mapping[str, Mapping[str, Any]],
        encode: Encode,
        *,
        fallback: str = "lainnya",
        keyword_weight: float = 0.03,
        min_margin: float = 0.02,
        top_prototypes: int = 2,
        min_words: int = 3,
    ) -> None:
        """Embed the category prototypes once; `fallback` is never scored, only returned."""
        parsed = parse_categories(definitions)
        self.fallback = fallback
        self.categories = [c for c in parsed if c.code != fallback]
        if not self.categories:
            raise ValueError("at least one category besides the fallback is needed")
        self.labels = {c.code: c.label for c in parsed}
        self.keyword_weight = keyword_weight
        self.min_margin = min_margin
        self.top_prototypes = top_prototypes
        self.min_words = min_words
        self._single, self._phrases = self._index_keywords()
        self._prototypes, self._owner = self._encode_prototypes(encode)

    def _index_keywords(self) -> tuple[dict[str, set[int]], list[tuple[str, int]]]:
        """Map single keywords to their categories and list multi-word phrases with theirs."""
        single: dict[str, set[int]] = {}
        phrases: list[tuple[str, int]] = []
        for index, category in enumerate(self.categories):
            for keyword in category.keywords:
                if " " in keyword:
                    phrases.append((f" {keyword} ", index))
                else:
                    single.setdefault(keyword, set()).add(index)
        return single, phrases

    def _encode_prototypes(self, encode: Encode) -> tuple[np.ndarray, np.ndarray]:
        """Embed each category's description and each of its keywords, remembering the owner."""
        texts: list[str] = []
        owner: list[int] = []
        for index, category in enumerate(self.categories):
            phrases = [f"{category.label}: {category.description}", *category.keywords]
            texts.extend(phrases)
            owner.extend([index] * len(phrases))
        return _unit(encode(texts)), np.asarray(owner)

    def similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Return (n, k): per category, the mean of the two best cosines to its prototypes."""
        cosine = _unit(vectors) @ self._prototypes.T
        out = np.empty((cosine.shape[0], len(self.categories)), dtype=np.float32)
        for index in range(len(self.categories)):
            block = cosine[:, self._owner == index]
            top = min(self.top_prototypes, block.shape[1])
            out[:, index] = np.sort(block, axis=1)[:, -top:].mean(axis=1)
        return out

    def keyword_hits(self, text: str) -> np.ndarray:
        """Count the distinct keywords of each category found in a text."""
        tokens = words(text)
        found: set[tuple[str, int]] = set()
        for token in tokens:
            for form in word_forms(token):
                found.update((form, i) for i in self._single.get(form, ()))
        padded = f" {' '.join(tokens)} "
        found.update((phrase, i) for phrase, i in self._phrases if phrase in padded)
        hits = np.zeros(len(self.categories), dtype=np.float32)
        for _, index in found:
            hits[index] += 1
        return hits

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (keyword hits, similarity to each category's prototypes) for a batch, both (n, k)."""
        empty = np.zeros((0, len(self.categories)), dtype=np.float32)
        hits = np.stack([self.keyword_hits(t) for t in texts]) if texts else empty
        return hits, self.similarity(vectors)

    def categorise(self, texts: Sequence[str], vectors: np.ndarray) -> list[str]:
        """Return a category code per text (normalised, redacted) and its embedding, or the fallback."""
        if len(texts) != len(vectors):
            raise ValueError("texts and vectors differ in length")
        if not texts:
            return []
        hits, similarity = self.scores(texts, vectors)
        relative = similarity - similarity.mean(axis=1, keepdims=True)
        combined = relative + self.keyword_weight * np.minimum(hits, 3)
        best = combined.argmax(axis=1)
        rows = np.arange(len(texts))
        long_enough = np.array([len(words(t)) >= self.min_words for t in texts])
        confident = (hits[rows, best] > 0) | ((relative[rows, best] >= self.min_margin) & long_enough)
        codes = [self.categories[b].code for b in best]
        return [code if ok else self.fallback for code, ok in zip(codes, confident, strict=True)]

    def cluster_category(self, member_codes: Sequence[str]) -> str:
        """Return the most common confident category of a cluster's members (first seen wins a tie)."""
        votes = Counter(code for code in member_codes if code != self.fallback)
        return votes.most_common(1)[0][0] if votes else self.fallback

    def label(self, code: str) -> str:
        """Return the label people read for a category code."""
        return self.labels.get(code, code)
