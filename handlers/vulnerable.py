"""/rentan K-0001 +lansia -perempuan and /bansos K-0001 +salah_sasaran +pkh: a moderator corrects the labels.

The change is done at once (it touches no resident and no grouping), audited, and sticks: the reading from
the members' texts never overrides it (services.core.vulnerable).
"""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply
from handlers.moderation import act, actor_of
from nlp.beneficiaries import AID_KINDS, GROUPS, PROGRAMMES
from services.core.texts import t
from services.core.vulnerable import cluster_labels, label_names
from services.moderation.vulnerable_tags import apply_changes


async def relabel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rentan or /bansos K-0001 +value -value: add or remove vulnerable groups, aid problems or programmes."""
    args = context.args or []
    if len(args) < 2:
        await reply(update, context, "tag_usage", t("tag_usage", groups=" ".join(GROUPS), kinds=" ".join(AID_KINDS),
                                                    programmes=" ".join(PROGRAMMES)))
        return
    actor = actor_of(update, context)

    def work(session: Session) -> str:
        cluster = apply_changes(session=session, actor=actor, code=args[0], changes=args[1:])
        assert cluster.id is not None
        labels = cluster_labels(session, [cluster.id])[cluster.id]
        names = [*label_names("kelompok", labels.groups), *label_names("masalah", labels.aid_kinds),
                 *label_names("program", labels.programmes)]
        return t("tag_done", code=cluster.code, labels=", ".join(names) or t("tag_none"))

    done = await act(update, context, "tag_done", work)
    if done is not None:
        await reply(update, context, "tag_done", done)
