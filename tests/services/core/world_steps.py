"""Steps that build a world through the real services, one committed transaction each (as the bot does)."""

from datetime import timedelta
from io import BytesIO
from itertools import count
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session

from models.clusters import Cluster
from models.proposals import Proposal
from models.residents import Resident, set_kelurahan
from models.types import utcnow
from services.core.config import AppConfig
from services.digests.periods import DigestData, build_digest
from services.intake.drafts import confirm, save_draft
from services.intake.grouping import GroupingService
from services.moderation.merge_split import Actor
from services.reports.exports import FIGURES_SHEET, ExportTables, write_xlsx

_ids = count(810_000)
ADMIN = Actor("admin:1", frozenset({"bontang-utara", "bontang-selatan", "bontang-barat"}))


def resident(session: Session, config: AppConfig, kelurahan: str) -> Resident:
    """A consenting resident of a kelurahan (committed)."""
    row = Resident(telegram_id=next(_ids), consent_at=utcnow())
    session.add(row)
    session.flush()
    move(session, config, row, kelurahan)
    return row


def move(session: Session, config: AppConfig, row: Resident, kelurahan: str) -> None:
    """The resident's /kelurahan: a new kelurahan and its forum (committed)."""
    forum = next((f.id for f in config.forums if kelurahan in f.kelurahan), None)
    set_kelurahan(session=session, resident=row, kelurahan=kelurahan, forum_id=forum)
    session.commit()


def send(session: Session, grouping: GroupingService, who: Resident, text: str, *, new: bool = False,
         pin: tuple[float, float] | None = None, photo: bool = False) -> Proposal:
    """A resident sends a text (as a photo's caption, with a location pin after it) and presses Kirim (or Kirim
    sebagai usulan baru), committed."""
    assert who.telegram_id is not None
    message = next(_ids)
    draft, _ = save_draft(session=session, grouping=grouping, resident=who, source_chat_id=who.telegram_id,
                          source_message_id=message, text=text,
                          photo_file_id=f"AgACAgUAAxkBAAI{message}" if photo else None)
    assert draft.id is not None
    if pin is not None:  # as handlers.intake.location attaches it to the draft
        draft.latitude, draft.longitude = pin
    confirm(session=session, grouping=grouping, resident=who, proposal_id=draft.id, new_cluster=new)
    session.commit()
    session.refresh(draft)
    return draft


def code_of(session: Session, proposal: Proposal) -> str:
    """The code of the cluster a proposal is in now."""
    session.refresh(proposal)
    cluster = session.get(Cluster, proposal.cluster_id)
    assert cluster is not None and cluster.code is not None
    return cluster.code


def digest_now(session: Session, config: AppConfig, forum_id: str) -> DigestData:
    """The forum's digest of its running period, built now (what /ringkasan shows)."""
    from services.digests.periods import running_period

    start, _ = running_period(session=session, forum_id=forum_id, now=utcnow())
    end = utcnow() + timedelta(seconds=1)
    return build_digest(session=session, config=config, forum_id=forum_id, period_end=end, now=end,
                        period_start_at=start)


def xlsx_figures(tables: ExportTables) -> dict[str, Any]:
    """The Ringkasan sheet of the XLSX export, read back from the file."""
    out = BytesIO()
    write_xlsx(tables, out)
    sheet = load_workbook(BytesIO(out.getvalue()))[FIGURES_SHEET]
    return {str(row[0]): row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
