"""Forms on a cluster's page: staff answer and set status, moderators rename and recategorise.

Each calls the same service as its Telegram twin (services.answers.staff_answers, services.moderation.curation),
so the fan-out, the outbox dedupe and the audit log are the same. Every form carries the session's CSRF token and a
one-time form id: sending the same form twice stores and sends nothing twice. Results are shown after a
redirect (the browser's back and reload never resend a form).
"""

import re
from collections.abc import Callable

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from models.clusters import Cluster
from models.db import session_scope
from services.access.weblogin import Viewer
from services.answers.staff_answers import AnswerError, answer_cluster, change_status
from services.core.payloads import plain
from services.core.texts import status_label, t
from services.core.texts_web import tw
from services.moderation import curation
from services.moderation.merge_split import Actor, ModerationError
from web.security import check_csrf, context_of, redirect_to, require_viewer, visible_cluster

FORM_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


async def _form(request: Request, allowed: Callable[[Viewer], bool]) -> tuple[Viewer, FormData]:
    """The logged-in viewer and the form, after the CSRF and role checks."""
    viewer = require_viewer(request)
    form = await request.form()
    check_csrf(request, form)
    if not allowed(viewer):
        raise HTTPException(403, "role")
    return viewer, form


def _form_id(form: FormData) -> str:
    """The form's one-time id (a source key for the outbox dedupe)."""
    value = form.get("form_id")
    if not isinstance(value, str) or not FORM_ID.match(value):
        raise HTTPException(403, "csrf")
    return value


async def _run(request: Request, viewer: Viewer, work: Callable[[Session, int], str]) -> Response:
    """Do the work on the cluster in one transaction; show its message (or the error) on the cluster page."""
    ctx, code = context_of(request), request.path_params["code"]

    def _in_db() -> str:
        with session_scope(ctx.engine) as session:
            cluster = visible_cluster(session, viewer, code)
            assert cluster.id is not None
            return work(session, cluster.id)

    try:
        request.session["flash"] = ["notice", await run_in_threadpool(_in_db)]
    except (AnswerError, ModerationError) as exc:
        request.session["flash"] = ["error", plain(t(exc.key, **exc.values))]
    return redirect_to(request, "cluster", code=code.upper())


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def answer(request: Request) -> Response:
    """Staff: answer every resident following the cluster (as /balas)."""
    viewer, form = await _form(request, lambda v: v.can_answer)
    source, text = f"web:{_form_id(form)}", _text(form, "text")

    def work(session: Session, cluster_id: int) -> str:
        outcome = answer_cluster(session=session, config=context_of(request).config, cluster_id=cluster_id,
                                 text=text, source_key=source, actor=viewer.actor)
        return tw("answer_sent", count=outcome.count) if outcome.count else tw("answer_nobody")

    return await _run(request, viewer, work)


async def status(request: Request) -> Response:
    """Staff: change the cluster's status and tell its residents (as /status_kelompok)."""
    viewer, form = await _form(request, lambda v: v.can_answer)
    source, new, note = f"web:{_form_id(form)}", _text(form, "status"), _text(form, "note")

    def work(session: Session, cluster_id: int) -> str:
        outcome = change_status(session=session, config=context_of(request).config, cluster_id=cluster_id,
                                status=new, note=note, source_key=source, actor=viewer.actor)
        label = status_label(outcome.status)
        return tw("status_changed", status=label, count=outcome.count) if outcome.changed else tw(
            "status_same", status=label)

    return await _run(request, viewer, work)


def _actor(viewer: Viewer) -> Actor:
    """The moderation actor: moderators act on their forums, admins on all."""
    return Actor(name=viewer.actor, forums=viewer.forums)


async def rename(request: Request) -> Response:
    """Moderators: give the cluster a new title (as /judul)."""
    viewer, form = await _form(request, lambda v: v.role in ("moderator", "admin"))
    title = _text(form, "title")

    def work(session: Session, cluster_id: int) -> str:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None and cluster.code is not None
        curation.rename(session=session, actor=_actor(viewer), code=cluster.code, title=title)
        return tw("renamed")

    return await _run(request, viewer, work)


async def recategorise(request: Request) -> Response:
    """Moderators: change the cluster's category (as /kategori)."""
    viewer, form = await _form(request, lambda v: v.role in ("moderator", "admin"))
    category = _text(form, "category")
    allowed = set(context_of(request).config.categories) or None

    def work(session: Session, cluster_id: int) -> str:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None and cluster.code is not None
        curation.recategorise(session=session, actor=_actor(viewer), code=cluster.code, category=category,
                              allowed=allowed)
        return tw("recategorised")

    return await _run(request, viewer, work)
