"""A cluster's whole conversation on the web page, in order: staff answers to everyone, residents' follow-ups,
one-to-one replies and status notes, with who acted (a staff member's name from config, else "Staf"; residents
by pseudonym). Audit entries in words: "Pisah dibatalkan", never "undo_split". Texts are redacted again here."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.audit import AuditEntry
from models.clusters import Cluster
from models.replies import Reply
from models.residents import Resident
from nlp.redact import redact
from services.access.people import resident_label
from services.answers.staff_answers import merged_family
from services.core.config import AppConfig
from services.core.texts import status_label
from services.core.texts_web import tw

ROLES = ("staff", "moderator", "admin", "system", "resident")
ACTIONS = ("status", "rename", "recategorise", "merge", "split", "hide", "unhide", "move_home", "regroup",
           "answer", "answer_one")


@dataclass(frozen=True)
class Turn:
    """One message of the conversation."""

    at: datetime
    kind: str  # "answer", "answer_one", "followup", "status"
    who: str  # "Budi (Bapperida)", "Staf", "Warga 83 · Lok Tuan"
    to: str  # for a one-to-one reply: the resident it went to
    text: str


def actor_name(actor: str, config: AppConfig) -> str:
    """Who acted, as people read it: a staff member's (or admin's) configured name, else their role in words."""
    role, _, ident = actor.partition(":")
    if role in ("staff", "admin") and ident.lstrip("-").isdigit():
        named = config.telegram.staff_names.get(int(ident))
        if named:
            return named
    return tw(f"actor_{role}") if role in ROLES else tw("actor_other")


def action_words(action: str) -> str:
    """An audited action in words; an undo is "<action> dibatalkan"."""
    if action.startswith("undo_"):
        return tw("action_undo", what=action_words(action.removeprefix("undo_")))
    return tw(f"action_{action}") if action in ACTIONS else tw("action_other")


def _reply_turn(reply: Reply, resident: Resident | None, config: AppConfig) -> Turn:
    """A stored reply as a turn: who wrote it and, for a one-to-one answer, to whom."""
    if not reply.from_staff:
        return Turn(reply.created_at, "followup", resident_label(resident), "", redact(reply.text))
    who = actor_name(reply.actor or "staff", config)
    if reply.resident_id is None:
        return Turn(reply.created_at, "answer", who, "", redact(reply.text))
    return Turn(reply.created_at, "answer_one", who, resident_label(resident), redact(reply.text))


def _status_turn(entry: AuditEntry, config: AppConfig) -> Turn:
    """A status change (and the note staff wrote with it) as a turn."""
    before, after = entry.before or {}, entry.after or {}
    change = tw("turn_status", old=status_label(before.get("status", "")), new=status_label(after.get("status", "")))
    note = str(after.get("note") or "").strip()
    text = tw("turn_status_note", change=change, note=redact(note)) if note else change
    return Turn(entry.at, "status", actor_name(entry.actor, config), "", text)


def conversation(session: Session, cluster: Cluster, config: AppConfig) -> list[Turn]:
    """Every reply about the cluster (and the clusters merged into it) and every status change, oldest first."""
    assert cluster.id is not None
    family = merged_family(session, cluster.id)
    replies = session.exec(
        select(Reply, Resident).join(Resident, col(Resident.id) == col(Reply.resident_id), isouter=True)
        .where(col(Reply.cluster_id).in_(family))).all()
    codes = [c for c in session.exec(select(Cluster.code).where(col(Cluster.id).in_(family))).all() if c]
    statuses = session.exec(select(AuditEntry).where(
        AuditEntry.action == "status", col(AuditEntry.target).in_([f"cluster:{c}" for c in codes]))).all()
    turns = [_reply_turn(r, resident, config) for r, resident in replies]
    turns += [_status_turn(e, config) for e in statuses]
    return sorted(turns, key=lambda turn: turn.at)
