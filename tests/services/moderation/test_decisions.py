"""Decisions people make stick: a declined cluster, a resident's own cluster, a hidden one, a moderator's title."""

from sqlmodel import Session

from bot.settings import Settings
from models.clusters import Cluster
from models.residents import get_or_create_resident, set_kelurahan
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.intake.regroup import refresh_clusters
from services.moderation import curation
from services.moderation.merge_split import Actor
from tests.services.conftest import LAMP


def _draft(session: Session, grouping: GroupingService, who: int, text: str, number: int = 1):  # type: ignore[no-untyped-def]
    resident = get_or_create_resident(session=session, telegram_id=who)
    set_kelurahan(session=session, resident=resident, kelurahan="Guntung", forum_id="bontang-utara")
    draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident, source_chat_id=who,
                                 source_message_id=number, text=text)
    return resident, draft


def _send(session: Session, grouping: GroupingService, who: int, text: str, number: int = 1, **choice) -> int:  # type: ignore[no-untyped-def]
    resident, draft = _draft(session, grouping, who, text, number)
    intake.offer_similar(session=session, grouping=grouping, proposal_id=draft.id, k=3)  # as the bot shows them
    done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id, **choice)
    assert isinstance(done, intake.Submitted)
    return done.cluster.id


def test_send_as_new_never_joins_a_declined_cluster(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    first = _send(session, grouping, 1, LAMP[0])
    title = session.get(Cluster, first).title  # type: ignore[union-attr]
    _, draft = _draft(session, grouping, 2, LAMP[1])
    shown = [c.id for c in intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3)]
    assert shown == [first]  # the machine alone would join it ...
    assert grouping.assign(intake.prepared_of(draft)) == first
    resident = get_or_create_resident(session=session, telegram_id=2)
    done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id or 0,
                          new_cluster=True)  # ... but the resident pressed "Kirim sebagai usulan baru"
    assert isinstance(done, intake.Submitted) and done.cluster.id != first
    assert session.get(Cluster, first).title == title  # type: ignore[union-attr]


def test_suggestions_never_offer_the_residents_own_cluster(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    mine = _send(session, grouping, 1, LAMP[0])
    _, again = _draft(session, grouping, 1, LAMP[2], number=2)
    assert intake.similar_clusters(session=session, grouping=grouping, proposal=again, k=3) == []
    _, other = _draft(session, grouping, 2, LAMP[2])
    assert [c.id for c in intake.similar_clusters(session=session, grouping=grouping, proposal=other, k=3)] == [mine]


def test_suggestions_never_offer_a_hidden_or_merged_cluster(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    hidden = _send(session, grouping, 1, LAMP[0])
    cluster = session.get(Cluster, hidden)
    assert cluster is not None
    cluster.hidden = True  # a moderator hid it; the index may not know yet
    session.add(cluster)
    _, draft = _draft(session, grouping, 2, LAMP[1])
    assert intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3) == []
    cluster.hidden, cluster.merged_into_id = False, _send(session, grouping, 3, "Sampah menumpuk di pasar")
    session.add(cluster)
    assert intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3) == []


def test_an_almost_empty_database_offers_nothing_unrelated(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    _send(session, grouping, 1, LAMP[0])
    _, draft = _draft(session, grouping, 2, "Mohon bantuan sembako untuk para lansia yang tinggal sendiri")
    assert intake.similar_clusters(session=session, grouping=grouping, proposal=draft, k=3) == []


def test_moderator_title_and_category_are_kept_after_regroup(
    world: tuple[Session, GroupingService], settings: Settings
) -> None:
    session, grouping = world
    cluster_id = _send(session, grouping, 1, LAMP[0])
    _send(session, grouping, 2, LAMP[1], cluster_id=cluster_id)
    untouched = _send(session, grouping, 3, "Mohon perbaikan jalan berlubang di Jalan Cut Nyak Dien Guntung")
    moderator = Actor(name="moderator:9", forums=frozenset({"bontang-utara"}))
    code = session.get(Cluster, cluster_id).code  # type: ignore[union-attr]
    curation.rename(session=session, actor=moderator, code=code or "", title="Lampu Jalan Merdeka")
    curation.recategorise(session=session, actor=moderator, code=code or "", category="lainnya")
    session.get(Cluster, untouched).title = "sementara"  # type: ignore[union-attr]
    refresh_clusters(session=session, grouping=grouping, config=settings.config)
    kept = session.get(Cluster, cluster_id)
    assert kept is not None and (kept.title, kept.category) == ("Lampu Jalan Merdeka", "lainnya")
    assert kept.title_set_by_moderator and kept.category_set_by_moderator
    assert session.get(Cluster, untouched).title != "sementara"  # type: ignore[union-attr]  # nobody named it
