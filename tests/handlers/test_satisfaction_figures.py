"""Closing the loop as residents and planners see it: /status changes an answer; the digest, /statistik,
`aspirasi stats` and the web page show the same figures from services.counting."""

from datetime import timedelta

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.db import session_scope
from models.proposals import Proposal
from models.satisfaction import SatisfactionAsk
from models.types import utcnow
from services.answers.satisfaction import render_satisfaction
from services.core import counting
from services.core.texts import section
from services.digests.periods import build_digest
from services.digests.render import render
from services.reports.exports import build_tables
from services.reports.stats import compute_stats
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, seed_cluster, wait_until_sent
from tests.handlers.journey import button_data, last_message_with_buttons
from tests.handlers.test_satisfaction import DAY, answer, code_of, set_clock, set_status

FORUM = "bontang-utara"


async def test_a_resident_changes_the_answer_from_status(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, (chat,) = seed_cluster(engine_of(console), 1)
    await set_status(console, cluster_id, "selesai")
    await answer(console, chat, "belum")
    with session_scope(engine_of(console)) as session:  # seeded proposals have no public code yet
        proposal = session.exec(select(Proposal)).one()
        proposal.code = "A-0001"
        session.add(proposal)
    await console.send(console.maker.text(chat, "/status"))
    shown = last_message_with_buttons(console, chat)
    assert "Jawaban Anda: Belum" in shown["text"]
    data = next(d for d in button_data(shown) if d == f"puas:sudah:{cluster_id}")
    await console.send(console.maker.press(chat, shown, data))
    with Session(engine_of(console)) as session:
        assert session.exec(select(SatisfactionAsk)).one().verdict == "sudah"


async def test_every_screen_shows_the_same_closing_the_loop_figures(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, chats = seed_cluster(engine_of(console), 3)
    code = code_of(console, cluster_id)
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Sudah diperbaiki.", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    await set_status(console, cluster_id, "selesai")
    for chat, verdict in zip(chats, ("belum", "belum", "sudah"), strict=True):
        await answer(console, chat, verdict)
    d = deps(console.app)
    with Session(engine_of(console)) as session:
        figures = counting.satisfaction(session, counting.Scope(forums=frozenset({FORUM})))
        stats = compute_stats(session=session, tz=d.config.city.tz, forum_id=FORUM)
        exported = dict(build_tables(session=session, config=d.config, forum_id=FORUM).figures)
        digest = build_digest(session=session, config=d.config, forum_id=FORUM, now=utcnow(),
                              period_start_at=utcnow() - timedelta(days=7), period_end=utcnow() + timedelta(days=1))
    assert (figures.answered, figures.sudah, figures.belum, figures.reopened) == (3, 1, 2, 1)
    assert figures.median_days_to_solved is not None
    assert stats.satisfaction == figures
    labels = section("export_figures")
    assert (exported[labels["loop_sudah"]], exported[labels["loop_belum"]], exported[labels["loop_reopened"]]) == (
        figures.sudah, figures.belum, figures.reopened)
    text = "\n".join(render(digest, d.config))
    assert render_satisfaction(figures) in text
    assert f"{code}</b> dibuka lagi. Warga menyatakan belum selesai: 2 dari 3" in text
    await console.send(console.maker.text(900_005, "/statistik"))
    assert any("1 dari 3 jawaban" in t for t in console.api.texts(900_005))
