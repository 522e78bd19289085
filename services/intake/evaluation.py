"""`aspirasi eval`: labelled messages through the real pipeline (intake, database, grouping, re-clustering).

Three figures, each from a fresh temporary database and a fresh grouping index (nothing carries over between
runs): `online` (the machine alone assigns every message, as for `/usul` in a forum group), `resident` (a
simulated resident supports a suggested cluster only when it holds a message of their own group, and
otherwise sends the message as a new proposal) and `final` (the resident result with every re-clustering
proposal accepted, what a moderator gets by accepting them all).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlmodel import Session, select

from models.clusters import Cluster
from models.db import make_engine, session_scope, upgrade
from models.proposals import Proposal
from models.residents import Resident, get_or_create_resident, give_consent, set_kelurahan
from nlp.cluster import Merge, apply_proposals
from nlp.embed import Embedder
from nlp.evaluation import ari, hit_at_k, merge_precision, pairwise_prf, singletons
from nlp.grouping import GroupingParams
from services.core.config import AppConfig
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.intake.regroup import compute_regroup
from services.intake.textcheck import check_text


@dataclass(frozen=True)
class Scores:
    """Pairwise precision, recall, F1 and ARI of one partition against the gold groups."""

    precision: float
    recall: float
    f1: float
    ari: float

    @classmethod
    def of(cls, truth: Sequence[str], labels: Sequence[object]) -> Scores:
        """Score a partition."""
        precision, recall, f1 = pairwise_prf(truth, labels)
        return cls(precision, recall, f1, ari(truth, labels))

    def line(self, name: str) -> str:
        """One human-readable line."""
        return (f"{name:<9} precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}"
                f"  ARI {self.ari:.3f}")


@dataclass(frozen=True)
class ValueScores:
    """Figures of the messages that carry one value of a set's `register` or `voice` field."""

    key: str
    value: str
    n: int
    online: float
    resident: float
    final: float
    hit3: float

    def line(self) -> str:
        """One human-readable line."""
        return (f"{self.key} {self.value:<14} n {self.n:>3}  online {self.online:.3f}  resident {self.resident:.3f}"
                f"  final {self.final:.3f}  hit@3 {self.hit3:.3f}")


@dataclass
class EvalReport:
    """Scores of one evaluation run."""

    n: int
    online: Scores
    resident: Scores
    final: Scores
    hit1: float
    hit3: float
    per_second: float
    assignments: list[dict[str, str]]  # per input: id, final, online and resident cluster codes
    proposal_precision: float = 1.0  # share of proposed merges that join members of one request
    proposals: int = 0  # clusters the re-clustering proposes to merge into another
    by_value: list[ValueScores] = field(default_factory=list)  # per `register` or `voice` value

    @property
    def f1(self) -> float:
        """The final F1 (after every re-clustering proposal is accepted)."""
        return self.final.f1

    def lines(self) -> list[str]:
        """Human-readable figures, then the machine-readable last line."""
        return [
            f"messages: {self.n}  ({self.per_second:.1f} per second through intake)",
            self.online.line("online"),
            self.resident.line("resident"),
            self.final.line("final"),
            f"suggestion hit@1 {self.hit1:.3f}  hit@3 {self.hit3:.3f}",
            f"regroup proposals {self.proposals}  precision {self.proposal_precision:.3f}",
            *(v.line() for v in self.by_value),
            f"eval: f1={self.final.f1:.3f} online={self.online.f1:.3f} resident={self.resident.f1:.3f}"
            f" hit3={self.hit3:.3f} n={self.n}",
        ]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read labelled lines (`text`, `group`, optional `id` and `kelurahan`)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, row in enumerate(rows, 1):
        if "text" not in row or "group" not in row:
            raise ValueError(f"{path}:{number}: each line needs 'text' and 'group'")
    return rows


