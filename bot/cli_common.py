"""What every `aspirasi` command shares: settings loaded or a clear exit for the operator, private logs."""

import logging

import typer

from bot import logsafe
from bot.settings import Settings, SettingsError, load_settings


def settings_or_exit(*, require_token: bool = False) -> Settings:
    """Load settings, or print the operator-facing message and exit with status 2."""
    try:
        return load_settings(require_token=require_token)
    except SettingsError as exc:
        typer.echo(f"aspirasi: {exc}", err=True)
        raise typer.Exit(2) from exc


def configure_logging() -> None:
    """Log to stderr with times, redacted and with pseudonyms for Telegram ids."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logsafe.install()
