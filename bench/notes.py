"""What dominates each figure, and why a missed target is missed (written into BENCHMARKS.md)."""

from __future__ import annotations

from bench.report import Report

DOMINATES = [
    "**Reply latency** is dominated by embedding the one text (an e5-small forward pass, ~25–40 ms on one "
    "thread), then by the database round trips of one update (store the update, resident, draft, outbox row "
    "claimed and recorded, update marked handled: about eight commits, each a few ms on PostgreSQL); the "
    "similar search itself is 1–2 ms at 10k and the suggestions' clusters are read in three queries.",
    "**Intake throughput** is bounded by the embedder (one forward pass per text, one model lock) and by the "
    "database's writes; it is measured without PTB's rate limiter. In production Telegram's ~30 messages/s "
    "(a draft reply plus an edit per aspiration) caps it near 15 aspirations/s before the bot does.",
    "**Similar search** up to `exact_search_limit` (200k) scans every stored vector exactly: a float32 "
    "matrix–vector product (memory bandwidth, 1.5 KB per item) plus scoring ~500 candidates (vectorised, "
    "1–2 ms, independent of size). Above it a faiss IVF index (1,024 lists, 8-bit codes, 32 probed) proposes "
    "candidates that are then scored exactly, so the time stays nearly flat; the cost moves to training that "
    "index on the first query after start and to memory.",
    "**Index memory** is the float32 matrix (1.5 KB per item, grown by doubling) plus the Python objects per "
    "item (Item, term tuple, postings); at 1M add the coarse index's codes (0.4 KB per item).",
    "**Re-clustering** builds a candidate graph (embedding k-NN: exact blocked scan up to 20k, above it exact "
    "faiss k-NN on a 96-dim PCA projection — the only quadratic step; lexical neighbours through a sparse "
    "product), then runs average linkage in Python on ~75 edges per item (a heap; near-linear).",
    "**Digest** build is a handful of aggregate SQL queries over the forum's period (indexed columns); "
    "it grows linearly with the aspirations in the period.",
    "**Fan-out** is paced by the outbox's Pacer at exactly the configured rate; the achieved rate is the limit "
    "minus event-loop jitter. PTB's AIORateLimiter in front (as `aspirasi run` has it) does not cut it further.",
    "**Peak memory** of the bot is PyTorch and sentence-transformers with the e5-small model (~120M "
    "parameters in float32) plus the seed corpus's batch activations; the 10k index adds ~30 MB.",
]

GROWTH = [
    "**Search 100k / 10k** is below linear: scoring the ~500 candidates (~1.5 ms) does not grow; the exact scan "
    "does, linearly (~0.06 ms per 1k items, one thread).",
    "**Search 1M / 100k** is below 1: above 200k the coarse index replaces the scan. Its agreement with an exact "
    "scan is measured on synthetic vectors around 2,000 topics; real embeddings are less clustered, so measure "
    "recall on real data before relying on it. With >200k stored, the first suggestion after start waits for "
    "the index to be trained (row above); training it at the end of loading would hide that.",
    "**Index memory 1M / 100k** is above 10×: the matrix doubles when full (1,048,576 rows at 1M) and the "
    "coarse index's 8-bit codes come on top. Loading here skips stemming (synthetic terms); real texts cost "
    "~0.15 ms each to turn into items (see the bot's start time at 10k), ~2.5 minutes at 1M.",
    "**Re-clustering 100k / 10k** is above 10×: the embedding k-NN is quadratic (n² × 96 multiply-adds); at 1M "
    "it would take tens of minutes, where an IVF-based k-NN would make it near-linear.",
    "**Digest 100k / 10k** is below 10×: fixed per-query costs still weigh at 10k; the scans are linear.",
]

PLANS = {
    "reply latency": "the single-text embedding on a CPU shared with other work dominates; an int8 ONNX export "
    "of the model (2–3× faster forward pass) or fewer commits per update (store and mark the update in the "
    "handler's transaction) would fix it.",
    "stored: p95": "the exact scan reads the whole float32 matrix per query; a lower `exact_search_limit` "
    "(the coarse index's agreement is reported above) or a float16/8-bit matrix with a SIMD kernel would fix it.",
    "aspirations": "the quadratic embedding k-NN dominates at this size; an IVF-based k-NN (as the search uses) "
    "would make it near-linear.",
    "digest build": "an aggregate query scans too much; an index on (forum_id, submitted_at) would fix it.",
    "fan-out": "the event loop was too busy to keep the pacer's schedule (other work on the machine); "
    "a dedicated process for the outbox would fix it.",
    "peak RSS": "PyTorch's footprint dominates; running the model through onnxruntime would roughly halve it.",
}


def notes_for(report: Report, quick: bool) -> list[str]:
    """Notes on what dominates, then one line per missed target with its plan."""
    notes = [*DOMINATES, *GROWTH]
    if quick:
        notes.append("Quick mode: smaller sizes and fewer repeats; compare full runs with full runs.")
    for row in report.missed():
        plan = next((text for key, text in PLANS.items() if key in row.what), "")
        notes.append(f"**Missed: {row.what}** ({row.value:,.3g} {row.unit}). Why and fix: {plan}")
    return notes
