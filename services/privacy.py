"""Residents' rights under UU No. 27/2022: see everything stored about them, and have it erased.

Erasure keeps anonymous counts and nothing that could point back to the person. The resident row stays
as a pseudonym without a Telegram id; supports stay (so clusters keep their counts) but follow nothing;
proposals stay with their code, cluster, kelurahan, category and dates. Their texts go entirely: the
verbatim text, the cleaned and the redacted text too, because free text written by a resident can name
their street, family or illness in ways no automatic check rules out; likewise photos, locations, street
facets and embeddings. Cluster titles taken from their words are replaced; copies of their words and their
Telegram id in any other table (outbox payloads, stored updates, digests, audit values) are scrubbed
(matched whatever their spacing and case), staff-chat cards of re-titled clusters are edited, every digest
chart file is deleted, and messages addressed to them are deleted. The audit entry names only the
pseudonym. It cannot be undone.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Cluster, Support
from models.outbox import OutboxMessage
from models.proposals import Proposal, ProposalState
from models.replies import Reply
from models.residents import Resident
from models.types import utcnow
from nlp.labels import short_title
from services.config import AppConfig
from services.formats import moment
from services.grouping import GroupingService
from services.labelling import TITLE_CHARS, fill_keywords
from services.outbox_files import sweep_charts
from services.scrub import ERASED, Needles, scrub_everywhere
from services.staffchat import refresh_cards
from services.texts import proposal_state_label
from services.undo import forget_resident

ERASED_TEXT = "[dihapus atas permintaan warga]"
HANDLED = {"resident", "proposal", "reply", "cluster"}


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed (counts only)."""

    proposals: int
    supports: int
    rows_scrubbed: int


def _when(value: Any, tz: ZoneInfo) -> str | None:
    """A time as people read it in the city's zone: 29 November 2026 12.17 WITA."""
    return moment(value, tz) if value is not None else None


SENT = (ProposalState.SUBMITTED, ProposalState.HELD)  # what the resident actually sent


def personal_data(*, session: Session, resident: Resident, tz: ZoneInfo) -> dict[str, Any]:
    """Everything stored about a resident, in plain words (the answer to /data_saya)."""
    proposals = session.exec(select(Proposal).where(Proposal.resident_id == resident.id)
                             .order_by(col(Proposal.id))).all()
    codes = {c.id: c.code for c in session.exec(select(Cluster).where(col(Cluster.id).in_(
        {p.cluster_id for p in proposals} | set(session.exec(
            select(Support.cluster_id).where(Support.resident_id == resident.id)).all()))))}
    supports = session.exec(select(Support).where(Support.resident_id == resident.id)).all()
    replies = session.exec(select(Reply).where(Reply.resident_id == resident.id, col(Reply.from_staff).is_(False))
                           ).all()
    return {
        "nomor_warga": resident.id, "telegram_id": resident.telegram_id, "kelurahan": resident.kelurahan,
        "forum": resident.forum_id, "persetujuan_privasi": _when(resident.consent_at, tz),
        "terdaftar": _when(resident.created_at, tz), "aktif": resident.active, "diblokir": resident.banned,
        "usulan_terkirim": sum(p.state in SENT for p in proposals),
        "usulan": [{
            "kode": p.code, "keadaan": proposal_state_label(p.state), "dibuat": _when(p.created_at, tz),
            "dikirim": _when(p.submitted_at, tz), "kelompok": codes.get(p.cluster_id),
            "teks_asli": p.text_verbatim, "teks_disamarkan": p.text_redacted, "kelurahan": p.kelurahan,
            "foto_file_id": p.photo_file_id,
            "lokasi": [p.latitude, p.longitude] if p.latitude is not None else None,
        } for p in proposals],
        "dukungan": [{"kelompok": codes.get(s.cluster_id), "sejak": _when(s.created_at, tz),
                      "mengikuti": s.following} for s in supports],
        "tanggapan_anda": [{"kelompok": codes.get(r.cluster_id), "teks": r.text, "waktu": _when(r.created_at, tz)}
                           for r in replies],
    }


