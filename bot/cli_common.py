"""What every `aspirasi` command shares: settings loaded or a clear exit for the operator."""

import typer

from bot.settings import Settings, SettingsError, load_settings


def settings_or_exit(*, require_token: bool = False) -> Settings:
    """Load settings, or print the operator-facing message and exit with status 2."""
    try:
        return load_settings(require_token=require_token)
    except SettingsError as exc:
        typer.echo(f"aspirasi: {exc}", err=True)
        raise typer.Exit(2) from exc
