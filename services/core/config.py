"""The typed shape of config.yaml: the city, forums, schedules and limits (no secrets here)."""

import re
from datetime import date, time
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.core.boundaries import unknown_names
from services.core.callbacks import KELURAHAN_PREFIX

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Strict(BaseModel):
    """A config section: unknown keys are mistakes, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Kelurahan(Strict):
    """A kelurahan with its Kemendagri code and the spellings residents use."""

    code: str
    name: str
    aliases: list[str] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _fits_a_button(cls, value: str) -> str:
        room = 64 - len(KELURAHAN_PREFIX)
        if not value.strip() or len(value.encode()) > room:
            raise ValueError(f"kelurahan code {value!r} must be 1 to {room} bytes (it goes into a Telegram button's "
                             "64-byte callback data); use the Kemendagri code, e.g. 64.74.01.1003")
        return value


class Kecamatan(Strict):
    """A kecamatan and its kelurahan."""

    code: str
    name: str
    kelurahan: list[Kelurahan]


class City(Strict):
    """The city the bot serves."""

    name: str
    timezone: str = "Asia/Makassar"
    kecamatan: list[Kecamatan]
    streets: dict[str, list[str]] = Field(default_factory=dict)  # known street name -> other spellings

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Asia/Makassar") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The city's time zone."""
        return ZoneInfo(self.timezone)

    @model_validator(mode="after")
    def _unique_codes(self) -> Self:
        codes = [kel.code for kel in self.all_kelurahan()] + [kec.code for kec in self.kecamatan]
        names = [kel.name for kel in self.all_kelurahan()]
        for what, values in (("code", codes), ("name", names)):
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"city.kecamatan: the {what} {twice[0]!r} is used twice; give every kecamatan and "
                                 f"kelurahan its own {what}")
        return self

    def all_kelurahan(self) -> list[Kelurahan]:
        """Every kelurahan, in config order."""
        return [kel for kec in self.kecamatan for kel in kec.kelurahan]

    def kelurahan_by_name(self, name: str) -> Kelurahan | None:
        """Find a kelurahan by its name."""
        return next((kel for kel in self.all_kelurahan() if kel.name == name), None)

    def kelurahan_by_code(self, code: str) -> Kelurahan | None:
        """Find a kelurahan by its code."""
        return next((kel for kel in self.all_kelurahan() if kel.code == code), None)


class WebhookConfig(Strict):
    """Where the webhook server listens and the URL Telegram calls."""

    listen: str = "0.0.0.0"
    port: int = Field(default=8443, ge=1, le=65535)  # a TCP port; Telegram calls 443, 80, 88 or 8443
    url: str | None = None
    path: str = "tg"


class TelegramConfig(Strict):
    """Telegram chats and the Bot API server."""

    base_url: str | None = None
    staff_chat_id: int | None = None
    staff_thread_id: int | None = None
    admin_ids: list[int] = Field(default_factory=list)
    # when set, only these members of the staff chat act as staff; they are also the web page's staff
    staff_ids: list[int] = Field(default_factory=list)
    staff_names: dict[int, str] = Field(default_factory=dict)  # who acted, as the web page names them
    admin_chat_id: int | None = None
    webhook: WebhookConfig = WebhookConfig()


class DatabaseConfig(Strict):
    """The database URL used when DATABASE_URL is not set."""

    url: str = "sqlite:///data/aspirasi.db"


