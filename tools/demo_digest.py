"""Development tool: run a JSONL file's messages through intake and write each forum's digest (text and chart).

Usage, from the project root: .venv/bin/python tools/demo_digest.py FILE.jsonl [--out DIR] [--no-model]
The output folder (default: demo_digest in the system's temporary folder) is emptied first.
Messages 1-80 arrive in the week before the last digest time and the rest in the week up to it, so the digest
shows week-over-week change; one cluster gets a staff answer. Re-run after grouping changes: it starts fresh.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from bot.settings import load_config
from models.clusters import Cluster, Support
from models.db import make_engine, session_scope, upgrade
from models.digests import Digest, DigestState
from models.forums import sync_forums
from models.outbox import OutboxMessage
from models.proposals import Proposal
from models.replies import Reply
from models.residents import Resident
from models.sequences import date_transaction
from nlp.embed import Embedder
from services.answers.staff_answers import answer_cluster
from services.core.config import AppConfig
from services.core.payloads import plain
from services.digests.delivery import forward_digest, issue_digest
from services.digests.periods import scheduled_before
from services.intake import drafts as intake
from services.intake.grouping import GroupingService

MODERATOR, STAFF = 900_002, -100_900_003


def demo_config(path: Path, out: Path) -> AppConfig:
    """The config with a moderator per forum, a staff chat and the demo's data folder."""
    config = load_config(path)
    forums = [f.model_copy(update={"moderator_ids": [MODERATOR]}) for f in config.forums]
    telegram = config.telegram.model_copy(update={"staff_chat_id": STAFF})
    return config.model_copy(update={"forums": forums, "telegram": telegram, "data_dir": str(out / "data")})


def kelurahan_of(config: AppConfig, grouping: GroupingService, given: str | None, rng: random.Random) -> str:
    """The message's kelurahan (spellings resolved), else a random one."""
    if given:
        found = grouping.prepare(given).kelurahan
        if found:
            return found[0]
    return rng.choice([k.name for k in config.city.all_kelurahan()])


def feed(config: AppConfig, engine: object, grouping: GroupingService, end: datetime, data: Path) -> None:
    """Send every message through save_draft and confirm, then give it its arrival time."""
    rng = random.Random(7)
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
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
            date_transaction(session=session, at=at)  # it counts in the period it arrived in


def answer_one(engine: object, config: AppConfig, end: datetime) -> None:
    """Staff answer the biggest cluster of the previous week (so the digest lists an answered cluster)."""
    with session_scope(engine) as session:  # type: ignore[arg-type]
        rows = session.exec(select(Proposal.cluster_id).where(Proposal.submitted_at < end - timedelta(days=7))).all()
        biggest = max(set(rows), key=rows.count)
        assert biggest is not None
        answer_cluster(session=session, config=config, cluster_id=biggest,
                       text="Terima kasih, sudah kami teruskan ke OPD terkait.", source_key="demo")
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path, help="JSONL lines with `text` (and optionally `kelurahan`)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "demo_digest")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    parser.add_argument("--models", type=Path, default=Path("data/models"), help="where the model is kept")
    parser.add_argument("--no-model", action="store_true", help="group without embeddings (faster)")
    args = parser.parse_args()
    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    config = demo_config(args.config, out)
    engine = make_engine(f"sqlite:///{out / 'aspirasi.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        sync_forums(session=session, forums={f.id: f.name for f in config.forums})
    embedder = None if args.no_model else Embedder(config.nlp.model, args.models)
    grouping = GroupingService(config, embedder)
    now = datetime.now(UTC)
    end = scheduled_before(config, now)
    feed(config, engine, grouping, end, args.file)
    answer_one(engine, config, end)
    for forum in config.forums:
        with session_scope(engine) as session:  # the previous week's digest was sent, as in a running bot
            session.add(Digest(forum_id=forum.id, period_start=end - timedelta(days=14),
                               period_end=end - timedelta(days=7), state=DigestState.FORWARDED))
        with session_scope(engine) as session:
            digest = issue_digest(session=session, config=config, forum_id=forum.id, now=now)
            assert digest is not None and digest.id is not None
            forward_digest(session=session, config=config, digest_id=digest.id, actor="system", now=now)
        write(engine, forum.id, digest.id, out)


def write(engine: object, forum_id: str, digest_id: int, out: Path) -> None:
    """Write what the moderator and the staff chat would receive, as HTML and as plain text."""
    with Session(engine) as session:  # type: ignore[arg-type]
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(  # type: ignore[attr-defined]
            f"digest:{digest_id}:")).order_by(OutboxMessage.id)).all()
    moderator = [r for r in rows if r.chat_id == MODERATOR and r.method == "send_message"]
    staff = [r for r in rows if r.chat_id == STAFF and r.method == "send_message"]
    html = "\n\n──────── pesan berikutnya ────────\n\n".join(str(r.payload["text"]) for r in moderator)
    (out / f"digest_{forum_id}.html.txt").write_text(html, encoding="utf-8")
    (out / f"digest_{forum_id}.txt").write_text(plain(html), encoding="utf-8")
    (out / f"staff_{forum_id}.txt").write_text(
        "\n\n────────\n\n".join(plain(str(r.payload["text"])) for r in staff), encoding="utf-8")
    for r in rows:
        if r.method == "send_photo" and r.chat_id == MODERATOR:
            shutil.copy(r.payload["photo"], out / f"digest_{forum_id}.png")
    print(f"{forum_id}: {len(moderator)} moderator message(s), {len(staff)} staff message(s) -> "
          f"{out}/digest_{forum_id}.txt, .png, staff_{forum_id}.txt")


if __name__ == "__main__":
    main()