class _RunEmbedder:
    """The embedder seen by one evaluation run: each distinct text is embedded once per run, never across runs."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._seen: dict[str, np.ndarray] = {}
        self.identity, self.dim = embedder.identity, embedder.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts not seen in this run, reuse the others."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._embedder.encode(missing), strict=True))
        return np.stack([self._seen[t] for t in texts]) if texts else self._embedder.encode([])

    def encode_memo(self, texts: Sequence[str]) -> np.ndarray:
        """Fixed texts (category descriptions)."""
        return self._embedder.encode_memo(texts)


@dataclass(frozen=True)
class Arrival:
    """What happened to one message on arrival."""

    proposal_id: int | None  # None: chatter, answered with help and never grouped
    cluster_id: int | None
    shown: list[int]


@dataclass
class Stream:
    """One pass of the messages in arrival order through intake, in its own database and index."""

    arrivals: list[Arrival]
    codes: dict[int, str]
    final: list[int] | None  # after every re-clustering proposal is accepted (resident stream only)
    merges: list[tuple[int, ...]] = field(default_factory=list)  # proposed merges (resident stream only)


def _resident(config: AppConfig, session: Session, i: int, row: dict[str, Any]) -> Resident:
    """The simulated resident who sends message i (with their kelurahan, if known)."""
    resident = get_or_create_resident(session=session, telegram_id=10_000_000 + i)
    give_consent(session=session, resident=resident)
    kelurahan = row.get("kelurahan")
    if kelurahan and config.city.kelurahan_by_name(kelurahan) is not None:
        forum = config.forum_of(kelurahan)
        set_kelurahan(session=session, resident=resident, kelurahan=kelurahan, forum_id=forum.id if forum else None)
    return resident


def _submit(config: AppConfig, grouping: GroupingService, session: Session, i: int, row: dict[str, Any],
            choose: dict[int, set[str]] | None) -> Arrival:
    """Submit one message; with `choose` (cluster id -> gold groups it holds) the resident picks, else the machine."""
    limits = config.limits
    if check_text(row["text"], max_chars=limits.max_text_chars, min_chars=limits.min_text_chars):
        return Arrival(None, None, [])
    resident = _resident(config, session, i, row)
    draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                 source_chat_id=10_000_000 + i, source_message_id=i + 1, text=row["text"])
    assert draft.id is not None
    if choose is None:  # nobody chooses, so nothing is shown
        shown: list[int] = []
        done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id)
    else:
        shown = [c.id for c in intake.offer_similar(session=session, grouping=grouping, proposal_id=draft.id, k=3)]
        own = [c for c in shown if str(row["group"]) in choose.get(c, set())]
        done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id,
                              cluster_id=own[0] if own else None, new_cluster=bool(shown) and not own)
    assert isinstance(done, intake.Submitted)
    return Arrival(draft.id, done.cluster.id, shown)


def _stream(config: AppConfig, embedder: _RunEmbedder, params: GroupingParams | None, rows: list[dict[str, Any]],
            truth: list[str], residents_choose: bool) -> Stream:
    """Run the messages in order into a fresh temporary database and a fresh index."""
    grouping = GroupingService(config, embedder, params)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.db'}")
        upgrade(engine)
        with session_scope(engine) as session:
            groups_in: dict[int, set[str]] | None = {} if residents_choose else None
            arrivals = []
            for i, row in enumerate(rows):
                arrival = _submit(config, grouping, session, i, row, groups_in)
                arrivals.append(arrival)
                if groups_in is not None and arrival.cluster_id is not None:
                    groups_in.setdefault(arrival.cluster_id, set()).add(truth[i])
            # Where each message stands at the end: the machine may have joined twin clusters since it arrived.
            standing = dict(session.exec(select(Proposal.id, Proposal.cluster_id)).all())
            arrivals = [Arrival(a.proposal_id, standing.get(a.proposal_id, a.cluster_id), a.shown)
                        if a.proposal_id is not None else a for a in arrivals]
            final, merges = None, []
            if residents_choose:
                result = compute_regroup(session=session, grouping=grouping)
                accepted = apply_proposals(result.current, result.proposals, item_ids=result.proposal_ids)
                final_of = dict(zip(result.proposal_ids, accepted, strict=True))
                final = [final_of.get(a.proposal_id, _label(a, i)) if a.proposal_id else _label(a, i)
                         for i, a in enumerate(arrivals)]
                merges = [p.clusters for p in result.proposals if isinstance(p, Merge)]
            codes = {c.id: str(c.code) for c in session.exec(select(Cluster)) if c.id is not None}
        engine.dispose()
    return Stream(arrivals, codes, final, merges)


def _label(arrival: Arrival, i: int) -> int:
    """The cluster of a message at arrival; chatter is its own singleton."""
    return arrival.cluster_id if arrival.cluster_id is not None else -1 - i


def _code(codes: dict[int, str], cluster: int) -> str:
    """A cluster's code; clusters created by an accepted split, and chatter, get a stand-in."""
    return codes.get(cluster) or (f"BARU-{-cluster}" if cluster < 0 else f"K-{cluster:04d}")


def evaluate(config: AppConfig, embedder: Embedder, rows: list[dict[str, Any]],
             params: GroupingParams | None = None) -> EvalReport:
    """Score the online, resident and final clusters of labelled messages; every run starts clean."""
    truth = singletons([str(r["group"]) for r in rows])
    run_embedder = _RunEmbedder(embedder)
    started = time.perf_counter()
    online = _stream(config, run_embedder, params, rows, truth, residents_choose=False)
    elapsed = time.perf_counter() - started
    resident = _stream(config, run_embedder, params, rows, truth, residents_choose=True)
    online_labels = [_label(a, i) for i, a in enumerate(online.arrivals)]
    resident_labels = [_label(a, i) for i, a in enumerate(resident.arrivals)]
    final = resident.final or resident_labels
    shown = [a.shown for a in resident.arrivals]
    ids = [str(r.get("id", n)) for n, r in enumerate(rows, 1)]
    assignments = [
        {"id": ids[i], "cluster": _code(resident.codes, final[i]), "online": _code(online.codes, online_labels[i]),
         "resident": _code(resident.codes, resident_labels[i])}
        for i in range(len(rows))
    ]
    return EvalReport(
        n=len(rows), online=Scores.of(truth, online_labels), resident=Scores.of(truth, resident_labels),
        final=Scores.of(truth, final), hit1=hit_at_k(truth, resident_labels, shown, 1),
        hit3=hit_at_k(truth, resident_labels, shown, 3),
        per_second=len(rows) / elapsed if elapsed else 0.0, assignments=assignments,
        proposal_precision=merge_precision(truth, resident_labels, resident.merges),
        proposals=sum(len(m) - 1 for m in resident.merges),
        by_value=by_value(rows, truth, (online_labels, resident_labels, final), shown),
    )


def by_value(rows: list[dict[str, Any]], truth: list[str], labels: tuple[list[int], list[int], list[int]],
             shown: list[list[int]]) -> list[ValueScores]:
    """Online, resident and final F1 and hit@3 of the messages of each `register` or `voice` value (F1 over the
    pairs with at least one of those messages), so that a weak voice cannot hide in the average."""
    out = []
    for name in ("register", "voice"):
        values = [str(r[name]) if r.get(name) is not None else None for r in rows]
        for value in sorted({v for v in values if v is not None}):
            mine = [v == value for v in values]
            online, resident, final = (pairwise_prf(truth, run, only=mine)[2] for run in labels)
            out.append(ValueScores(name, value, sum(mine), online, resident, final,
                                   hit_at_k(truth, labels[1], shown, 3, only=mine)))
    return out
