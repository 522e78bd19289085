"""`aspirasi web`: serve the web page alone against the configured database; `aspirasi web link`: a login link."""

from typing import TYPE_CHECKING

import typer

from bot.cli_common import configure_logging, settings_or_exit
from bot.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

web_app = typer.Typer(help="The web page for planners and moderators.", invoke_without_command=True)


def build_web(settings: Settings) -> "Starlette":
    """The web app over the configured database (migrated first); it follows changes of the config file."""
    from bot.settings import load_config
    from models.db import make_engine, upgrade
    from services.photo_cache import PhotoSource, bot_api_fetcher
    from services.weblogin import signing_key
    from web.app import create_app

    engine = make_engine(settings.database_url)
    upgrade(engine)
    token = settings.secrets.telegram_bot_token
    fetch = bot_api_fetcher(token.get_secret_value(), settings.config.telegram.base_url) if token else None
    photos = PhotoSource(folder=settings.data_dir / "foto", fetch=fetch)
    return create_app(config=settings.config, engine=engine, key=signing_key(settings.data_dir), photos=photos,
                      config_file=(settings.config_path, load_config))  # role changes apply without a restart


@web_app.callback()
def serve(ctx: typer.Context) -> None:
    """Serve the web page at web.host:web.port (log in with a link from /web or `aspirasi web link`)."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.serve import web_server

    settings = settings_or_exit()
    configure_logging()
    web = settings.config.web
    typer.echo(f"Aspirasi web: {web.base_url} (listening on {web.host}:{web.port})")
    web_server(build_web(settings), host=web.host, port=web.port, own_signals=True).run()


@web_app.command("link")
def link(
    user_id: int = typer.Option(..., "--as", help="Telegram user id of a moderator, staff member or admin "
                                "(900005: the console's admin)."),
) -> None:
    """Print a single-use login link (valid 10 minutes) for someone with a web role."""
    from services.weblogin import LoginError, make_link, signing_key

    settings = settings_or_exit()
    try:
        typer.echo(make_link(config=settings.config, key=signing_key(settings.data_dir), user_id=user_id))
    except LoginError as exc:
        typer.echo(f"aspirasi: user {user_id} has no web role in {settings.config_path}: add the id to "
                   "telegram.admin_ids, telegram.staff_ids or a forum's moderator_ids (the console's personas "
                   "900002, 900004 and 900005 have theirs while console.web_roles is true)", err=True)
        raise typer.Exit(2) from exc
