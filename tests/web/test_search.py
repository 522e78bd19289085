"""Search finds words in members' texts and keywords (filled for every cluster), and a merged cluster's old link
leads to the cluster it joined."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from bot.console import PERSONAS, Console
from handlers.deps import deps
from models.clusters import Cluster
from models.db import session_scope
from models.proposals import Proposal, ProposalState
from services.access.weblogin import make_link, signing_key
from services.intake.labelling import fill_keywords
from tests.handlers.journey import onboard, submit
from tests.web.seed import STAFF, City, csrf_of, logged_in
from web.app import create_app

GUTTER = "Got di gang Mawar sudah mampet, air meluap ke rumah warga tiap hujan, mohon dikeruk."
LAMPS = "Lampu PJU di Jl. Pattimura padam semua, gelap dan rawan begal, mohon diganti."


@pytest.fixture
def staff(city: City) -> Iterator[TestClient]:
    yield from logged_in(city, STAFF)


def cluster_of(city: City, name: str) -> Cluster:
    """A seeded cluster by its name in the seed."""
    with Session(city.engine) as session:
        found = session.exec(select(Cluster).where(Cluster.code == city.codes[name])).one()
        session.expunge(found)
        return found


def test_search_finds_words_in_members_texts(city: City, staff: TestClient) -> None:
    jalan = cluster_of(city, "jalan")
    with session_scope(city.engine) as session:  # a member whose words are in no title
        session.add(Proposal(source_chat_id=1, source_message_id=2, cluster_id=jalan.id, text_clean=LAMPS.lower(),
                             text_redacted=LAMPS, state=ProposalState.SUBMITTED, kelurahan="Lok Tuan"))
    for query in ("PJU", "pju", "padam begal"):
        page = staff.get("/kelompok", params={"q": query}).text
        assert "1 kelompok ditemukan" in page and city.codes["jalan"] in page, query
    assert "0 kelompok ditemukan" in staff.get("/kelompok", params={"q": "PJU mampet"}).text


def test_every_cluster_gets_keywords_and_search_reads_them(city: City, staff: TestClient) -> None:
    with session_scope(city.engine) as session:
        assert fill_keywords(session=session) == 3  # the seeded clusters had none
        clusters = session.exec(select(Cluster)).all()
        keywords = {c.code: c.keywords for c in clusters}
        assert all(keywords.values()), keywords
        assert "mohon" not in " ".join(keywords.values()).split(", ")
        air = next(c for c in clusters if c.code == city.codes["air"])
        air.title = "Keluhan warga"  # the words stay findable through the keywords
        session.add(air)
    word = keywords[city.codes["air"]].split(", ")[0]
    page = staff.get("/kelompok", params={"q": word}).text
    assert city.codes["air"] in page


def test_a_merged_clusters_old_link_leads_to_the_cluster_it_joined(city: City, staff: TestClient) -> None:
    jalan, air, sekolah = (cluster_of(city, name) for name in ("jalan", "air", "sekolah"))
    with session_scope(city.engine) as session:  # sekolah joined air, which later joined jalan
        for source, target in ((sekolah, air), (air, jalan)):
            merged = session.get(Cluster, source.id)
            assert merged is not None
            merged.merged_into_id = target.id
            session.add(merged)
    moved = staff.get(f"/kelompok/{city.codes['sekolah']}", follow_redirects=False)
    assert moved.status_code == 302 and moved.headers["location"].endswith(f"/kelompok/{city.codes['jalan']}")
    assert staff.get(f"/kelompok/{city.codes['sekolah']}").status_code == 200
    assert staff.get("/kelompok/K-9999").status_code == 404


async def test_a_new_cluster_has_keywords_and_is_found_by_its_words(console: Console, tmp_path: Path) -> None:
    await onboard(console, 900_301)
    await submit(console, 900_301, GUTTER)
    d = deps(console.app)
    with Session(d.engine) as session:
        [cluster] = session.exec(select(Cluster)).all()
    assert cluster.keywords and ("got" in cluster.keywords or "mampet" in cluster.keywords), cluster.keywords
    app = create_app(config=d.config, engine=d.engine, key=signing_key(Path(d.config.data_dir)))
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        link = make_link(config=d.config, key=signing_key(Path(d.config.data_dir)),
                         user_id=PERSONAS["staf"].user_id).removeprefix("http://127.0.0.1:8080")
        client.post(link, data={"csrf": csrf_of(client.get(link).text)})
        page = client.get("/kelompok", params={"q": "got mampet"}).text
        assert "1 kelompok ditemukan" in page and str(cluster.code) in page


async def test_erasure_takes_the_residents_words_out_of_the_keywords(console: Console) -> None:
    from models.residents import Resident
    from services.privacy.rights import erase_resident

    await onboard(console, 900_302)
    await submit(console, 900_302, GUTTER)
    d = deps(console.app)
    with session_scope(d.engine) as session:
        [cluster] = session.exec(select(Cluster)).all()
        assert "got" in cluster.keywords.split(", ")
        resident = session.exec(select(Resident).where(Resident.telegram_id == 900_302)).one()
        assert resident.id is not None
        erase_resident(session=session, config=d.config, resident_id=resident.id, grouping=d.grouping)
    with Session(d.engine) as session:
        assert session.exec(select(Cluster.keywords)).one() == ""  # no member left to speak for it