def _erase_texts(session: Session, grouping: GroupingService | None, proposals: list[Proposal]) -> None:
    """Blank a resident's proposals down to anonymous facts."""
    for p in proposals:
        if grouping is not None and p.id is not None:
            grouping.remove(p.id)
        p.text_verbatim = p.photo_file_id = p.latitude = p.longitude = None
        p.embedding = p.embedding_model = None
        p.text_clean, p.text_redacted, p.streets = "", ERASED_TEXT, ""
        p.source_chat_id, p.source_message_id = 0, -(p.id or 0)  # the chat was their Telegram id
        session.add(p)
    session.flush()


def _retitle(session: Session, needles: Needles, cluster_ids: set[int]) -> list[Cluster]:
    """Give every cluster of the resident titled with their words (in any spacing or case) the text of
    another member, or a neutral title; a title a moderator chose stays unless it quotes them. Return those."""
    changed = []
    for cluster in session.exec(select(Cluster).where(col(Cluster.id).in_(cluster_ids))).all():
        if needles.scrub_text(cluster.title) == cluster.title:
            continue
        other = session.exec(select(Proposal.text_redacted).where(
            Proposal.cluster_id == cluster.id, Proposal.state == ProposalState.SUBMITTED,
            Proposal.text_redacted != ERASED_TEXT).order_by(col(Proposal.id))).first()
        cluster.title = short_title(other, TITLE_CHARS) if other else ERASED_TEXT
        session.add(cluster)
        changed.append(cluster)
    return changed


def erase_resident(
    *, session: Session, config: AppConfig, resident_id: int, grouping: GroupingService | None = None,
    charts: Path | None = None,
) -> Erasure:
    """Erase a resident's personal data for good, keeping anonymous counts (and every chart file in `charts`)."""
    resident = session.get(Resident, resident_id)
    if resident is None or resident.deleted_at is not None:
        return Erasure(0, 0, 0)
    proposals = list(session.exec(select(Proposal).where(Proposal.resident_id == resident_id)).all())
    replies = list(session.exec(select(Reply).where(Reply.resident_id == resident_id,
                                                    col(Reply.from_staff).is_(False))).all())
    needles = Needles.of([t for p in proposals for t in (p.text_verbatim, p.text_redacted, p.text_clean)]
                         + [r.text for r in replies], resident.telegram_id)
    _erase_texts(session, grouping, proposals)
    supported = set(session.exec(select(Support.cluster_id).where(Support.resident_id == resident_id)).all())
    retitled = _retitle(session, needles, {p.cluster_id for p in proposals if p.cluster_id is not None} | supported)
    fill_keywords(session=session, cluster_ids=sorted({p.cluster_id for p in proposals if p.cluster_id is not None}))
    for reply in replies:
        reply.text = ERASED_TEXT
        reply.source_key = f"erased:{reply.id}" if reply.source_key else None
        session.add(reply)
    supports = list(session.exec(select(Support).where(Support.resident_id == resident_id)).all())
    for support in supports:
        support.following = False
        session.add(support)
    session.flush()
    if resident.telegram_id is not None:  # messages to them: their words and their chat id
        session.connection().execute(delete(OutboxMessage).where(col(OutboxMessage.chat_id) == resident.telegram_id))
    resident.telegram_id, resident.consent_at, resident.active = None, None, False
    resident.deleted_at = utcnow()
    session.add(resident)
    forget_resident(session=session, resident_id=resident_id, proposal_ids={p.id for p in proposals if p.id})
    scrubbed = scrub_everywhere(session=session, needles=needles, skip=HANDLED)
    for cluster in retitled:  # staff see the new title on the cards already in their chat
        refresh_cards(session=session, config=config, cluster=cluster, source_key=f"erase:{resident_id}")
    if charts is not None:  # a picture cannot be scrubbed: every chart goes
        sweep_charts(session=session, folder=charts, everything=True)
    record(session=session, actor="resident", action="erase", target=f"resident:{resident_id}",
           after={"proposals": len(proposals), "supports": len(supports), "text": ERASED})
    return Erasure(len(proposals), len(supports), scrubbed)
