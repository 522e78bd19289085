"""The embedding model through ONNX Runtime: exported once, offline, from the converted local folder.

`torch.onnx.export` writes the encoder (a plain BertModel returning `last_hidden_state`); mean pooling over
the attention mask and L2 normalisation run in NumPy, as sentence-transformers' Pooling and Normalize do.
The word-embedding table (250k rows × 384, 384 MB in float32) stays out of the graph: it is saved as a
`.npy` file and memory-mapped, so only the rows of the words residents use are ever read into memory; the
graph takes the looked-up rows (`inputs_embeds`). Optionally the graph is quantised to int8 (dynamic).

Nothing here imports torch at run time: the bot serving through ONNX Runtime never loads PyTorch.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnxruntime

FORMAT_VERSION = 1  # bump when the exported folder changes
MANIFEST = "aspirasi_onnx.json"
WORDS = "word_embeddings.npy"
OPSET = 17
QUANTISATIONS = ("fp32", "int8")


def graph_name(quantisation: str) -> str:
    """The graph file of a quantisation."""
    return "encoder.onnx" if quantisation == "fp32" else f"encoder-{quantisation}.onnx"


def _source_key(model_dir: Path) -> dict[str, Any]:
    """What the export depends on: the source folder's manifest (or its weights' size) and our format."""
    manifest = model_dir / "aspirasi_source.json"
    source = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {
        "weights_bytes": sum(p.stat().st_size for p in model_dir.glob("*.safetensors"))}
    return {"format_version": FORMAT_VERSION, "source": source}


def is_exported(folder: Path, model_dir: Path, quantisation: str) -> bool:
    """Whether `folder` holds a finished export of `model_dir` with this quantisation."""
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (found.get("key") == _source_key(model_dir) and (folder / WORDS).is_file()
            and (folder / graph_name(quantisation)).is_file())


def _export_fp32(model_dir: Path, work: Path) -> None:
    """Write the word table and the fp32 encoder graph (torch and transformers are needed here only)."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False).eval()
    words = model.get_input_embeddings().weight.detach().numpy()
    np.save(work / WORDS, np.ascontiguousarray(words, dtype=np.float32))

    class Encoder(torch.nn.Module):
        """BertModel from looked-up word vectors to the last hidden state."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out = self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask)
            hidden: torch.Tensor = out.last_hidden_state
            return hidden

    sample = torch.zeros((2, 8, words.shape[1]), dtype=torch.float32)
    mask = torch.ones((2, 8), dtype=torch.int64)
    # The TorchScript exporter (dynamo=False): the dynamo one needs onnxscript, and both give the same graph here.
    # It warns that it is deprecated and that traced shapes are constants; both are known and harmless.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(model), (sample, mask), str(work / graph_name("fp32")), opset_version=OPSET,
                          dynamo=False, input_names=["inputs_embeds", "attention_mask"], output_names=["hidden"],
                          dynamic_axes={"inputs_embeds": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "hidden": {0: "batch", 1: "tokens"}})


def _quantise(work: Path, quantisation: str) -> None:
    """Write the int8 graph (weights of every MatMul quantised, activations quantised per batch)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(work / graph_name("fp32")), str(work / graph_name(quantisation)),
                     weight_type=QuantType.QInt8)


def export_onnx(model_dir: Path, dest: Path, quantisation: str = "fp32") -> Path:
    """Export the converted model in `model_dir` into `dest` once (atomically); return `dest`."""
    if quantisation not in QUANTISATIONS:
        raise ValueError(f"quantisation must be one of {QUANTISATIONS}, not {quantisation!r}")
    if is_exported(dest, model_dir, quantisation):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        _export_fp32(model_dir, work)
        if quantisation != "fp32":
            _quantise(work, quantisation)
        (work / MANIFEST).write_text(json.dumps({"key": _source_key(model_dir)}, indent=2) + "\n",
                                     encoding="utf-8")
        work.chmod(0o755)
        if dest.exists():
            shutil.rmtree(dest)
        work.replace(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


def _session(path: Path) -> onnxruntime.InferenceSession:
    """One-thread ONNX Runtime session: a batch is split across threads by the caller instead."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-wait on a shared CPU
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxEncoder:
    """Texts to unit vectors through the exported graph; the same tokens and pooling as sentence-transformers."""

    def __init__(self, model_dir: Path, folder: Path, quantisation: str, *, threads: int = 2,
                 chunk: int = 16) -> None:
        from tokenizers import Tokenizer

        self._words = np.load(folder / WORDS, mmap_mode="r")  # only the rows looked up are read
        self._session = _session(folder / graph_name(quantisation))
        max_len = int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_len)
        self._tokenizer.no_padding()
        self._threads, self._chunk = max(1, threads), chunk
        self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="onnx") if self._threads > 1 else None
        self.dim = int(self._words.shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors; a batch is sorted by length (little padding) and run in chunks
        on `threads` threads at once (one thread each: cheaper than splitting one forward pass)."""
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=True)]
        order = np.argsort([len(x) for x in ids], kind="stable")
        chunks = [order[s : s + self._chunk] for s in range(0, len(order), self._chunk)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if self._pool is None or len(chunks) == 1:
            results = [self._run([ids[i] for i in c]) for c in chunks]
        else:
            results = list(self._pool.map(lambda c: self._run([ids[i] for i in c]), chunks))
        for rows, vectors in zip(chunks, results, strict=True):
            out[rows] = vectors
        return out

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled, normalised vectors of one padded chunk."""
        width = max(len(x) for x in batch)
        tokens = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, x in enumerate(batch):
            tokens[row, : len(x)], mask[row, : len(x)] = x, 1
        embeds = np.asarray(self._words[tokens.ravel()], dtype=np.float32).reshape(len(batch), width, -1)
        hidden = self._session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        unit: np.ndarray = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return unit.astype(np.float32)
