"""Numbers, dates and statistics as Indonesian readers write them."""

from datetime import UTC, date, datetime
from pathlib import Path

from bot.settings import load_config
from services.core.formats import day, moment, number, week
from services.core.payloads import plain
from services.digests.data import ClusterLine
from services.digests.render import cluster_block
from services.reports.stats import Stats
from services.reports.stats_render import render_stats

CONFIG = load_config(Path(__file__).resolve().parents[3] / "config.yaml")


def test_numbers_and_dates_use_indonesian_conventions() -> None:
    assert (number(0.5), number(1234.5), number(3, 0)) == ("0,5", "1.234,5", "3")
    assert day(date(2026, 11, 29)) == "29 November 2026"
    assert moment(datetime(2026, 11, 29, 4, 17, tzinfo=UTC), CONFIG.city.tz) == "29 November 2026 12.17 WITA"
    assert week(date(2026, 11, 25)) == "23–29 November 2026"
    assert week(date(2026, 12, 1)) == "30 November – 6 Desember 2026"


def test_statistics_read_as_words_not_codes() -> None:
    stats = Stats(total=3, per_week=[(date(2026, 11, 23), 3)], per_kelurahan=[("Lok Tuan", 3)],
                  per_category=[("bantuan_sosial", 2), ("-", 1)], clusters=2, answered=1, median_days_to_answer=0.5)
    text = plain(render_stats(stats, "semua forum", CONFIG))
    assert "0,5 hari" in text and "23–29 November 2026: 3" in text and "W48" not in text
    assert "Bantuan sosial: 2" in text and "bantuan_sosial" not in text and "tanpa kategori: 1" in text
    empty = plain(render_stats(Stats(0, [], [], [], 0, 0, None), "semua forum", CONFIG))
    assert "- hari" not in empty and "belum ada data" in empty


def test_a_cluster_sent_today_is_not_shown_as_zero_days_unanswered() -> None:
    line = ClusterLine(id=1, code="K-0001", title="Lampu mati", category="infrastruktur", status="baru",
                       supporters=1, added=1, previous_added=0, new=True, places=[("Lok Tuan", 1)],
                       waiting_days=0, overdue=False, quote=None)
    block = plain(cluster_block(1, line, CONFIG, detailed=True))
    assert "0 hari" not in block and "belum dijawab" in block and "Infrastruktur" in block
