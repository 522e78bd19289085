"""`aspirasi run` with the web page: the bot polls Telegram and uvicorn serves the page in one event loop.

This mirrors what `Application.run_polling` does (initialize, post_init, start polling, start; then stop,
post_stop, shutdown, post_shutdown), with uvicorn's server running as a task beside it. Signals are ours:
SIGINT and SIGTERM stop both cleanly (uvicorn's own signal capture is switched off).
"""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from bot.settings import Settings
from bot.webhook import webhook_app, webhook_server
from handlers.apptypes import AspirasiApp

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """Uvicorn without its own signal handling: the caller decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def web_server(app: Starlette, *, host: str, port: int, own_signals: bool = False) -> uvicorn.Server:
    """A uvicorn server for the web page at web.host:web.port. Uvicorn's access log is off (it would record
    login links' tokens and search text) and uvicorn leaves logging alone, so its messages reach the root
    logger's privacy filter; the page logs each request itself (web.security.AccessLog). Without
    `own_signals`, the caller decides when to stop."""
    config = uvicorn.Config(app, host=host, port=port, log_level="info", proxy_headers=True, access_log=False,
                            log_config=None)
    return uvicorn.Server(config) if own_signals else _Server(config)


def _on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGINT and SIGTERM (where the loop supports signal handlers)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def serve_bot_and_web(
    application: AspirasiApp,
    web_app: Starlette,
    *,
    host: str,
    port: int,
    allowed_updates: list[str],
    stop: asyncio.Event | None = None,
) -> None:
    """Poll Telegram and serve the web page until `stop` is set (or SIGINT/SIGTERM)."""
    stop = stop or asyncio.Event()
    _on_signals(stop)
    server = web_server(web_app, host=host, port=port)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=allowed_updates)
        await application.start()
        web = asyncio.create_task(server.serve(), name="web")
        log.info("web page served on %s:%d beside the bot", host, port)
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait({web, waiter}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await web
        waiter.cancel()
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def webhook_listeners(settings: Settings, application: AspirasiApp) -> list[uvicorn.Server]:
    """`run --webhook`: the webhook's listener (telegram.webhook.listen and port; Telegram's route only) and,
    with web.enabled, the web page on its own listener at web.host:web.port, as config says. The page is never
    served on the webhook's public port."""
    hook, web, secret = settings.config.telegram.webhook, settings.config.web, settings.secrets.telegram_webhook_secret
    assert secret is not None
    extra = []
    if settings.config.cluster.enabled:  # each copy's health page, for the load balancer's checks
        from bot.cluster.node import health_route

        extra.append(health_route(application))
    app = webhook_app(application, path=hook.path, secret=secret.get_secret_value(), extra_routes=extra)
    servers = [webhook_server(app, listen=hook.listen, port=hook.port)]
    log.info("webhook served on %s:%d", hook.listen, hook.port)
    if web.enabled:

        servers.append(web_server(build_web(settings), host=web.host, port=web.port))
        log.info("web page served on its own listener %s:%d (web.host, web.port), not on the webhook's", web.host,
                 web.port)
    return servers


def build_web(settings: Settings) -> Starlette:
    """The web app over the configured database (migrated first); it follows changes of the config file."""
    from bot.settings import load_config
    from models.db import make_engine, upgrade
    from services.access.weblogin import signing_key
    from services.answers.photo_cache import PhotoSource, bot_api_fetcher
    from web.app import create_app

    engine = make_engine(settings.database_url)
    upgrade(engine)
    token = settings.secrets.telegram_bot_token
    fetch = bot_api_fetcher(token.get_secret_value(), settings.config.telegram.base_url) if token else None
    photos = PhotoSource(folder=settings.data_dir / "foto", fetch=fetch)
    return create_app(config=settings.config, engine=engine, key=signing_key(settings.data_dir), photos=photos,
                      config_file=(settings.config_path, load_config))  # role changes apply without a restart
