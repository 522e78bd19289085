"""Login by a signed single-use link: GET shows a confirm button (previews never spend it), POST logs in."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from models.db import session_scope
from models.websessions import end_web_session, open_web_session
from services.access.weblogin import LoginError, Viewer, read_token, spend_token
from services.core.texts_web import tw
from web.render import render
from web.security import check_csrf, context_of, redirect_to, start_session


def _failed(request: Request, error: LoginError) -> Response:
    """The page for a link that cannot log anyone in."""
    status = 403 if error.key == "web_no_role" else 400
    return render(request, "error.html", {"title": tw("login_failed_title"), "message": tw(error.key)},
                  status_code=status)


def confirm_page(request: Request) -> Response:
    """Show the confirm button for a link that is still valid (nothing is spent here)."""
    token = request.path_params["token"]
    try:
        read_token(key=context_of(request).key, token=token)
    except LoginError as error:
        return _failed(request, error)
    return render(request, "login.html", {"token": token})


async def confirm(request: Request) -> Response:
    """Spend the link and start a session stored on the server (the signed cookie names it)."""
    form = await request.form()
    check_csrf(request, form)
    ctx, token = context_of(request), request.path_params["token"]

    def _spend() -> tuple[Viewer, str]:
        with session_scope(ctx.engine) as session:
            viewer = spend_token(session=session, config=ctx.config, key=ctx.key, token=token)
            return viewer, open_web_session(session=session, user_id=viewer.user_id)

    try:
        viewer, session_id = await run_in_threadpool(_spend)
    except LoginError as error:
        return _failed(request, error)
    start_session(request, viewer, session_id)
    return redirect_to(request, "summary")


async def logout(request: Request) -> Response:
    """End the session on the server (the old cookie opens nothing any more) and forget the cookie."""
    form = await request.form()
    check_csrf(request, form)
    session_id, engine = request.session.get("sid"), context_of(request).engine

    def _end() -> None:
        if isinstance(session_id, str):
            with session_scope(engine) as session:
                end_web_session(session=session, session_id=session_id)

    await run_in_threadpool(_end)
    request.session.clear()
    request.state.viewer = None
    return render(request, "error.html", {"title": tw("logout"), "message": tw("logged_out")})
