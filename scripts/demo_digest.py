"""Run the 200 dev messages through intake and write each forum's digest (text and chart) under /tmp/demo_digest.

Usage: .venv/bin/python scripts/demo_digest.py [--no-model]
Messages 1-80 arrive in the week before the last digest time and the rest in the week up to it, so the digest
shows week-over-week change; one cluster gets a staff answer. Re-run after grouping changes: it starts fresh.
"""

import json
import random
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import load_config  # noqa: E402
from models.clusters import Cluster, Support  # noqa: E402
from models.db import make_engine, session_scope, upgrade  # noqa: E402
from models.digests import Digest  # noqa: E402
from models.forums import sync_forums  # noqa: E402
from models.outbox import OutboxMessage  # noqa: E402
from models.proposals import Proposal  # noqa: E402
from models.replies import Reply  # noqa: E402
from models.residents import Resident  # noqa: E402
from nlp.embed import Embedder  # noqa: E402
from services import intake  # noqa: E402
from services.answers import answer_cluster  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.digest_delivery import forward_digest, issue_digest  # noqa: E402
from services.digests import scheduled_before  # noqa: E402
from services.grouping import GroupingService  # noqa: E402
from services.payloads import plain  # noqa: E402

OUT = Path("/tmp/demo_digest")
DATA = Path("/work/shared/data/aspirasi_dev.jsonl")
MODERATOR, STAFF = 900_002, -100_900_003


def demo_config() -> AppConfig:
    """config.yaml with a moderator per forum, a staff chat and the demo's data folder."""
    config = load_config(ROOT / "config.yaml")
    forums = [f.model_copy(update={"moderator_ids": [MODERATOR]}) for f in config.forums]
    telegram = config.telegram.model_copy(update={"staff_chat_id": STAFF})
    return config.model_copy(update={"forums": forums, "telegram": telegram, "data_dir": str(OUT / "data")})


def kelurahan_of(config: AppConfig, grouping: GroupingService, given: str | None, rng: random.Random) -> str:
    """The message's kelurahan (spellings resolved), else a random one."""
    if given:
        found = grouping.prepare(given).kelurahan
        if found:
            return found[0]
    return rng.choice([k.name for k in config.city.all_kelurahan()])


def feed(config: AppConfig, engine: object, grouping: GroupingService, end: datetime) -> None:
    """Send every message through save_draft and confirm, then give it its arrival time."""
    rng = random.Random(7)
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, row in enumerate(rows):
        at = end - timedelta(days=14) + timedelta(days=7) * (i / 80 if i < 80 else 1 + (i - 80) / (len(rows) - 80))
        with session_scope(engine) as session:  # type: ignore[arg-type]
            kelurahan = kelurahan_of(config, grouping, row.get("kelurahan"), rng)
            forum = config.forum_of(kelurahan)
            resident = Resident(telegram_id=5_000_000 + i, kelurahan=kelurahan, forum_id=forum.id if forum else None,
                                consent_at=at)
            session.add(resident)
            session.flush()
            draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                         source_chat_id=5_000_000 + i, source_message_id=i, text=row["text"])
            assert draft.id is not None
            intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id)
            draft.created_at = draft.submitted_at = at
            session.add(draft)
            for support in session.exec(select(Support).where(Support.proposal_id == draft.id)):
                support.created_at = at
                session.add(support)
            cluster = session.get(Cluster, draft.cluster_id)
            if cluster is not None and cluster.created_at > at:
                cluster.created_at = at
                session.add(cluster)


def answer_one(engine: object, end: datetime) -> None:
    """Staff answer the biggest cluster of the previous week (so the digest lists an answered cluster)."""
    with session_scope(engine) as session:  # type: ignore[arg-type]
        rows = session.exec(select(Proposal.cluster_id).where(Proposal.submitted_at < end - timedelta(days=7))).all()
        biggest = max(set(rows), key=rows.count)
        assert biggest is not None
        answer_cluster(session=session, cluster_id=biggest, text="Terima kasih, sudah kami teruskan ke OPD terkait.",
                       source_key="demo")
        answered_at = end - timedelta(days=2)
        for reply in session.exec(select(Reply).where(Reply.cluster_id == biggest)):
            reply.created_at = answered_at
            session.add(reply)
        cluster = session.get(Cluster, biggest)
        assert cluster is not None
        cluster.first_answer_at = cluster.last_answer_at = answered_at
        session.add(cluster)


def main() -> None:
    """Build the demo database and write the digests."""
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    config = demo_config()
    engine = make_engine(f"sqlite:///{OUT / 'aspirasi.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        sync_forums(session=session, forums={f.id: f.name for f in config.forums})
    embedder = None if "--no-model" in sys.argv else Embedder(config.nlp.model, ROOT / "data" / "models")
    grouping = GroupingService(config, embedder)
    now = datetime.now(UTC)
    end = scheduled_before(config, now)
    feed(config, engine, grouping, end)
    answer_one(engine, end)
    for forum in config.forums:
        with session_scope(engine) as session:  # the previous week's digest was sent, as in a running bot
            session.add(Digest(forum_id=forum.id, period_start=end - timedelta(days=14),
                               period_end=end - timedelta(days=7), state="forwarded"))
        with session_scope(engine) as session:
            digest = issue_digest(session=session, config=config, forum_id=forum.id, now=now)
            assert digest is not None and digest.id is not None
            forward_digest(session=session, config=config, digest_id=digest.id, actor="system", now=now)
        write(engine, forum.id, digest.id)


def write(engine: object, forum_id: str, digest_id: int) -> None:
    """Write what the moderator and the staff chat would receive, as HTML and as plain text."""
    with Session(engine) as session:  # type: ignore[arg-type]
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(  # type: ignore[attr-defined]
            f"digest:{digest_id}:")).order_by(OutboxMessage.id)).all()
    moderator = [r for r in rows if r.chat_id == MODERATOR and r.method == "send_message"]
    staff = [r for r in rows if r.chat_id == STAFF and r.method == "send_message"]
    html = "\n\n──────── pesan berikutnya ────────\n\n".join(str(r.payload["text"]) for r in moderator)
    (OUT / f"digest_{forum_id}.html.txt").write_text(html, encoding="utf-8")
    (OUT / f"digest_{forum_id}.txt").write_text(plain(html), encoding="utf-8")
    (OUT / f"staff_{forum_id}.txt").write_text(
        "\n\n────────\n\n".join(plain(str(r.payload["text"])) for r in staff), encoding="utf-8")
    for r in rows:
        if r.method == "send_photo" and r.chat_id == MODERATOR:
            shutil.copy(r.payload["photo"], OUT / f"digest_{forum_id}.png")
    print(f"{forum_id}: {len(moderator)} moderator message(s), {len(staff)} staff message(s) -> "
          f"{OUT}/digest_{forum_id}.txt, .png, staff_{forum_id}.txt")


if __name__ == "__main__":
    main()
