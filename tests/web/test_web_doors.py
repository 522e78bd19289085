"""Doors of the web page: logout and expiry end the session on the server, redirects go to web.base_url
whatever Host a client sends, HSTS over https, and no access log line carries a login token or search text."""

import asyncio
import logging
import re
import socket
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from bot.serve import web_server
from handlers.retention import WEB_SESSION_MAX_HOURS, purge_now
from models.websessions import WebSession
from services.access.weblogin import make_link
from tests.web.seed import ADMIN, KEY, STAFF, City, client_for, csrf_of, login
from web.app import COOKIE, create_app


def test_logout_ends_the_session_on_the_server(city: City) -> None:
    with client_for(city) as client:
        login(client, city, STAFF)
        stolen = client.cookies[COOKIE]
        page = client.get("/")
        assert client.post("/keluar", data={"csrf": csrf_of(page.text)}).status_code == 200
    with client_for(city) as other:  # the cookie as it was before logout, replayed
        other.cookies.set(COOKIE, stolen)
        assert other.get("/").status_code == 401 and other.get("/kelompok").status_code == 401


def test_sessions_long_over_are_deleted_by_the_retention_purge(city: City) -> None:
    with client_for(city) as client:
        login(client, city, STAFF)
        login(client, city, ADMIN)
    with Session(city.engine) as session:
        first, second = session.exec(select(WebSession).order_by(col(WebSession.started_at))).all()
        first.started_at -= timedelta(hours=WEB_SESSION_MAX_HOURS + 1)
        session.add(first)
        kept = second.id
        session.commit()
    purge_now(city.engine, city.config.retention.verbatim_days)
    with Session(city.engine) as session:
        assert [row.id for row in session.exec(select(WebSession))] == [kept]


def test_redirects_use_base_url_not_the_host_header(city: City) -> None:
    link = make_link(config=city.config, key=KEY, user_id=ADMIN).removeprefix(city.config.web.base_url)
    with client_for(city) as client:
        page = client.get(link, headers={"host": "evil.example"})
        done = client.post(link, data={"csrf": csrf_of(page.text)}, headers={"host": "evil.example"},
                           follow_redirects=False)
        assert done.status_code == 303
        assert done.headers["location"] == city.config.web.base_url + "/"
        code = city.codes["jalan"]
        page = client.get(f"/kelompok/{code}")
        form_id = re.search(r'name="form_id" value="([^"]+)s"', page.text)
        assert form_id is not None
        moved = client.post(f"/kelompok/{code}/status", headers={"host": "evil.example"}, follow_redirects=False,
                            data={"csrf": csrf_of(page.text), "form_id": form_id.group(1) + "s",
                                  "status": "ditinjau", "note": ""})
        assert moved.headers["location"] == f"{city.config.web.base_url}/kelompok/{code}"


def test_hsts_only_when_the_page_is_served_over_https(city: City) -> None:
    assert "strict-transport-security" not in client_for(city).get("/").headers
    web = city.config.web.model_copy(update={"base_url": "https://aspirasi.example.id"})
    config = city.config.model_copy(update={"web": web})
    with TestClient(create_app(config=config, engine=city.engine, key=KEY),
                    base_url="https://aspirasi.example.id") as client:
        assert "max-age=" in client.get("/").headers["strict-transport-security"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _serve_and_ask(city: City, paths: list[str]) -> list[int]:
    """Serve the page on a real uvicorn listener (as `aspirasi web` does) and request each path."""
    port = _free_port()
    server = web_server(create_app(config=city.config, engine=city.engine, key=KEY), host="127.0.0.1", port=port)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            return [(await client.get(path)).status_code for path in paths]
    finally:
        server.should_exit = True
        await task


async def test_the_access_log_records_no_login_token_and_no_search_text(
        city: City, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    token = make_link(config=city.config, key=KEY, user_id=STAFF).rsplit("/", 1)[1]
    caplog.set_level(logging.INFO)
    statuses = await _serve_and_ask(city, [f"/masuk/{token}", "/kelompok?q=Siti+Rahmawati+Gang+Kenanga"])
    assert statuses == [200, 401]
    out, err = capfd.readouterr()
    everything = out + err + caplog.text
    assert token not in everything and token[:20] not in everything
    assert "Rahmawati" not in everything and "Kenanga" not in everything
    assert "GET /masuk/* 200" in caplog.text and "GET /kelompok 401" in caplog.text
