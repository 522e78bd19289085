"""config.yaml read again when it changes, so roles (and labels) given there apply without a restart.

Roles come from config on every request; this keeps that config the file's current one. A file that does
not load (a half-saved edit) keeps the last good config and is tried again when it changes once more.
"""

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.config import AppConfig
from web.render import make_templates

log = logging.getLogger(__name__)


class ConfigReload:
    """Before each request, load the config file again when its modification time changed."""

    def __init__(self, app: ASGIApp, *, path: Path, load: Callable[[Path], AppConfig], templates: Path) -> None:
        self.app, self.path, self.load, self.templates = app, path, load, templates
        self.seen = self._mtime()

    def _mtime(self) -> int | None:
        """The file's modification time (None while it is missing)."""
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (now := self._mtime()) != self.seen:
            self.seen = now
            self._apply(scope["app"])
        await self.app(scope, receive, send)

    def _apply(self, app: Starlette) -> None:
        """Put the file's config in the app's context and templates; keep the old one if it does not load."""
        try:
            config = self.load(self.path)
        except Exception as exc:  # any failure keeps the page on the last good config
            log.warning("config %s changed but does not load, keeping the previous one: %s", self.path, exc)
            return
        state = app.state
        state.web = replace(state.web, config=config)
        state.templates = make_templates(config, self.templates)
        log.info("config %s loaded again (roles and labels)", self.path)
