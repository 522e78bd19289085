"""The `aspirasi` command line: run the bot, try it in the console, migrate the database."""

import asyncio
import logging
import sys

import typer

from bot.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="Aspirasi: aspirasi warga Kota Bontang lewat Telegram.", no_args_is_help=True)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _settings(*, require_token: bool = False) -> Settings:
    """Load settings or exit with the operator-facing message."""
    try:
        return load_settings(require_token=require_token)
    except SettingsError as exc:
        typer.echo(f"aspirasi: {exc}", err=True)
        raise typer.Exit(2) from exc


def _logging() -> None:
    """Log to stderr with times."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


@app.command()
def run(
    webhook: bool = typer.Option(False, "--webhook", help="Serve a webhook instead of polling."),
) -> None:
    """Run the bot against Telegram (polling, or a webhook with Telegram's secret token)."""
    from bot.app import build_application

    settings = _settings(require_token=True)
    _logging()
    application = build_application(settings)
    if not webhook:
        application.run_polling(allowed_updates=["message", "edited_message", "callback_query"])
        return
    hook = settings.config.telegram.webhook
    secret = settings.secrets.telegram_webhook_secret
    if hook.url is None or secret is None:
        typer.echo("aspirasi: webhook mode needs telegram.webhook.url in config.yaml and "
                   "TELEGRAM_WEBHOOK_SECRET (letters, digits, _ and -) in the environment or .env", err=True)
        raise typer.Exit(2)
    application.run_webhook(
        listen=hook.listen, port=hook.port, url_path=hook.path, webhook_url=hook.url,
        secret_token=secret.get_secret_value(),
        allowed_updates=["message", "edited_message", "callback_query"],
    )


@app.command()
def console() -> None:
    """Try the bot in this terminal with no Telegram at all (an in-memory Bot API)."""
    from bot.console import run_console

    settings = _settings()
    asyncio.run(run_console(settings, sys.stdin, sys.stdout))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    from models.db import make_engine, upgrade

    settings = _settings()
    upgrade(make_engine(settings.database_url))
    typer.echo("database is up to date")
