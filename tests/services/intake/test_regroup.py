"""Re-clustering proposes merges and splits to moderators and never moves anyone by itself."""

from sqlmodel import Session, select

from bot.settings import Settings
from models.clusters import Cluster, create_cluster
from models.db import make_engine, session_scope, upgrade
from models.proposals import Proposal
from models.residents import get_or_create_resident
from models.suggestions import RegroupSuggestion, SuggestionKind
from nlp.embed import Embedder
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.intake.regroup import refresh_clusters

SAME = [
    "Mohon perbaikan lampu penerangan jalan di Jl. Merdeka Guntung yang sudah mati dua minggu.",
    "lampu jln merdeka guntung mati semua min, gelap bgt klo malam",
    # Re-clustering proposes a merge only where it is sure (average linkage 0.45): the same request in other
    # words ("PJU ... padam total", linkage 0.35) is left to the resident's choice and the moderator.
    "Lampu penerangan jalan di Jalan Merdeka Guntung mati sudah dua minggu, gelap kalau malam. Mohon diperbaiki.",
]


def test_two_clusters_asking_the_same_are_proposed_for_merge_and_labelled(
    settings: Settings, embedder: Embedder
) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    grouping = GroupingService(settings.config, embedder)
    with session_scope(engine) as session:
        for i, text in enumerate(SAME):
            wrong_split = create_cluster(session=session, title="terpisah", home_forum_id=None) if i == 2 else None
            target = wrong_split.id if wrong_split else None
            resident = get_or_create_resident(session=session, telegram_id=700 + i)
            draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                         source_chat_id=700 + i, source_message_id=1, text=text)
            draft.offered_clusters = str(target or "")  # the resident was shown the wrong split and took it
            intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id or 0,
                           cluster_id=target)
        created, relabelled = refresh_clusters(session=session, grouping=grouping, config=settings.config)
    with Session(engine) as session:
        [suggestion] = session.exec(select(RegroupSuggestion)).all()
        assert suggestion.kind == SuggestionKind.MERGE and sorted(suggestion.cluster_ids) == [1, 2]
        assert [p.cluster_id for p in session.exec(select(Proposal).order_by(Proposal.id))] == [1, 1, 2]
        cluster = session.get(Cluster, 1)
        assert cluster is not None and "lampu" in cluster.keywords and cluster.category == "infrastruktur"
    assert (created, relabelled) == (1, 2)
    with session_scope(engine) as session:  # the same disagreement is not proposed twice
        assert refresh_clusters(session=session, grouping=grouping, config=settings.config)[0] == 0
    engine.dispose()
