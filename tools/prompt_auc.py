"""Dev-only: pair AUC (same group vs different group) of the e5 cosine under each prompt.

Usage: .venv/bin/python tools/prompt_auc.py ../shared/data/aspirasi_dev.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from bot.app import load_embedder
from bot.settings import load_settings
from nlp.normalize import embedding_text, normalize
from nlp.redact import redact


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Probability that a same-group pair scores above a different-group pair."""
    ranks = np.argsort(np.argsort(np.concatenate([pos, neg]))) + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def main() -> None:
    """Print the AUC for no prompt, "query: " and "passage: "."""
    rows = [json.loads(x) for x in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [embedding_text(normalize(redact(r["text"]))) or r["text"] for r in rows]
    groups = np.array([r["group"] for r in rows])
    same = groups[:, None] == groups[None, :]
    upper = np.triu(np.ones_like(same), 1).astype(bool)
    model = load_embedder(load_settings())._model
    for prompt in ("", "query: ", "passage: "):
        v = model.encode(texts, prompt=prompt, normalize_embeddings=True)
        sims = v @ v.T
        print(f"prompt {prompt!r:12} AUC {auc(sims[upper & same], sims[upper & ~same]):.3f}")


if __name__ == "__main__":
    main()
