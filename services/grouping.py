"""The grouping seam used by intake: prepare a text, suggest similar clusters, assign on confirm."""

import threading
from dataclasses import dataclass, field

import numpy as np

from nlp.normalize import normalize
from nlp.places import PlaceMatcher
from nlp.redact import redact
from services.config import AppConfig


@dataclass(frozen=True)
class Prepared:
    """A text made ready for grouping and for showing to staff."""

    clean: str
    redacted: str
    kelurahan: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    vector: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Suggestion:
    """A cluster that may ask for the same thing, with its similarity score."""

    cluster_id: int
    score: float


def place_matcher(config: AppConfig) -> PlaceMatcher:
    """Build the kelurahan matcher from the city in config."""
    return PlaceMatcher({kel.name: kel.aliases for kel in config.city.all_kelurahan()})


class GroupingService:
    """Holds the place matcher (and, with issue 3, the embedder and cluster index) for intake."""

    def __init__(self, config: AppConfig) -> None:
        self._places = place_matcher(config)
        self._lock = threading.Lock()
        self.model_name: str | None = None

    def prepare(self, text: str) -> Prepared:
        """Normalise, redact and find the places of a text."""
        redacted = redact(text)
        facets = self._places.find(redacted)
        return Prepared(clean=normalize(redacted), redacted=redacted, kelurahan=facets.kelurahan,
                        streets=facets.streets)

    def suggest(self, prepared: Prepared, k: int) -> list[Suggestion]:
        """Return up to k clusters that ask for the same thing (none until embeddings are on)."""
        return []

    def assign(self, prepared: Prepared) -> int | None:
        """Return the cluster a confirmed proposal joins automatically, or None for a new one."""
        return None

    def add(self, proposal_id: int, cluster_id: int, prepared: Prepared) -> None:
        """Record a proposal's membership in the in-memory index."""
