"""`aspirasi web`: serve the web page alone against the configured database; `aspirasi web link`: a login link."""

import typer

from bot.cli_common import configure_logging, settings_or_exit

web_app = typer.Typer(help="The web page for planners and moderators.", invoke_without_command=True)


@web_app.callback()
def serve(ctx: typer.Context) -> None:
    """Serve the web page at web.host:web.port (log in with a link from /web or `aspirasi web link`)."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.serve import build_web, web_server

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
    from services.access.weblogin import LoginError, make_link, signing_key

    settings = settings_or_exit()
    try:
        typer.echo(make_link(config=settings.config, key=signing_key(settings.data_dir), user_id=user_id))
    except LoginError as exc:
        typer.echo(f"aspirasi: user {user_id} has no web role in {settings.config_path}: add the id to "
                   "telegram.admin_ids, telegram.staff_ids or a forum's moderator_ids (the console's personas "
                   "900002, 900004 and 900005 have theirs while console.web_roles is true)", err=True)
        raise typer.Exit(2) from exc