class ForumConfig(Strict):
    """A forum warga: the kelurahan it covers and its moderators."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)  # the database keeps 64 characters
    name: str
    kelurahan: list[str]
    moderator_ids: list[int] = Field(default_factory=list)
    chat_id: int | None = None


class DigestConfig(Strict):
    """When digests go out and how they are forwarded."""

    schedule: str = "mon 08:00"
    auto_forward_hours: float | None = Field(default=24, ge=0)  # null: never
    misfire_grace_hours: float = Field(default=168, ge=0)
    max_clusters: int = Field(default=20, ge=1, le=40)

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value


class DeadlineConfig(Strict):
    """When a cluster without an answer counts as overdue."""

    answer_working_days: int = Field(default=5, ge=1)
    overdue_report: str = Field(default="08:30", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")  # HH:MM, WITA
    extra_holidays: list[date] = Field(default_factory=list)  # YYYY-MM-DD


class LimitConfig(Strict):
    """Limits on what one resident can send."""

    aspirations_per_hour: int = Field(default=10, ge=1)
    drafts_per_hour: int = Field(default=20, ge=1)  # texts taken as drafts; beyond it nothing is stored
    max_text_chars: int = Field(default=4000, ge=100, le=4000)
    min_text_chars: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _min_below_max(self) -> Self:
        if self.min_text_chars > self.max_text_chars:
            raise ValueError(f"min_text_chars ({self.min_text_chars}) is larger than max_text_chars "
                             f"({self.max_text_chars}): no text could be taken; lower min_text_chars")
        return self


class NlpConfig(Strict):
    """The embedding model and suggestion settings."""

    model: str = "intfloat/multilingual-e5-small"
    batch_size: int = Field(default=32, ge=1)
    backend: Literal["onnx", "onnx-int8", "torch"] = "onnx"  # how the model runs (nlp/embed.py)
    threads: int = Field(default=2, ge=1)  # threads a batch is split across
    batch_window_ms: float = Field(default=2.0, ge=0, le=100)  # texts arriving this close are embedded together
    max_batch: int = Field(default=32, ge=1)  # at most this many texts per micro-batch
    suggestions: int = Field(default=3, ge=1, le=5)
    institutions: dict[str, list[str]] = Field(default_factory=dict)  # one name -> other names of it


class OutboxConfig(Strict):
    """Telegram's sending limits as the outbox applies them."""

    overall_per_second: float = Field(default=30, gt=0)
    per_chat_seconds: float = Field(default=1.0, ge=0)
    group_per_minute: float = Field(default=20, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    lease_seconds: float = Field(default=120, gt=0)
    max_in_flight: int = Field(default=16, ge=1)
    margin_seconds: float = Field(default=0.1, ge=0)  # slack for a call's way to Telegram (handlers.pacing)


class UpdateRetryConfig(Strict):
    """How an incoming update whose handling failed is tried again."""

    max_attempts: int = Field(default=5, ge=1)  # then it is a dead letter and an admin is told
    first_pause_seconds: float = Field(default=30, gt=0)  # pauses double after each failure
    max_pause_seconds: float = Field(default=3600, gt=0)
    check_seconds: float = Field(default=10, gt=0)  # how often due retries are looked for


class ClusterConfig(Strict):
    """Several identical copies on one PostgreSQL (`aspirasi run --webhook` each, behind a load balancer)."""

    enabled: bool = False  # on: polling is refused, updates are claimed per chat from the database
    workers: int = Field(default=4, ge=1)  # chats one copy handles at the same time
    poll_seconds: float = Field(default=1.0, gt=0)  # how often pending updates and leader locks are looked at


class RetentionConfig(Strict):
    """How long verbatim texts are kept."""

    verbatim_days: int = Field(default=730, ge=1)
    draft_days: int = Field(default=7, ge=1)  # unconfirmed and cancelled drafts are emptied after this


LOOPBACK = ("127.0.0.1", "localhost", "::1")  # addresses only this machine reaches


class WebConfig(Strict):
    """The web page for planners and moderators."""

    enabled: bool = False
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8080, ge=1, le=65535)
    base_url: str = "http://127.0.0.1:8080"
    session_hours: float = Field(default=8, gt=0, le=168)
    geojson: str | None = None  # a kelurahan GeoJSON file: the map draws its shapes; pins are placed in them

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"base_url {value!r} should be the page's address, e.g. https://aspirasi.example.id")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _public_only_over_https(self) -> Self:
        if self.host not in LOOPBACK and self.base_url.startswith("http://"):
            raise ValueError(f"host {self.host!r} serves the page beyond this machine, but base_url {self.base_url!r} "
                             "is plain http: login links and session cookies would cross the network unencrypted. "
                             "Put an https reverse proxy in front and set base_url to its https:// address, or "
                             "keep host 127.0.0.1")
        return self


class CategoryConfig(Strict):
    """A category of clusters (pendidikan, kesehatan, ...)."""

    label: str
    description: str
    keywords: list[str] = Field(default_factory=list)


class ConsoleConfig(Strict):
    """`aspirasi console`'s personas (moderator 900002, staff 900004, admin 900005; services/access/roles.py)."""

    # their /web links (and `aspirasi web link --as 900005`) open `aspirasi web` and `aspirasi run`'s page;
    # only this machine can make such a link, Telegram users with these ids get no role from it
    web_roles: bool = True


