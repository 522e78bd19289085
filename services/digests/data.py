"""What a digest shows, as plain data that is stored in Digest.content and rendered by the handlers."""

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from models.clusters import ClusterStatus
from models.suggestions import SuggestionKind


@dataclass(frozen=True)
class ClusterLine:
    """One cluster that is new or grew in the period."""

    id: int
    code: str
    title: str
    category: str | None
    status: ClusterStatus
    supporters: int  # at the end of the period
    added: int  # supporters added in the period
    previous_added: int  # supporters added in the period of the same length before it
    new: bool  # created in the period
    places: list[tuple[str, int]]  # kelurahan and number of aspirations, most first
    waiting_days: int | None  # working days without a staff answer (None: answered or closed)
    overdue: bool
    quote: str | None  # a short redacted aspiration of the period, never verbatim text
    attachments: str = ""  # "📷 2 · 📍 1" when its aspirations carry photos or pins
    groups: list[str] = field(default_factory=list)  # vulnerable groups it concerns (services.core.vulnerable)
    aid_kinds: list[str] = field(default_factory=list)  # social-aid problem kinds (category bantuan_sosial)


@dataclass(frozen=True)
class AnsweredLine:
    """A cluster that got staff answers in the period."""

    id: int
    code: str
    title: str
    status: ClusterStatus
    answers: int


@dataclass(frozen=True)
class SuggestionLine:
    """An open merge or split proposal from re-clustering that touches the forum."""

    id: int
    kind: SuggestionKind
    codes: list[str]
    proposals: int
    score: float


@dataclass
class DigestData:
    """Everything a digest shows, serialisable into Digest.content."""

    forum_id: str
    forum_name: str
    period_start: datetime
    period_end: datetime
    aspirations: int = 0
    residents: int = 0
    clusters: int = 0  # clusters new or grown in the period (the listed ones and more_clusters)
    new_clusters: int = 0
    top: list[ClusterLine] = field(default_factory=list)
    more_clusters: int = 0  # active clusters not listed
    answered: list[AnsweredLine] = field(default_factory=list)
    suggestions: list[SuggestionLine] = field(default_factory=list)
    categories: list[tuple[str | None, int, int]] = field(default_factory=list)  # (category, now, before)
    marks: list[int] = field(default_factory=list)  # (after, upto] in committed order (services.core.counting)
    vulnerable: list[tuple[str, int]] = field(default_factory=list)  # aspirations of the period per group
    aid: list[tuple[str, int]] = field(default_factory=list)  # social-aid aspirations of the period per kind
    loop: str = ""  # the forum's closing-the-loop figures, one line (services/answers/satisfaction.render_satisfaction)
    reopened: list[list[Any]] = field(default_factory=list)  # [code, belum, answered] reopened in the period

    def to_content(self) -> dict[str, Any]:
        """Return a JSON-safe dict (times as ISO strings)."""
        data = asdict(self)
        data["period_start"], data["period_end"] = self.period_start.isoformat(), self.period_end.isoformat()
        return data

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> "DigestData":
        """Rebuild the data stored by to_content."""
        data = {f.name: content[f.name] for f in fields(cls) if f.name in content}
        data["period_start"] = datetime.fromisoformat(content["period_start"])
        data["period_end"] = datetime.fromisoformat(content["period_end"])
        data["top"] = [ClusterLine(**{**c, "status": ClusterStatus(c["status"]),
                                      "places": [tuple(p) for p in c["places"]]}) for c in content["top"]]
        data["answered"] = [AnsweredLine(**{**a, "status": ClusterStatus(a["status"])}) for a in content["answered"]]
        data["suggestions"] = [SuggestionLine(**{**s, "kind": SuggestionKind(s["kind"])})
                               for s in content["suggestions"]]
        data["categories"] = [tuple(c) for c in content["categories"]]
        data["vulnerable"] = [tuple(v) for v in content.get("vulnerable", [])]
        data["aid"] = [tuple(v) for v in content.get("aid", [])]
        return cls(**data)
