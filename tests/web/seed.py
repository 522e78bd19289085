"""A small city of clusters written straight to the database, and a logged-in test client."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from bot.settings import load_config
from models.audit import record
from models.clusters import Cluster, Support, create_cluster
from models.db import make_engine, session_scope, upgrade
from models.proposals import Proposal, ProposalState
from models.replies import Reply
from models.residents import Resident
from models.types import utcnow
from services.access.weblogin import make_link
from services.core.config import AppConfig
from tests.conftest import ROOT
from tests.services.digests.digest_data import committed_at
from web.app import create_app

ADMIN, STAFF, MOD_NORTH, MOD_SOUTH, RESIDENT = 5001, 5002, 5003, 5004, 5005
KEY = "test-signing-key-not-secret"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class City:
    """The seeded database and what the tests look for in it."""

    engine: Engine
    config: AppConfig
    codes: dict[str, str]  # name -> cluster code
    first_resident: int  # id of the first seeded resident ("Warga N")


def web_config(tmp: Path) -> AppConfig:
    """config.yaml with an admin, a staff member and one moderator each for the north and south forums."""
    config = load_config(ROOT / "config.yaml")
    forums = [f.model_copy(update={"moderator_ids": [MOD_NORTH] if f.id == "bontang-utara" else
                                   [MOD_SOUTH] if f.id == "bontang-selatan" else []}) for f in config.forums]
    telegram = config.telegram.model_copy(update={"admin_ids": [ADMIN], "staff_ids": [STAFF]})
    return config.model_copy(update={"forums": forums, "telegram": telegram, "data_dir": str(tmp / "data")})


SPECS = [  # name, title, forum, category, kelurahan of members, days ago of each member
    ("jalan", "Perbaikan jalan berlubang di Jl. Pattimura", "bontang-utara", "infrastruktur",
     ["Lok Tuan", "Lok Tuan", "Guntung"], [40, 3, 1]),
    ("air", "Air PDAM sering mati di Tanjung Laut", "bontang-selatan", "air_bersih",
     ["Tanjung Laut", "Tanjung Laut"], [20, 15]),
    ("sekolah", "Tambah ruang kelas SD di Kanaan", "bontang-barat", "pendidikan", ["Kanaan"], [2]),
]


def seed(url: str, tmp: Path) -> City:
    """Three clusters in three forums, residents, supports, one staff answer and one status change."""
    engine = make_engine(url)
    upgrade(engine)
    config, codes, now, first = web_config(tmp), {}, utcnow(), 0
    members = sorted((now - timedelta(days=age), n, i, place) for n, (_, _, _, _, places, ages) in enumerate(SPECS)
                     for i, (place, age) in enumerate(zip(places, ages, strict=True)))
    with session_scope(engine) as session:
        clusters = []
        for name, title, forum, category, _, ages in SPECS:
            cluster = create_cluster(session=session, title=title, home_forum_id=forum, category=category)
            assert cluster.id is not None and cluster.code is not None
            cluster.created_at = now - timedelta(days=max(ages))
            codes[name] = cluster.code
            clusters.append(cluster.id)
        people = {}
        for _, n, i, place in sorted(members, key=lambda m: (m[1], m[2])):  # residents in the order of SPECS
            chat = 800_000 + n * 10 + i
            people[n, i] = Resident(telegram_id=chat, kelurahan=place, forum_id=SPECS[n][2], consent_at=now)
            session.add(people[n, i])
            session.flush()
        first = people[0, 0].id or 0
        committed_at(session, members[0][0])
        for when, n, i, place in members:  # each aspiration its own transaction, in the order they came
            _, title, forum, category, _, _ = SPECS[n]
            resident = session.get(Resident, people[n, i].id)
            assert resident is not None and resident.id is not None and resident.telegram_id is not None
            text = f"{title}, hubungi 081234567890" if i == 0 else title
            session.add(Proposal(source_chat_id=resident.telegram_id, source_message_id=1, resident_id=resident.id,
                                 cluster_id=clusters[n], state=ProposalState.SUBMITTED, submitted_at=when,
                                 created_at=when, text_verbatim=text, text_clean=text.lower(),
                                 text_redacted=text.replace("081234567890", "[nomor telepon]"),
                                 kelurahan=place, forum_id=forum, category=category))
            session.add(Support(cluster_id=clusters[n], resident_id=resident.id, created_at=when))
            session.flush()
            committed_at(session, when)
        air = session.exec(  # the water cluster was answered and is being followed up
            select(Proposal.cluster_id).where(Proposal.kelurahan == "Tanjung Laut")).first()
        assert air is not None
        session.add(Reply(cluster_id=air, from_staff=True, text="Sudah kami teruskan ke PDAM.",
                          source_key="seed:1", created_at=now - timedelta(days=14)))
        water = session.get(Cluster, air)
        assert water is not None
        water.first_answer_at = now - timedelta(days=14)
        water.status = "diteruskan"
        record(session=session, actor=f"staff:{STAFF}", action="status", target=f"cluster:{water.code}",
               before={"status": "baru"}, after={"status": "diteruskan", "note": ""})
    return City(engine, config, codes, first)


def client_for(city: City) -> TestClient:
    """A test client of the web app over the seeded database."""
    return TestClient(create_app(config=city.config, engine=city.engine, key=KEY), base_url="http://127.0.0.1:8080")


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def login(client: TestClient, city: City, user_id: int) -> None:
    """Log in by link: open it, press the confirm button."""
    link = make_link(config=city.config, key=KEY, user_id=user_id).removeprefix(city.config.web.base_url)
    page = client.get(link)
    assert page.status_code == 200, page.text
    done = client.post(link, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303, done.text


def logged_in(city: City, user_id: int) -> Iterator[TestClient]:
    """A client with a session for a user."""
    with client_for(city) as client:
        login(client, city, user_id)
        yield client
