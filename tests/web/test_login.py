"""Login by link: GET never spends it; expired, reused, forged and role-less links fail; sessions expire."""

import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.websessions import WebSession
from services.access.weblogin import LoginError, make_link
from tests.web.seed import ADMIN, KEY, MOD_NORTH, RESIDENT, STAFF, City, client_for, csrf_of, login


def _path(city: City, user_id: int) -> str:
    return make_link(config=city.config, key=KEY, user_id=user_id).removeprefix(city.config.web.base_url)


def test_opening_the_link_does_not_spend_it(city: City) -> None:
    path = _path(city, STAFF)
    with client_for(city) as client:
        for _ in range(3):  # link previews and re-opening only show the button
            page = client.get(path)
            assert page.status_code == 200 and "Masuk sekarang" in page.text
        done = client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"].endswith("/")
        cookie = done.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert "staf perencanaan" in client.get("/").text


def test_a_link_works_once(city: City) -> None:
    path = _path(city, MOD_NORTH)
    with client_for(city) as first:
        login_page = first.get(path)
        assert first.post(path, data={"csrf": csrf_of(login_page.text)}).status_code == 200
    with client_for(city) as second:
        page = second.get(path)
        again = second.post(path, data={"csrf": csrf_of(page.text)})
        assert again.status_code == 400 and "sudah dipakai" in again.text
        assert second.get("/").status_code == 401


def test_an_expired_link_is_refused(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as past:
        made = time.time() - 11 * 60
        past.setattr(time, "time", lambda: made)
        path = _path(city, STAFF)
    with client_for(city) as client:
        page = client.get(path)
        assert page.status_code == 400 and "kedaluwarsa" in page.text and "Masuk sekarang" not in page.text


def test_forged_and_role_less_links_are_refused(city: City) -> None:
    with pytest.raises(LoginError):
        make_link(config=city.config, key=KEY, user_id=RESIDENT)  # residents get no link
    forged = make_link(config=city.config, key="another-key", user_id=ADMIN).removeprefix(city.config.web.base_url)
    path = _path(city, MOD_NORTH)
    no_longer = city.config.model_copy(update={"forums": [f.model_copy(update={"moderator_ids": []})
                                                          for f in city.config.forums]})
    with client_for(city) as client:
        page = client.get(forged)
        assert page.status_code == 400 and "tidak sah" in page.text
    with client_for(City(city.engine, no_longer, city.codes, city.first_resident)) as client:
        page = client.get(path)
        refused = client.post(path, data={"csrf": csrf_of(page.text)})
        assert refused.status_code == 403 and "hanya untuk moderator forum" in refused.text


def test_login_form_without_csrf_is_refused(city: City) -> None:
    path = _path(city, STAFF)
    with client_for(city) as client:
        client.get(path)
        assert client.post(path, data={}).status_code == 403
        page = client.get(path)  # the link was not spent by the refused attempt
        assert client.post(path, data={"csrf": csrf_of(page.text)}).status_code == 200


def test_roles_are_checked_on_every_request(city: City) -> None:
    with client_for(city) as client:
        login(client, city, MOD_NORTH)
        assert client.get("/kelompok").status_code == 200
        client.app.state.web = client.app.state.web.__class__(  # the moderator is removed from config
            config=city.config.model_copy(update={"forums": [f.model_copy(update={"moderator_ids": []})
                                                             for f in city.config.forums]}),
            engine=city.engine, key=KEY)
        assert client.get("/kelompok").status_code == 401


def test_sessions_expire(city: City) -> None:
    with client_for(city) as client:
        login(client, city, ADMIN)
        assert client.get("/").status_code == 200
        with Session(city.engine) as session:  # the stored session started longer ago than session_hours
            for row in session.exec(select(WebSession)):
                row.started_at -= timedelta(hours=city.config.web.session_hours + 1)
                session.add(row)
            session.commit()
        assert client.get("/").status_code == 401


def test_logout_needs_csrf_and_ends_the_session(city: City) -> None:
    with client_for(city) as client:
        login(client, city, STAFF)
        assert client.post("/keluar", data={}).status_code == 403
        assert client.get("/").status_code == 200
        page = client.get("/")
        assert client.post("/keluar", data={"csrf": csrf_of(page.text)}).status_code == 200
        assert client.get("/").status_code == 401