class SatisfactionConfig(Strict):
    """Asking residents whether a resolved request is solved, and reopening it when most say "Belum"."""

    enabled: bool = True
    followup_days: int | None = Field(default=14, ge=0)  # ditindaklanjuti this long also asks; null: never
    quiet_start: str = Field(default="21:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")  # WITA: no questions
    quiet_end: str = Field(default="07:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")  # from here to here
    reopen_share: float = Field(default=0.5, ge=0, lt=1)  # reopen when more than this share says "Belum"
    reopen_min_answers: int = Field(default=3, ge=1)  # ... and at least this many answered
    check_minutes: float = Field(default=10, gt=0)  # how often due questions are queued


class AppConfig(Strict):
    """Everything in config.yaml."""

    city: City
    telegram: TelegramConfig = TelegramConfig()
    database: DatabaseConfig = DatabaseConfig()
    data_dir: str = "data"
    forums: list[ForumConfig]
    digest: DigestConfig = DigestConfig()
    deadlines: DeadlineConfig = DeadlineConfig()
    limits: LimitConfig = LimitConfig()
    nlp: NlpConfig = NlpConfig()
    outbox: OutboxConfig = OutboxConfig()
    updates: UpdateRetryConfig = UpdateRetryConfig()
    retention: RetentionConfig = RetentionConfig()
    cluster: ClusterConfig = ClusterConfig()
    web: WebConfig = WebConfig()
    console: ConsoleConfig = ConsoleConfig()
    satisfaction: SatisfactionConfig = SatisfactionConfig()
    categories: dict[str, CategoryConfig] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _forums_cover_known_kelurahan(self) -> Self:
        known = {kel.name for kel in self.city.all_kelurahan()}
        seen: dict[str, str] = {}
        for forum in self.forums:
            for name in forum.kelurahan:
                if name not in known:
                    raise ValueError(
                        f"forums[{forum.id}].kelurahan names {name!r}, which is not a kelurahan under "
                        f"city.kecamatan; use one of: {', '.join(sorted(known))}"
                    )
                if name in seen:
                    raise ValueError(f"kelurahan {name!r} is in two forums: {seen[name]} and {forum.id}")
                seen[name] = forum.id
        uncovered = sorted(known - set(seen))
        if uncovered:
            raise ValueError(f"forums: no forum covers the kelurahan {', '.join(uncovered)}; add each to the "
                             "kelurahan list of one forum (its residents' aspirations would reach no moderator)")
        return self

    @model_validator(mode="after")
    def _geojson_names_kelurahan(self) -> Self:
        unknown = unknown_names(self)  # a file that cannot be read is a ValueError saying so
        if unknown:
            known = ", ".join(kel.name for kel in self.city.all_kelurahan())
            raise ValueError(f"web.geojson: the shapes {', '.join(unknown)} name no kelurahan under city.kecamatan; "
                             f"name each shape (property \"name\" or \"kelurahan\") as one of: {known}")
        return self

    @model_validator(mode="after")
    def _distinct_forums_and_chats(self) -> Self:
        ids = [f.id for f in self.forums]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"forums: the id {twice[0]!r} is used by two forums; give each forum its own id")
        chats = [f.chat_id for f in self.forums if f.chat_id is not None]
        shared = sorted({c for c in chats if chats.count(c) > 1})
        if shared:
            raise ValueError(f"forums: chat_id {shared[0]} is the group of two forums; each forum needs its own group")
        staff = self.telegram.staff_chat_id
        if staff is not None and staff in chats:
            raise ValueError(f"telegram.staff_chat_id {staff} is also a forum's chat_id: staff would see residents' "
                             "messages and residents staff work; use a separate group for the staff")
        return self

    def forum_of(self, kelurahan: str | None) -> ForumConfig | None:
        """Return the forum that covers a kelurahan."""
        return next((f for f in self.forums if kelurahan in f.kelurahan), None)

    def forum(self, forum_id: str) -> ForumConfig | None:
        """Return a forum by id."""
        return next((f for f in self.forums if f.id == forum_id), None)

    def category_label(self, code: str | None) -> str | None:
        """The label people read for a category code (the code itself if config no longer has it)."""
        if code is None:
            return None
        known = self.categories.get(code)
        return known.label if known else code.replace("_", " ").capitalize()


def parse_schedule(value: str) -> tuple[int, time]:
    """Parse "mon 08:00" into (weekday 0-6, time); raise ValueError with the expected shape."""
    match = re.fullmatch(r"\s*([a-z]{3})\s+(\d{1,2}):(\d{2})\s*", value.lower())
    if not match or match.group(1) not in DAYS:
        raise ValueError(f"schedule {value!r} should look like 'mon 08:00' (day mon..sun, 24-hour time)")
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise ValueError(f"schedule {value!r} has an impossible time")
    return DAYS.index(match.group(1)), time(hour, minute)
