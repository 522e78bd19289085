"""The Indonesian texts people read, loaded from texts_id.yaml; placeholders are HTML-escaped."""

import html
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_FILE = Path(__file__).with_name("texts_id.yaml")


@cache
def load_texts(path: Path) -> dict[str, Any]:
    """Load a texts file once (this one, or the web page's)."""
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(texts, dict):
        raise ValueError(f"{path.name} must be a mapping of keys to texts")
    return texts


def _texts() -> dict[str, Any]:
    """The bot's texts."""
    return load_texts(TEXTS_FILE)


def t(key: str, **values: object) -> str:
    """Return the text for a key with its placeholders filled and escaped for Telegram HTML."""
    template = _texts()[key]
    if not isinstance(template, str):
        raise KeyError(f"text {key!r} is not a plain string")
    escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
    return template.format(**escaped).strip()


def raw(key: str, **values: object) -> str:
    """Return a text whose placeholders are already-safe HTML fragments (built from t())."""
    template = _texts()[key]
    if not isinstance(template, str):
        raise KeyError(f"text {key!r} is not a plain string")
    return template.format(**values).strip()


def status_label(status: str) -> str:
    """Return the people-facing label of a cluster status code."""
    return str(_texts()["status_labels"].get(status, status))


def section(key: str) -> dict[str, Any]:
    """Return a section of the texts file that names its texts (sheet names, column lists, labels)."""
    value = _texts()[key]
    if not isinstance(value, dict):
        raise KeyError(f"text {key!r} is not a section")
    return value


def command_description(command: str) -> str:
    """Return a command's description in Telegram's command menu (plain text)."""
    return str(_texts()["command_menu"][command])


def proposal_state_label(state: str) -> str:
    """Return the people-facing word for a proposal's state (draft, submitted, ...)."""
    return str(_texts()["proposal_state_labels"].get(state, state))
