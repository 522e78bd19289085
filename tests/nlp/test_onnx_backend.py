"""The ONNX Runtime backend: the same vectors as PyTorch, its own identity, and no PyTorch loaded to serve."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlp.embed import Embedder
from nlp.onnx_backend import MANIFEST, export_onnx, is_exported

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "eval_small.jsonl"


def fixture_texts() -> list[str]:
    """The small evaluation fixture's messages (slang and formal Indonesian, one greeting)."""
    return [json.loads(line)["text"] for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line]


def test_onnx_vectors_equal_torch_vectors_on_the_fixture(embedder: Embedder, onnx_embedder: Embedder) -> None:
    texts = fixture_texts()
    torch_vectors, onnx_vectors = embedder.encode(texts), onnx_embedder.encode(texts)
    cosines = np.einsum("ij,ij->i", torch_vectors, onnx_vectors)
    assert cosines.min() >= 0.9999
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    single = np.stack([onnx_embedder.encode([t])[0] for t in texts])  # padding in a batch changes nothing
    assert np.einsum("ij,ij->i", single, onnx_vectors).min() >= 0.99999


def test_each_backend_carries_its_own_identity(embedder: Embedder, onnx_embedder: Embedder) -> None:
    assert embedder.identity.endswith("#passage")  # unchanged: stored torch vectors stay valid on torch
    assert onnx_embedder.identity == embedder.identity + "+onnx"
    assert onnx_embedder.dim == embedder.dim == 384


def test_int8_backend_is_close_and_has_another_identity(model_dir: Path, embedder: Embedder) -> None:
    quantised = Embedder(str(model_dir), model_dir.parent, backend="onnx-int8")
    texts = fixture_texts()
    cosines = np.einsum("ij,ij->i", embedder.encode(texts), quantised.encode(texts))
    assert cosines.min() >= 0.95
    assert quantised.identity == embedder.identity + "+onnx-int8"


def test_serving_through_onnx_never_imports_torch(model_dir: Path, onnx_embedder: Embedder) -> None:
    script = (
        "import sys; from pathlib import Path; from nlp.embed import Embedder; "
        f"e = Embedder({str(model_dir)!r}, Path({str(model_dir.parent)!r}), backend='onnx'); "
        "e.encode(['lampu jalan mati']); print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_an_export_of_another_source_is_not_trusted(model_dir: Path, onnx_embedder: Embedder,
                                                    tmp_path: Path) -> None:
    folder = model_dir.parent / f"{model_dir.name}-onnx"
    assert is_exported(folder, model_dir, "fp32")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["key"]["source"]["source_bytes"] = 1
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert not is_exported(copy, model_dir, "fp32")


def test_unknown_backend_is_refused(model_dir: Path) -> None:
    with pytest.raises(ValueError, match="backend"):
        Embedder(str(model_dir), model_dir.parent, backend="tensorrt")


def test_export_refuses_unknown_quantisation(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="quantisation"):
        export_onnx(model_dir, tmp_path / "x", "int4")
