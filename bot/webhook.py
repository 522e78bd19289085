"""The webhook: the project's own small Starlette app, served by uvicorn in the bot's event loop.

PTB's tornado server reads a whole body before it looks at the secret and compares the secret with `!=`.
Here the secret token is compared in constant time (`hmac.compare_digest`) and the size is checked from
Content-Length and while streaming, both before the body is read: a wrong secret gets 403 and an oversized
body 413 without being read. An accepted update goes through `application.update_queue` (the durable
queue stores it) before the 200, as with polling. `webhook_app` takes extra routes so that other pages
(planners' web pages) can live in the same app. PTB's custom-webhook pattern: the application is built
without an Updater, started with `async with application` and `start()`, next to uvicorn's `Server.serve()`.
"""

import asyncio
import hmac
import json
import logging
from collections.abc import Sequence
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from handlers.apptypes import AspirasiApp

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_048_576  # Telegram's updates are far smaller; anything bigger is not Telegram
SECRET_HEADER = "x-telegram-bot-api-secret-token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def _declared_too_big(request: Request, limit: int) -> bool:
    """Tell whether Content-Length announces more than the limit (or is not a number)."""
    length = request.headers.get("content-length")
    return length is not None and (not length.isdigit() or int(length) > limit)


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """Read the body, giving up (None) as soon as it grows past the limit."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


def webhook_app(
    application: AspirasiApp,
    *,
    path: str,
    secret: str,
    extra_routes: Sequence[BaseRoute] = (),
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """The ASGI app: Telegram's webhook at `/path`, and any extra routes. An empty secret is refused (ValueError):
    every request would match it and the webhook would be open to anyone."""
    if not secret.strip():
        raise ValueError("the webhook needs a non-empty secret token (TELEGRAM_WEBHOOK_SECRET)")
    expected = secret.encode()

    async def telegram_update(request: Request) -> Response:
        """Check the secret and the size, store the update, then answer 200."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        if _declared_too_big(request, max_body):
            return Response(status_code=413)
        body = await _read_limited(request, max_body)
        if body is None:
            return Response(status_code=413)
        try:
            update = Update.de_json(json.loads(body), application.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("webhook: a body that is not a Telegram update (%d bytes)", len(body))
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        await application.update_queue.put(update)  # the durable queue stores it before we answer
        return Response(status_code=200)

    route = Route("/" + path.strip("/"), telegram_update, methods=["POST"])
    return Starlette(routes=[route, *extra_routes])


def webhook_server(app: Starlette, *, listen: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the app (not started)."""
    return uvicorn.Server(uvicorn.Config(app, host=listen, port=port, log_level="warning", lifespan="off",
                                         access_log=False))


async def serve_webhook(
    application: AspirasiApp,
    server: uvicorn.Server,
    *,
    url: str,
    secret: str,
    beside: Sequence[uvicorn.Server] = (),
    **set_webhook: Any,
) -> None:
    """Run the bot behind the server until it stops: start-up, set the webhook, serve, shut down. Servers
    `beside` it (the web page's own listener) run in the same loop and stop with it."""
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(url=url, secret_token=secret,
                                          allowed_updates=set_webhook.pop("allowed_updates", ALLOWED_UPDATES),
                                          **set_webhook)
        await application.start()
        others = [asyncio.create_task(other.serve(), name="beside-webhook") for other in beside]
        try:
            await server.serve()
        finally:
            for other in beside:
                other.should_exit = True
            await asyncio.gather(*others, return_exceptions=True)
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
