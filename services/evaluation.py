"""`aspirasi eval`: labelled messages through the real pipeline (intake, database, grouping, re-clustering)."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from models.clusters import Cluster
from models.db import make_engine, session_scope, upgrade
from models.residents import get_or_create_resident, give_consent, set_kelurahan
from nlp.cluster import apply_proposals
from nlp.evaluation import ari, hit_at_k, pairwise_prf, singletons
from services import intake
from services.config import AppConfig
from services.grouping import GroupingService
from services.regroup import compute_regroup
from services.textcheck import check_text


@dataclass
class EvalReport:
    """Scores of one evaluation run."""

    n: int
    precision: float
    recall: float
    f1: float
    ari: float
    hit1: float
    hit3: float
    per_second: float
    assignments: list[tuple[str, str]]  # (input id, final cluster code)

    def lines(self) -> list[str]:
        """Human-readable figures, then the machine-readable last line."""
        return [
            f"messages: {self.n}  ({self.per_second:.1f} per second through intake)",
            f"pairwise precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  ARI {self.ari:.3f}",
            f"suggestion hit@1 {self.hit1:.3f}  hit@3 {self.hit3:.3f}",
            f"eval: f1={self.f1:.3f} hit3={self.hit3:.3f} n={self.n}",
        ]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read labelled lines (`text`, `group`, optional `id` and `kelurahan`)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, row in enumerate(rows, 1):
        if "text" not in row or "group" not in row:
            raise ValueError(f"{path}:{number}: each line needs 'text' and 'group'")
    return rows


@dataclass(frozen=True)
class Arrival:
    """What happened to one message on arrival."""

    proposal_id: int | None  # None: chatter, answered with help and never grouped
    cluster_id: int | None
    shown: list[int]


def _submit(config: AppConfig, grouping: GroupingService, session: Session, i: int, row: dict[str, Any]) -> Arrival:
    """Submit one message as its own resident would, recording the clusters shown to them."""
    limits = config.limits
    if check_text(row["text"], max_chars=limits.max_text_chars, min_chars=limits.min_text_chars):
        return Arrival(None, None, [])
    resident = get_or_create_resident(session=session, telegram_id=10_000_000 + i)
    give_consent(session=session, resident=resident)
    kelurahan = row.get("kelurahan")
    if kelurahan and config.city.kelurahan_by_name(kelurahan) is not None:
        forum = config.forum_of(kelurahan)
        set_kelurahan(session=session, resident=resident, kelurahan=kelurahan, forum_id=forum.id if forum else None)
    draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                 source_chat_id=10_000_000 + i, source_message_id=i + 1, text=row["text"])
    assert draft.id is not None
    shown = [c.id for c in intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3)]
    done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id)
    return Arrival(draft.id, done.cluster.id, shown)


def evaluate(config: AppConfig, grouping: GroupingService, rows: list[dict[str, Any]]) -> EvalReport:
    """Run the messages in order into a fresh temporary database and score the final clusters."""
    truth = singletons([str(r["group"]) for r in rows])
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.db'}")
        upgrade(engine)
        started = time.perf_counter()
        with session_scope(engine) as session:
            arrivals = [_submit(config, grouping, session, i, row) for i, row in enumerate(rows)]
            elapsed = time.perf_counter() - started
            result = compute_regroup(session=session, grouping=grouping)
            codes = {c.id: c.code for c in session.exec(select(Cluster))}
        engine.dispose()
    accepted = apply_proposals(result.current, result.proposals, item_ids=result.proposal_ids)
    final_of = dict(zip(result.proposal_ids, accepted, strict=True))
    online = [a.cluster_id if a.cluster_id is not None else -1 - i for i, a in enumerate(arrivals)]
    final = [final_of.get(a.proposal_id, online[i]) if a.proposal_id else online[i] for i, a in enumerate(arrivals)]
    precision, recall, f1 = pairwise_prf(truth, final)
    shown = [a.shown for a in arrivals]
    ids = [str(r.get("id", n)) for n, r in enumerate(rows, 1)]
    labels = [codes.get(c) or (f"BARU-{-c}" if c < 0 else f"K-{c:04d}") for c in final]
    return EvalReport(
        n=len(rows), precision=precision, recall=recall, f1=f1, ari=ari(truth, final),
        hit1=hit_at_k(truth, online, shown, 1), hit3=hit_at_k(truth, online, shown, 3),
        per_second=len(rows) / elapsed if elapsed else 0.0, assignments=list(zip(ids, labels, strict=True)),
    )
