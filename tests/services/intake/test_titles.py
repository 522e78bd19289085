"""Titles people read: places and acronyms keep their capitals, a request keeps its subject, slang reads as
standard Indonesian, and every path that makes a cluster (intake, /pisah) titles it the same way."""

from sqlmodel import Session

from models.clusters import Cluster
from models.proposals import Proposal
from models.residents import get_or_create_resident, set_kelurahan
from nlp.labels import readable_title
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.moderation import merge_split as moderation
from services.moderation.merge_split import Actor

MODERATOR = Actor(name="moderator:9", forums=frozenset({"bontang-selatan"}))
NAMES = ("Bontang Kuala", "Tanjung Laut", "Ahmad Yani")


def test_a_passive_request_keeps_its_request_word() -> None:
    title = readable_title("Kami mohon dibangun taman bermain anak di bontang kuala karena anak-anak main di jalan",
                           100, NAMES)
    assert title.startswith("Mohon dibangun taman bermain anak di Bontang Kuala")


def test_chat_intensifier_reads_as_formal_indonesian() -> None:
    title = readable_title("lampu jalan gelap bgt kalau malam di gang mawar tanjung laut", 100, NAMES)
    assert "gelap sekali" in title and "sangat" not in title
    assert "Gang Mawar Tanjung Laut" in title


def test_acronyms_keep_their_capitals_and_the_address_goes() -> None:
    assert readable_title("bansos pkh gak cair2 min", 100, NAMES) == "Bansos PKH tidak cair-cair"
    assert readable_title("Air pdam di rt 05 keruh", 100, NAMES) == "Air PDAM di RT 05 keruh"
    assert readable_title("mohon diperbaiki jalan ahmad yani berlubang", 100, NAMES) == (
        "Mohon diperbaiki Jalan Ahmad Yani berlubang")


def test_acronyms_written_in_capitals_survive_chat_spelling() -> None:
    title = readable_title("Dinas PU tolong cek got mampet bgt di gg mawar min, udh seminggu", 100, NAMES)
    assert title.startswith("Dinas PU") and "punya" not in title and "Gang Mawar" in title
    assert "admin" not in title and "min" not in title.split()


def test_root_words_starting_with_di_are_not_passive_verbs() -> None:
    assert readable_title("Dinas kebersihan jarang angkut sampah", 100, NAMES).startswith("Dinas kebersihan")


def _submit(session: Session, grouping: GroupingService, who: int, text: str) -> Proposal:
    resident = get_or_create_resident(session=session, telegram_id=who)
    set_kelurahan(session=session, resident=resident, kelurahan="Tanjung Laut", forum_id="bontang-selatan")
    draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident, source_chat_id=who,
                                 source_message_id=1, text=text)
    assert draft.id is not None
    done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id,
                          new_cluster=True)
    assert isinstance(done, intake.Submitted)
    return draft


def test_intake_and_pisah_title_clusters_the_same_way(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    slang = "lampu jln di gang mawar tanjung laut mati, gelap bgt klo malam min"
    first = _submit(session, grouping, 1, slang)
    other = _submit(session, grouping, 2, "Bansos pkh untuk lansia di Tanjung Laut belum cair tiga bulan")
    opened = session.get(Cluster, first.cluster_id)
    assert opened is not None and opened.title == grouping.title(first.text_redacted)
    assert "Tanjung Laut" in opened.title and "bgt" not in opened.title and "jln" not in opened.title
    assert session.get(Cluster, other.cluster_id).title.startswith("Bansos PKH")  # type: ignore[union-attr]
    moderation.merge(session=session, grouping=grouping, actor=MODERATOR, keep_code=str(opened.code),
                     absorb_code=str(session.get(Cluster, other.cluster_id).code))  # type: ignore[union-attr]
    moved = moderation.split(session=session, grouping=grouping, actor=MODERATOR, proposal_code=str(first.code),
                             target_code=None)
    split_off = session.get(Cluster, session.get(Proposal, first.id).cluster_id)  # type: ignore[union-attr]
    assert split_off is not None and split_off.code == moved.kept_code
    assert split_off.title == grouping.title(first.text_redacted)
    assert "gelap sekali" in split_off.title and "Mawar" in split_off.title and "klo" not in split_off.title
