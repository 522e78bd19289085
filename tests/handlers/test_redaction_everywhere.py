"""Personal data in odd spellings, sent through the real Application: what staff, moderators, exports, the web
page and other residents' suggestions show carries none of it, and the cluster title is built from the
redacted text (normalising a chatty message once rejoined a phone number split by an invisible character)."""

import re
from datetime import date, datetime

from sqlmodel import Session, select
from starlette.testclient import TestClient

from bot.console import PERSONAS, Console
from handlers.deps import deps
from models.clusters import Cluster
from services.access.weblogin import make_link
from services.reports.exports import build_tables
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, post_to_staff
from tests.handlers.journey import onboard, press, proposals, submit
from tests.handlers.moderation_seed import MODERATOR, command
from tests.web.seed import csrf_of
from web.app import create_app

NEIGHBOUR = 900_201
KEY = "test-signing-key-not-secret"
CHATTY = ("pak tlg lampu jln d gg mawar mati, wa sy 0812\u180e3456\u180e7890 ya, sy Siti Rahmawati rmh di "
          "Jl. Melati No. 12 RT 05, email siti . rahma @ gmail . com, bantuan blm masuk rek BRI 1234-01-000123-50-1")
SIMILAR = "Lampu jalan di Gang Mawar Lok Tuan mati, gelap sekali kalau malam, tolong diperbaiki"
SECRETS = ("Siti", "Rahmawati", "rahma", "3456", "7890", "000123", "No. 12", "gmail", "1234-01")


def _web_pages(console: Console, code: str) -> list[str]:
    """The summary, list, cluster page and CSV export, as the admin sees them."""
    config, engine = deps(console.app).config, deps(console.app).engine
    admin = PERSONAS["admin"].user_id
    with TestClient(create_app(config=config, engine=engine, key=KEY), base_url=config.web.base_url) as client:
        link = make_link(config=config, key=KEY, user_id=admin).removeprefix(config.web.base_url)
        client.post(link, data={"csrf": csrf_of(client.get(link).text)}, follow_redirects=False)
        pages = [client.get(path) for path in ("/", "/kelompok", f"/kelompok/{code}", "/ekspor/kelompok.csv")]
    assert all(page.status_code == 200 for page in pages) and code in pages[2].text
    return [page.text for page in pages]


def _exported(console: Console) -> list[str]:
    """Every cell of the export tables but dates (a moment's microseconds may show any four digits)."""
    with Session(deps(console.app).engine) as session:
        tables = build_tables(session=session, config=deps(console.app).config)
    return [str(cell) for row in [*tables.clusters, *tables.aspirations, *tables.figures] for cell in row
            if not isinstance(cell, datetime | date)]


async def test_personal_data_in_odd_spellings_reaches_nobody(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, CHATTY)
    [mine] = [p for p in proposals(console) if p.cluster_id is not None]
    await onboard(console, NEIGHBOUR)
    await console.send(console.maker.text(NEIGHBOUR, SIMILAR))
    await press(console, NEIGHBOUR, "dukung:")
    await console.send(console.maker.text(NEIGHBOUR, "/status"))
    card = await post_to_staff(console, mine.cluster_id)
    await command(console, MODERATOR, "/ringkasan")
    await console.flush_outbox()
    with Session(deps(console.app).engine) as session:
        cluster = session.exec(select(Cluster).where(Cluster.id == mine.cluster_id)).one()
    shown = {"title": [cluster.title, cluster.keywords or ""], "staff": [card["text"], *console.api.texts(STAFF_CHAT)],
             "moderator": console.api.texts(MODERATOR), "neighbour": console.api.texts(NEIGHBOUR),
             "export": _exported(console), "web": _web_pages(console, str(cluster.code))}
    assert "Lampu jalan" in cluster.title and any(cluster.code in text for text in shown["neighbour"])
    leaks = {where: [s for s in SECRETS for text in texts if s in text] for where, texts in shown.items()}
    assert leaks == {where: [] for where in shown}
    assert not [text for texts in shown.values() for text in texts if re.search(r"0\s?8\d\d\D{0,3}\d{4}", text)]
