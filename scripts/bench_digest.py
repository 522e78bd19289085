"""Measure digest build time for one forum with many aspirations (not a test: prints seconds).

Usage: .venv/bin/python scripts/bench_digest.py [N] [DATABASE_URL]
Default: 100,000 aspirations in 5,000 clusters over 12 weeks, in a fresh SQLite file under /tmp.
"""

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import load_config  # noqa: E402
from models.clusters import Cluster, Support  # noqa: E402
from models.db import make_engine, upgrade  # noqa: E402
from models.forums import sync_forums  # noqa: E402
from models.proposals import Proposal  # noqa: E402
from models.residents import Resident  # noqa: E402
from services.digests import build_digest, scheduled_before  # noqa: E402

FORUM = "bontang-utara"
KELURAHAN = ["Bontang Kuala", "Bontang Baru", "Lok Tuan", "Guntung", "Gunung Elai", "Api-Api"]


def fill(engine: object, n: int, clusters: int, now: datetime) -> None:
    """Insert n residents, aspirations and supports spread over 12 weeks, with bulk inserts."""
    rng = random.Random(4)
    start = now - timedelta(weeks=12)
    span = (now - start).total_seconds()
    with Session(engine) as session:  # type: ignore[arg-type]
        session.execute(insert(Cluster), [
            {"id": i, "code": f"K-{i:04d}", "title": f"Usulan nomor {i} tentang jalan, lampu dan drainase",
             "status": "baru", "hidden": i % 97 == 0, "created_at": start, "updated_at": start,
             "category": rng.choice(["infrastruktur", "kesehatan", "pendidikan", "lingkungan"])}
            for i in range(1, clusters + 1)])
        session.execute(insert(Resident), [
            {"id": i, "telegram_id": 10_000_000 + i, "kelurahan": rng.choice(KELURAHAN), "forum_id": FORUM,
             "active": True, "banned": False, "created_at": start} for i in range(1, n + 1)])
        times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
        weights = [1 / (k ** 0.8) for k in range(1, clusters + 1)]
        cluster_of = rng.choices(range(1, clusters + 1), weights=weights, k=n)
        session.execute(insert(Proposal), [
            {"id": i, "code": f"ASP-2026-{i:06d}", "resident_id": i, "source_chat_id": 10_000_000 + i,
             "source_message_id": i, "state": "submitted", "cluster_id": cluster_of[i - 1],
             "text_verbatim": f"teks {i}", "text_clean": f"teks {i}", "text_redacted": f"teks warga nomor {i}",
             "kelurahan": rng.choice(KELURAHAN), "forum_id": FORUM, "streets": "", "created_at": times[i - 1],
             "submitted_at": times[i - 1]} for i in range(1, n + 1)])
        session.execute(insert(Support), [
            {"cluster_id": cluster_of[i - 1], "resident_id": i, "proposal_id": i, "following": True,
             "created_at": times[i - 1]} for i in range(1, n + 1)])
        session.commit()


def main() -> None:
    """Fill a database and time build_digest for the last week and for the whole 12 weeks."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:////tmp/bench_digest_{n}.db"
    if url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    config = load_config(ROOT / "config.yaml")
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        sync_forums(session=session, forums={f.id: f.name for f in config.forums})
        session.commit()
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    began = time.perf_counter()
    fill(engine, n, max(50, n // 20), now)
    print(f"filled {n:,} aspirations in {time.perf_counter() - began:.1f} s ({url})")
    end = scheduled_before(config, now)
    for label, start in (("last week", end - timedelta(weeks=1)), ("12 weeks (first digest)", None)):
        with Session(engine) as session:
            began = time.perf_counter()
            data = build_digest(session=session, config=config, forum_id=FORUM, period_end=end, now=now,
                                period_start_at=start)
            took = time.perf_counter() - began
        print(f"build_digest {label}: {took:.2f} s — {data.aspirations:,} aspirations, {data.clusters:,} clusters, "
              f"top {len(data.top)}, more {data.more_clusters:,}")


if __name__ == "__main__":
    main()
