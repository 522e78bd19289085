"""Residents' rights under UU No. 27/2022: see everything stored about them, and have it erased.

Erasure keeps anonymous counts and nothing that could point back to the person. The resident row stays
as a pseudonym without a Telegram id; supports stay (so clusters keep their counts) but follow nothing;
proposals stay with their code, cluster, kelurahan, category and dates. Their texts go entirely: the
verbatim text, the cleaned and the redacted text too, because free text written by a resident can name
their street, family or illness in ways no automatic check rules out; likewise photos, locations, street
facets and embeddings. What was derived from their proposals is found by its recorded source, whatever
its wording became (services/privacy/erasure.py: titles, keywords, digests, audit entries, undo snapshots, unsent
messages), and messages already in chats are edited or deleted (services/privacy/erasure_chats.py). Then, as a
second net, copies of their words and their Telegram id in any other table are scrubbed by matching
(services/privacy/scrub.py); their stored updates lose their payloads, every digest chart file is deleted, and
messages addressed to them are deleted. The audit entry names only the pseudonym. It cannot be undone.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Cluster, Support
from models.outbox import OutboxMessage
from models.proposals import Proposal, ProposalState
from models.provenance import Derived, derived_from
from models.replies import Reply
from models.residents import Resident
from models.satisfaction import AnswerRating, SatisfactionAsk, forget_comments
from models.types import utcnow
from models.updates import InboundUpdate, forget_updates, updates_of
from services.answers.attachments import forget_unsent
from services.answers.photo_cache import delete_cached_photos
from services.answers.satisfaction_keys import verdict_label
from services.core.config import AppConfig
from services.core.formats import moment
from services.core.texts import proposal_state_label, t
from services.intake.grouping import GroupingService, proper_names
from services.moderation.undo import forget_resident
from services.privacy.erasure import ERASED_TEXT, relabel, rewrite_digests, rewrite_records
from services.privacy.erasure_chats import Reach, reach_chats
from services.privacy.outbox_files import sweep_charts
from services.privacy.scrub import ERASED, Needles, scrub_everywhere

HANDLED = {"resident", "proposal", "reply", "cluster"}
SHOWN_CLUSTERS = 5  # clusters listed in the /data_saya message (all of them are in the JSON document)
TITLE_SHOWN = 80


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed (counts only)."""

    proposals: int
    supports: int
    rows_scrubbed: int
    chats: Reach = field(default_factory=Reach)  # messages in Telegram chats edited, deleted, out of reach


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
        **closing_the_loop(session=session, resident_id=resident.id or 0, tz=tz),
        "pesan_belum_diproses": [_update(u, tz) for u in updates_of(session=session, telegram_id=resident.telegram_id)
                                 if u.dead_at is not None or u.attempts] if resident.telegram_id is not None else [],
    }


def closing_the_loop(*, session: Session, resident_id: int, tz: ZoneInfo) -> dict[str, list[dict[str, Any]]]:
    """A resident's answers to "is it solved?" (with their comments) and their 👍/👎 on staff answers."""
    asks = session.exec(select(SatisfactionAsk, Cluster)
                        .join(Cluster, col(Cluster.id) == col(SatisfactionAsk.cluster_id))
                        .where(SatisfactionAsk.resident_id == resident_id).order_by(col(Cluster.id))).all()
    ratings = session.exec(select(AnswerRating, Cluster, Reply)
                           .join(Cluster, col(Cluster.id) == col(AnswerRating.cluster_id))
                           .join(Reply, col(Reply.id) == col(AnswerRating.reply_id))
                           .where(AnswerRating.resident_id == resident_id).order_by(col(Cluster.id))).all()
    return {
        "jawaban_penyelesaian": [{
            "kelompok": c.code, "judul": c.title, "ditanya": _when(a.queued_at, tz),
            "jawaban": verdict_label(a.verdict) if a.verdict else None, "dijawab": _when(a.answered_at, tz),
            "komentar": a.comment} for a, c in asks],
        "penilaian_jawaban": [{
            "kelompok": c.code, "judul": c.title, "nilai": t("rating_up" if r.value > 0 else "rating_down"),
            "waktu": _when(r.rated_at, tz), "jawaban_staf": _when(reply.created_at, tz)} for r, c, reply in ratings],
    }


def closing_the_loop_summary(data: dict[str, Any], shown: int = SHOWN_CLUSTERS) -> str:
    """The closing-the-loop part of the /data_saya message, per cluster (empty when there is none)."""
    answers = {a["kelompok"]: a for a in data["jawaban_penyelesaian"]}
    ratings = {r["kelompok"]: r for r in data["penilaian_jawaban"]}
    codes = list(dict.fromkeys([*answers, *ratings]))
    lines = [t("my_data_loop")] if codes else []
    for code in codes[:shown]:
        answer, rating = answers.get(code), ratings.get(code)
        lines.append(t("my_data_loop_cluster", code=code, title=(answer or rating or {})["judul"][:TITLE_SHOWN]))
        if answer is not None and answer["jawaban"] is not None:
            lines.append(t("my_data_loop_answer", verdict=answer["jawaban"], when=answer["dijawab"]))
        elif answer is not None:
            lines.append(t("my_data_loop_unanswered", when=answer["ditanya"]))
        if answer is not None and answer["komentar"]:
            lines.append(t("my_data_loop_comment", comment=answer["komentar"]))
        if rating is not None:
            lines.append(t("my_data_loop_rating", rating=rating["nilai"], when=rating["waktu"]))
    if len(codes) > shown:
        lines.append(t("my_data_loop_more", count=len(codes) - shown))
    return "\n".join(lines)


