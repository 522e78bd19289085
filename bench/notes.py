"""What dominates each figure, and why a missed target is missed (written into BENCHMARKS.md)."""

from __future__ import annotations

from bench.report import Report

DOMINATES = [
    "**Ratios to peers** are the figures to compare between runs: each divides a figure by another measured "
    "minutes apart in the same process tree, so the machine's load (shared by several people here) cancels "
    "out; absolute times on a busy 2-core machine vary several-fold from run to run.",
    "**Embedding** runs on ONNX Runtime by default (`nlp.backend: onnx`): the encoder exported once from the "
    "converted model with `torch.onnx.export`, the word-embedding table memory-mapped (only the rows of the "
    "words in use are read), one thread per forward pass, a batch sorted by length and split across two "
    "threads. fp32 gives the same vectors as PyTorch (cosine ≥ 0.9999 on the test fixture, 1.0000 on 200 "
    "dev2 texts), so grouping figures are unchanged; int8 (`onnx-int8`) is faster and smaller but moves "
    "vectors (cosine min 0.977) and was not measured on every dev and check set, so it is not the default.",
    "**Reply latency** is the single-text forward pass, the similar search (Python scoring of ~500 candidates: "
    "7–11 ms alone at 10k stored, 20–30 ms under this machine's load) and five transactions before the reply "
    "is sent: the update stored, the ban check, the admission (consent, draft limit), then the draft stored, "
    "compared and its reply queued and claimed in one; the result is recorded and the update marked after.",
    "**Intake throughput**: texts arriving together are embedded in one micro-batch (2 ms window, at most 32) "
    "on the batcher's own thread; each text's similar search runs as soon as it is embedded, and only storing "
    "the draft is taken in arrival order. A Kirim runs in the order of the tracking-code counter (SQLite's "
    "write lock, PostgreSQL's row lock), with the assignment's search, twins and keywords inside; keywords are "
    "weighed against title counts kept between submissions. About 11 commits per aspiration (text, then "
    "Kirim). This process's SQLite writers queue on a gate instead of polling SQLite's lock. It is measured "
    "without PTB's rate limiter; in production Telegram's ~30 messages/s caps it near 15 aspirations/s "
    "before the bot does.",
    "**Start-up** reads the saved index (in `data_dir`, a folder per database: "
    "vectors, terms, places and facets as arrays with CRC-32s, the model's identity, a fingerprint of the "
    "nlp code, word lists, city and parameters, and a watermark), compares it with the membership read from "
    "the covering index `ix_proposal_membership`, reads and stems only what is new or moved in, and rebuilds "
    "when anything does not match. The vectors are read from the file straight into the index's matrix "
    "(checked as read); the items (terms, places, facets) are rebuilt as Python objects and the postings "
    "filled in one pass. Stemming every text (the rebuild) costs ~0.15 ms a text on an idle machine.",
    "**Similar search** up to 20k stored scans every vector exactly (a float32 matrix–vector product, one "
    "thread) and scores ~500 candidates (1–2 ms). Above 20k a faiss IVF index (about 2·√n lists, 8-bit codes, "
    "32 probed), trained on a background thread after start (searches scan exactly until it is ready), "
    "proposes the candidates, which are then scored exactly.",
    "**Peak memory** of the bot: ONNX Runtime with the encoder (86 MB graph), the memory-mapped word table's "
    "touched rows, Python and the libraries, and the index (float32 matrix with an eighth spare, items "
    "without their vectors, postings). PyTorch is never imported when ONNX serves. The bot's restart is "
    "measured after the first bot is stopped and released, as a restarted process would be.",
    "**Web page** at city scale: each view is one aggregate query over the counted aspirations and supports "
    "(`counting.figures_query`) filtered, sorted and paged in SQL, a count, then the shown page's figures (its "
    "clusters' member texts read for the kelurahan of the work and the vulnerable groups); Ringkasan is about "
    "fifteen aggregate queries. The largest clusters hold thousands of members, so the page of the most "
    "supported ones reads the most texts.",
    "**Re-clustering** builds a candidate graph (embedding k-NN: exact blocked scan up to 20k, above it exact "
    "faiss k-NN on a 96-dim PCA projection; lexical neighbours through a sparse product), then runs average "
    "linkage in Python on ~75 edges per item.",
    "**Digest** build is a handful of aggregate SQL queries over the forum's period (indexed columns).",
    "**Fan-out** is paced at each Bot API call (handlers/pacing.py): `overall_per_second` calls per 1 s plus "
    "`outbox.margin_seconds`, which is the limit here; the achieved rate is that minus event-loop jitter (on a "
    "machine this busy, jitter can cost 10–20%).",
]

GROWTH = [
    "**Search 100k / 10k** is below linear: at 10k the scan is exact; at 100k the coarse index probes a few "
    "percent of the vectors.",
    "**Start-up at 1M** is timed from a saved index written from synthetic items for the seeded proposals "
    "(a rebuild would stem a million texts: ~2.5 minutes idle, far more on this machine); at 100k both are timed.",
]

PLANS = {
    "reply latency": "after the forward pass, the similar search (20–30 ms under this load) and five "
    "transactions before the reply; a cheaper candidate scoring, and the ban check and admission read together, "
    "would cut them.",
    "intake": "the ordered part of each Kirim (from the tracking code to the commit: the assignment's full "
    "search, twins, keywords) and about 11 commits per aspiration dominate; batches stay near 2 texts with 8 "
    "updates in flight. Assignment and twins sharing one scoring, marks and stored updates written in groups, "
    "and more updates in flight would raise it.",
    "reply p95": "the similar search and five transactions before the reply weigh about as much as the forward "
    "pass; a cheaper candidate scoring and one read for the ban check and admission would fix it.",
    "stored: p95": "the machine's load stretches every query; the coarse index probes a few percent of the rows.",
    "saved index": "building a Python item per proposal (terms tuple, facets) and its postings is the floor "
    "of this design; keeping terms and facets as arrays and building items only for a search's candidates "
    "would remove it.",
    "peak RSS": "the model (ONNX Runtime and its prepacked weights, ~400 MB) and the index's Python objects "
    "per item (~300 MB at 100k) dominate; items as arrays, built only for the ~500 candidates a search scores, "
    "would remove most of the second.",
    "list p95": "every view aggregates all counted aspirations and supports; per-cluster figures kept up to "
    "date in a table (and the kelurahan of the work and the groups stored per cluster) would make a page a "
    "read of 25 rows.",
    "Ringkasan p95": "about fifteen aggregates over every counted aspiration; the same per-cluster table and "
    "weekly counts kept as aspirations arrive would remove them.",
    "export p95": "the search word is a LIKE over every member text; a full-text index (FTS5 on SQLite, "
    "a trigram index on PostgreSQL) would answer it.",
    "fan-out": "the event loop was too busy to keep the pacer's schedule (other work on the machine).",
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
