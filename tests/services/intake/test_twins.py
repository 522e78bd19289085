"""The machine joins two clusters nobody has decided about when a new message shows they ask for the same thing."""


import pytest
from sqlmodel import Session, select

from models.clusters import Cluster
from models.outbox import OutboxMessage
from models.residents import get_or_create_resident, set_kelurahan
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.moderation import curation
from services.moderation.merge_split import Actor
from tests.services.conftest import LAMP

MODERATOR = Actor(name="moderator:9", forums=frozenset({"bontang-utara"}))



def _send(session: Session, grouping: GroupingService, who: int, text: str, *, shown: bool = False,
          **choice: object) -> int:
    """One resident's proposal; `shown`: the bot showed similar clusters first (the resident then chose)."""
    resident = get_or_create_resident(session=session, telegram_id=who)
    set_kelurahan(session=session, resident=resident, kelurahan="Guntung", forum_id="bontang-utara")
    draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident, source_chat_id=who,
                                 source_message_id=1, text=text)
    assert draft.id is not None
    if shown:
        intake.offer_similar(session=session, grouping=grouping, proposal_id=draft.id, k=3)
    done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id,
                          **choice)  # type: ignore[arg-type]
    assert isinstance(done, intake.Submitted)
    return done.cluster.id


def _two_clusters_of_one_request(session: Session, grouping: GroupingService, *,
                                 shown: bool = False) -> tuple[int, int]:
    """Two clusters asking for the same street lights (the second opened without choosing the first)."""
    first = _send(session, grouping, 1, LAMP[0])
    second = _send(session, grouping, 2, LAMP[1], shown=shown, new_cluster=True)
    assert first != second
    return first, second


def _notices(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "moderation")).all())


def test_a_message_nobody_chose_for_joins_twin_clusters_into_the_older(
    world: tuple[Session, GroupingService],
) -> None:
    session, grouping = world
    first, second = _two_clusters_of_one_request(session, grouping)
    third = _send(session, grouping, 3, LAMP[2])  # machine alone (e.g. nothing was shown)
    assert third == first
    older, newer = session.get(Cluster, first), session.get(Cluster, second)
    assert older is not None and newer is not None
    assert newer.merged_into_id == first and older.merged_into_id is None
    assert [n.chat_id for n in _notices(session)] == [2]  # the resident of the joined cluster, not the author
    assert newer.code in _notices(session)[0].payload["text"] and older.code in _notices(session)[0].payload["text"]


def test_clusters_a_resident_chose_apart_are_not_joined(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    _, second = _two_clusters_of_one_request(session, grouping, shown=True)  # shown the first, declined it
    _send(session, grouping, 3, LAMP[2])
    assert session.get(Cluster, second).merged_into_id is None  # type: ignore[union-attr]
    assert _notices(session) == []


@pytest.mark.parametrize("decision", ["rename", "hide", "recategorise"])
def test_a_cluster_a_moderator_acted_on_is_not_joined(world: tuple[Session, GroupingService], decision: str) -> None:
    session, grouping = world
    first, second = _two_clusters_of_one_request(session, grouping)
    code = session.get(Cluster, second).code or ""  # type: ignore[union-attr]
    if decision == "rename":
        curation.rename(session=session, actor=MODERATOR, code=code, title="Lampu Jalan Merdeka (RT 5)")
    elif decision == "hide":
        curation.hide(session=session, grouping=grouping, actor=MODERATOR, code=code)
    else:
        curation.recategorise(session=session, actor=MODERATOR, code=code, category="lainnya")
    _send(session, grouping, 3, LAMP[2])
    assert session.get(Cluster, second).merged_into_id is None  # type: ignore[union-attr]
    assert session.get(Cluster, first).merged_into_id is None  # type: ignore[union-attr]


def test_a_resident_who_supports_a_cluster_joins_only_that_cluster(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    _, second = _two_clusters_of_one_request(session, grouping)
    assert _send(session, grouping, 3, LAMP[2], shown=True, cluster_id=second) == second  # Dukung: their choice
    assert session.get(Cluster, second).merged_into_id is None  # type: ignore[union-attr]


def test_clusters_of_different_forums_are_not_joined(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    first, second = _two_clusters_of_one_request(session, grouping)
    cluster = session.get(Cluster, second)
    assert cluster is not None
    cluster.home_forum_id = "bontang-selatan"  # its moderators own it
    session.add(cluster)
    _send(session, grouping, 3, LAMP[2])
    assert cluster.merged_into_id is None and session.get(Cluster, first).merged_into_id is None  # type: ignore[union-attr]
