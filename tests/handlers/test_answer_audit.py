"""A staff answer from the staff chat is stored and audited under the staff member who sent it (the web page's
conversation names them), not only as the system's status change."""

from sqlmodel import select

from bot.console import Console
from models.audit import AuditEntry
from models.replies import Reply
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, post_to_staff, seed_cluster, wait_until_sent
from tests.handlers.moderation_seed import session_of


async def test_balas_and_a_reply_to_the_card_are_audited_under_their_sender(console: Console) -> None:
    cluster_id, _ = seed_cluster(engine_of(console), 2)
    card = await post_to_staff(console, cluster_id)
    await console.send(console.maker.reply_to(STAFF_USER, card, "Sudah kami jadwalkan.", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    with session_of(console) as session:
        [reply] = session.exec(select(Reply)).all()
        assert reply.actor == f"staff:{STAFF_USER}"
        answers = session.exec(select(AuditEntry).where(AuditEntry.action == "answer")).all()
        assert [(e.actor, e.after) for e in answers] == [(f"staff:{STAFF_USER}", {"reply": reply.id})]
