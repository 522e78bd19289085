"""The benchmark's building blocks on tiny sizes, so `aspirasi bench` cannot rot (the bench itself is not a test)."""

from dataclasses import replace
from pathlib import Path

from bench import bot_figures, nlp_figures, ops, startup
from bench.corpus import aspirations, synthetic_items
from bench.notes import notes_for
from bench.report import Report, Row
from bot.settings import Settings
from nlp.embed import Embedder
from nlp.grouping import Grouper, GroupingParams


def test_corpus_is_indonesian_requests_grouped_by_object_and_place() -> None:
    corpus = aspirations(50)
    assert len({a.text for a in corpus}) > 40
    assert all(a.kelurahan in a.text for a in corpus)
    items = synthetic_items(20)
    assert all(abs(float(i.vector @ i.vector) - 1.0) < 1e-4 and 3 <= len(i.terms) <= 8 for i in items)


def test_search_and_recluster_on_small_sizes() -> None:
    search = nlp_figures.search(300, 5)
    assert search["p95"] >= search["p50"] > 0 and search["agreement"] == 1.0 == search["overlap"]
    assert search["numpy_p95"] > 0 and search["faiss_p95"] > 0
    assert nlp_figures.recluster_time(200)["clusters"] >= 1


def test_coarse_index_agrees_with_an_exact_scan() -> None:
    items = synthetic_items(2_100, seed=2)
    exact, coarse = Grouper(GroupingParams()), Grouper(replace(GroupingParams(), exact_search_limit=500))
    for i, item in enumerate(items[:2_000]):
        exact.add(i, i // 4, item)
        coarse.add(i, i // 4, item)
    same = sum(exact.suggest(q) == coarse.suggest(q) for q in items[2_000:])
    assert same >= 90  # approximate by design: most queries get exactly the exact scan's answer


async def test_reply_latency_and_intake_through_the_bot(settings: Settings, embedder: Embedder, tmp_path: Path
                                                        ) -> None:
    corpus = bot_figures.embedded_corpus(settings, embedder, 30)
    figures = await bot_figures.bot_figures(settings, corpus, embedder, settings.database_url, tmp_path, 5, 3)
    assert figures["latency"]["p50"] > 0 and figures["latency"]["with_suggestions"] > 0
    assert figures["intake"]["submitted"] == 3
    assert figures["start"]["saved_s"] > 0 and figures["batches"]["max"] >= 1


def test_index_start_up_rebuilt_then_from_the_saved_index(settings: Settings) -> None:
    figures = startup.startup(settings, 300)
    assert figures["rebuild_read"] == 300 and figures["snapshot_read"] == 0


async def test_fanout_through_the_outbox_worker(settings: Settings) -> None:
    config = settings.config.model_copy(update={"outbox": settings.config.outbox.model_copy(
        update={"overall_per_second": 200})})
    fanout = await ops.fanout(config, settings.database_url, 6)
    assert fanout["sent"] == fanout["queued"] == 6 and fanout["ratio"] > 0


def test_digest_of_a_filled_forum(settings: Settings) -> None:
    digest = ops.digest_time(settings.config, settings.database_url, 300)
    assert 0 < digest["week_aspirations"] < digest["all_aspirations"] <= 300 and digest["week_s"] > 0


def test_report_has_table_markdown_and_missed_targets() -> None:
    report = Report(mode="test")
    report.add("Search", Row("p95 at 100,000", 25.0, "ms", 20))
    report.add("Search", Row("p95 at 10,000", 5.0, "ms", 20))
    report.ratio("search 100k / 10k", 25.0, 5.0, "10×")
    report.peer("intake ÷ batch embedding", 0.5, 0.6, higher_is_better=True)
    report.notes += notes_for(report, quick=True)
    assert "MISSED" in report.table() and "5.00×" in report.table()
    markdown = report.markdown()
    assert markdown.startswith("# Benchmarks") and "cores" in markdown
    assert "| p95 at 10,000 | 5 ms | ≤ 20 | met |" in markdown
    assert "| intake ÷ batch embedding | 0.5 × | ≥ 0.6 | MISSED |" in markdown
    assert [r.what for r in report.missed()] == ["p95 at 100,000", "intake ÷ batch embedding"]