def _update(row: InboundUpdate, tz: ZoneInfo) -> dict[str, Any]:
    """A stored update that failed (waiting for a retry, or given up as a dead letter), as /data_saya shows it."""
    message = next((v for v in (row.payload or {}).values() if isinstance(v, dict)), {})
    return {"diterima": _when(row.received_at, tz), "gagal_diproses": row.dead_at is not None,
            "teks": message.get("text") or message.get("caption") or message.get("data"), "isi": row.payload}


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


def _texts(session: Session, resident: Resident) -> tuple[list[Proposal], list[Reply]]:
    """The resident's proposals and their own replies."""
    proposals = list(session.exec(select(Proposal).where(Proposal.resident_id == resident.id)).all())
    replies = list(session.exec(select(Reply).where(Reply.resident_id == resident.id,
                                                    col(Reply.from_staff).is_(False))).all())
    return proposals, replies


def _forget_follow(session: Session, resident_id: int, replies: list[Reply]) -> int:
    """Blank their replies, unfollow their clusters; return how many supports they had."""
    for reply in replies:
        reply.text = ERASED_TEXT
        reply.source_key = f"erased:{reply.id}" if reply.source_key else None
        session.add(reply)
    supports = list(session.exec(select(Support).where(Support.resident_id == resident_id)).all())
    for support in supports:
        support.following = False
        session.add(support)
    session.flush()
    return len(supports)


def _derived(session: Session, config: AppConfig, resident: Resident, proposals: list[Proposal],
             needles: Needles) -> tuple[list[Cluster], list[int]]:
    """Rebuild what was derived from their proposals (titles, keywords, digests, records); return the
    re-titled clusters and the rewritten digests."""
    erased = {p.id for p in proposals if p.id is not None}
    supported = set(session.exec(select(Support.cluster_id).where(Support.resident_id == resident.id)).all())
    clusters = {p.cluster_id for p in proposals if p.cluster_id is not None} | supported
    changes = relabel(session=session, erased=erased, clusters=clusters, needles=needles,
                      city_words=config.city.name.lower().split(), names=proper_names(config))
    digests = rewrite_digests(session=session, erased=erased, changes=changes, needles=needles)
    rewrite_records(session=session, erased=erased, changes=changes, needles=needles)
    ids = [c.cluster_id for c in changes if c.old_title != c.new_title]
    retitled = list(session.exec(select(Cluster).where(col(Cluster.id).in_(ids))).all()) if ids else []
    return retitled, digests


def erase_resident(
    *, session: Session, config: AppConfig, resident_id: int, grouping: GroupingService | None = None,
    charts: Path | None = None,
) -> Erasure:
    """Erase a resident's personal data for good, keeping anonymous counts (and every chart file in `charts`)."""
    resident = session.get(Resident, resident_id)
    if resident is None or resident.deleted_at is not None:
        return Erasure(0, 0, 0)
    proposals, replies = _texts(session, resident)
    erased = {p.id for p in proposals if p.id is not None}
    titles = session.exec(select(Cluster.title).where(col(Cluster.id).in_(
        derived_from(session=session, kind=Derived.TITLE, proposals=erased)))).all() if erased else []
    comments = forget_comments(session=session, resident_id=resident_id)  # "is it solved?" comments
    needles = Needles.of([t for p in proposals for t in (p.text_verbatim, p.text_redacted, p.text_clean)]
                         + [r.text for r in replies] + list(titles) + [str(c) for c in comments], resident.telegram_id)
    forget_unsent(session=session, proposals=proposals)  # their photos: queued copies and the web page's files
    delete_cached_photos(session=session, proposal_ids=erased)
    _erase_texts(session, grouping, proposals)
    retitled, digests = _derived(session, config, resident, proposals, needles)
    supports = _forget_follow(session, resident_id, replies)
    reach = reach_chats(session=session, config=config, resident_id=resident_id, erased=erased,
                        retitled=retitled, digests=digests, now=utcnow())
    if resident.telegram_id is not None:  # messages to them: their words and their chat id
        forget_updates(session=session, telegram_id=resident.telegram_id)
        session.connection().execute(delete(OutboxMessage).where(col(OutboxMessage.chat_id) == resident.telegram_id))
    resident.telegram_id, resident.consent_at, resident.active = None, None, False
    resident.deleted_at = utcnow()
    session.add(resident)
    forget_resident(session=session, resident_id=resident_id, proposal_ids=erased)
    scrubbed = scrub_everywhere(session=session, needles=needles, skip=HANDLED)  # the second net
    if charts is not None:  # a picture cannot be scrubbed: every chart goes
        sweep_charts(session=session, folder=charts, everything=True)
    record(session=session, actor="resident", action="erase", target=f"resident:{resident_id}",
           after={"proposals": len(proposals), "supports": supports, "text": ERASED})
    return Erasure(len(proposals), supports, scrubbed, reach)
