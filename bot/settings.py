"""One typed settings object: secrets from the environment (or .env), everything else from config.yaml."""

import os
from pathlib import Path

import yaml
from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.core.config import AppConfig
from services.intake.grouping import teach_redactor

DEFAULT_CONFIG = Path("config.yaml")
TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather in Telegram (/newbot), then put "
    "TELEGRAM_BOT_TOKEN=123456:ABC... in a .env file next to config.yaml or export it in the shell. "
    "To try the bot without Telegram, run `aspirasi console`."
)


class SettingsError(Exception):
    """A missing or wrong setting, with a message that names the key and the fix."""


class Secrets(BaseSettings):
    """Values that never go into config.yaml."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    database_url: str | None = None
    aspirasi_config: str | None = None


class Settings:
    """The whole configuration of one running bot."""

    def __init__(self, config: AppConfig, secrets: Secrets, config_path: Path) -> None:
        self.config = config
        self.secrets = secrets
        self.config_path = config_path

    @property
    def database_url(self) -> str:
        """DATABASE_URL if set, else database.url from config."""
        return self.secrets.database_url or self.config.database.url

    @property
    def token(self) -> str:
        """The bot token; raise SettingsError with instructions when it is missing."""
        if self.secrets.telegram_bot_token is None or not self.secrets.telegram_bot_token.get_secret_value():
            raise SettingsError(TOKEN_HELP)
        return self.secrets.telegram_bot_token.get_secret_value()

    @property
    def data_dir(self) -> Path:
        """The folder for the converted model and other files the bot writes."""
        return Path(self.config.data_dir)


def _format_errors(path: Path, error: ValidationError) -> str:
    """Turn pydantic's errors into lines that name the config key."""
    lines = [f"{path} is not valid:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  - {key}: {item['msg']}")
    return "\n".join(lines)


def load_config(path: Path) -> AppConfig:
    """Read and validate a config file."""
    if not path.is_file():
        raise SettingsError(
            f"config file {path} not found; copy config.yaml from the project or set ASPIRASI_CONFIG"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path} is not valid YAML: {exc}") from exc
    try:
        config = AppConfig.model_validate(raw)
    except ValidationError as exc:
        raise SettingsError(_format_errors(path, exc)) from exc
    teach_redactor(config)  # every process that reads config redacts with the city's place names
    return config


def load_settings(config_path: Path | None = None, *, require_token: bool = False) -> Settings:
    """Load config.yaml (or ASPIRASI_CONFIG) and the secrets; fail fast with a helpful message."""
    secrets = Secrets()
    path = config_path or Path(secrets.aspirasi_config or os.environ.get("ASPIRASI_CONFIG") or DEFAULT_CONFIG)
    settings = Settings(load_config(path), secrets, path)
    if require_token:
        _ = settings.token
    return settings
