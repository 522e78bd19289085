"""Photos and location pins residents attach: the "📷 2 · 📍 1" badge staff and moderators see, map links, and
the photos sent on request to the staff chat (or a moderator's chat) by Telegram file id, never with the sender.
"""

from sqlmodel import Session, col, select

from models.attachments import Attached, Counts, attachments
from models.clusters import Cluster
from models.outbox import OutboxBase, OutboxMessage, OutboxMethod, OutboxPurpose, OutboxState, enqueue
from models.proposals import Proposal
from services.core import payloads
from services.core.counting import Scope, attachment_counts
from services.core.texts import t

MAP_ZOOM = 18

__all__ = ["Counts", "badge", "cluster_badges", "coordinates", "forget_unsent",
           "map_link", "queue_attachments"]


def badge(counts: Counts | None) -> str:
    """"📷 2 · 📍 1" (only what there is), or "" when the cluster has neither."""
    if counts is None:
        return ""
    parts = [t("attachments_photos", count=counts.photos)] if counts.photos else []
    parts += [t("attachments_pins", count=counts.pins)] if counts.pins else []
    return f" {t('attachments_separator')} ".join(parts)


def cluster_badges(*, session: Session, cluster_ids: list[int]) -> dict[int, str]:
    """The badge of each cluster that has photos or pins (services.core.counting's figures)."""
    counts = attachment_counts(session, Scope(cluster_ids=frozenset(cluster_ids)))
    return {cid: badge(c) for cid, c in counts.items()}


def coordinates(latitude: float, longitude: float) -> str:
    """A pin as people read it: "0.13360, 117.48560"."""
    return f"{latitude:.5f}, {longitude:.5f}"


def map_link(latitude: float, longitude: float) -> str:
    """An OpenStreetMap link that centres a marker on the pin."""
    return (f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
            f"#map={MAP_ZOOM}/{latitude:.5f}/{longitude:.5f}")


def _pins_text(code: str, pins: list[Attached]) -> str:
    """One message listing a cluster's pins with their map links."""
    lines = [t("attachments_pins_header", code=code, count=len(pins))]
    lines += [t("attachments_pin_item", asp=a.code, kelurahan=a.kelurahan or "-",
                where=coordinates(a.latitude or 0.0, a.longitude or 0.0),
                link=map_link(a.latitude or 0.0, a.longitude or 0.0)) for a in pins]
    return "\n".join(lines)


def queue_attachments(*, session: Session, cluster: Cluster, family: list[int], chat_id: int, request_key: str,
                      thread_id: int | None = None) -> Counts:
    """Queue a cluster's photos (by file id, captioned with codes and kelurahan only) and its pins for one chat."""
    assert cluster.id is not None and cluster.code is not None
    found = attachments(session=session, cluster_ids=family)
    photos = [a for a in found if a.photo_file_id]
    pins = [a for a in found if a.latitude is not None and a.longitude is not None]
    thread = {} if thread_id is None else {"message_thread_id": thread_id}
    for number, item in enumerate(photos, 1):
        caption = t("attachments_photo_caption", code=cluster.code, asp=item.code, kelurahan=item.kelurahan or "-",
                    number=number, total=len(photos))
        enqueue(session=session, message=OutboxBase(
            dedupe_key=f"attach:{request_key}:{item.proposal_id}", chat_id=chat_id, method=OutboxMethod.SEND_PHOTO,
            payload=payloads.photo(str(item.photo_file_id), caption, **thread), cluster_id=cluster.id,
            purpose=OutboxPurpose.ATTACHMENT))
    if pins:
        enqueue(session=session, message=OutboxBase(
            dedupe_key=f"attach:{request_key}:pins", chat_id=chat_id,
            payload=payloads.message(_pins_text(cluster.code, pins), **thread), cluster_id=cluster.id,
            purpose=OutboxPurpose.ATTACHMENT))
    return Counts(len(photos), len(pins))


def forget_unsent(*, session: Session, proposals: list[Proposal]) -> int:
    """Drop queued, unsent photos of these proposals (an erasure): their file ids must not go out afterwards."""
    file_ids = {p.photo_file_id for p in proposals if p.photo_file_id}
    if not file_ids:
        return 0
    rows = session.exec(select(OutboxMessage).where(
        OutboxMessage.purpose == OutboxPurpose.ATTACHMENT, OutboxMessage.method == OutboxMethod.SEND_PHOTO,
        col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.SENDING]))).all()
    gone = [row for row in rows if row.payload.get("photo") in file_ids]
    for row in gone:
        session.delete(row)
    return len(gone)
