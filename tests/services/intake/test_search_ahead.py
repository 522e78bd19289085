"""A draft's similar search made before the draft is stored (off the ordered part of intake) offers the same."""

from dataclasses import replace

from sqlmodel import Session

from models.residents import get_or_create_resident, set_kelurahan
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from tests.services.conftest import LAMP


def _resident(session: Session, who: int):  # type: ignore[no-untyped-def]
    resident = get_or_create_resident(session=session, telegram_id=who)
    set_kelurahan(session=session, resident=resident, kelurahan="Guntung", forum_id="bontang-utara")
    return resident


def test_a_search_made_ahead_offers_what_a_search_of_the_stored_draft_offers(
    world: tuple[Session, GroupingService],
) -> None:
    session, grouping = world
    first = _resident(session, 1)
    draft, _ = intake.save_draft(session=session, grouping=grouping, resident=first, source_chat_id=1,
                                 source_message_id=1, text=LAMP[0])
    assert draft.id is not None
    intake.confirm(session=session, grouping=grouping, resident=first, proposal_id=draft.id)
    second = _resident(session, 2)
    prepared = grouping.prepare(LAMP[1])
    ahead = intake.search_ahead(grouping, prepared, second.kelurahan, 3)
    draft, _ = intake.save_draft(session=session, grouping=grouping, resident=second, source_chat_id=2,
                                 source_message_id=1, text=LAMP[1], prepared=prepared)
    searched = intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3)
    assert searched and intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3,
                                                ahead=ahead) == searched
    nothing = replace(ahead, found=())
    assert intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3, ahead=nothing) == []
    elsewhere = replace(nothing, prepared=replace(nothing.prepared, home="Lok Tuan"))  # not this draft's search
    assert intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3,
                                   ahead=elsewhere) == searched
    short = replace(nothing, k=3)  # not far enough past the resident's own clusters: searched again
    assert intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3, ahead=short) == searched
