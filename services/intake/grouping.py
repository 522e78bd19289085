"""The grouping seam used by intake: prepare a text, suggest similar clusters, assign on confirm.

Holds the place matcher, the embedder and the in-memory index (nlp.grouping.Grouper) of the submitted,
visible proposals. The index is rebuilt from stored embeddings at start; nothing is re-embedded unless
the model changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from nlp.categories import Categoriser
from nlp.embed import TextEncoder
from nlp.grouping import Grouper, GroupingParams, Item, make_item
from nlp.labels import readable_title
from nlp.lexicon import phrase_pattern
from nlp.normalize import embedding_text, normalize
from nlp.places import PlaceMatcher
from nlp.redact import redact, use_place_names
from services.core.config import AppConfig
from services.intake.embed_queue import MicroBatcher

FALLBACK_CATEGORY = "lainnya"
DEFAULT_DIM = 384
# Above this many indexed proposals, embedding neighbours come from the coarse index (nlp/ann.py) and are then
# scored exactly. At 100k an exact scan reads 150 MB per query (~10 ms); the coarse index probes ~3% of it.
# Its top-3 suggestions are measured against an exact scan's in `aspirasi bench` (BENCHMARKS.md).
EXACT_SEARCH_LIMIT = 20_000


def service_params() -> GroupingParams:
    """The grouping parameters the bot runs with: the tuned ones, with the service's exact-search limit."""
    return replace(GroupingParams(), exact_search_limit=EXACT_SEARCH_LIMIT)
TITLE_CHARS = 100


@dataclass(frozen=True)
class Prepared:
    """A text made ready for grouping and for showing to staff."""

    clean: str
    redacted: str
    kelurahan: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    vector: np.ndarray | None = field(default=None, compare=False)
    home: str | None = None  # the kelurahan the proposal is filed under (named in it, else the sender's)


@dataclass(frozen=True)
class Suggestion:
    """A cluster that may ask for the same thing, with its similarity score."""

    cluster_id: int
    score: float


def proper_names(config: AppConfig) -> tuple[str, ...]:
    """The names titles write with capitals: the city, kecamatan, kelurahan, kampung, streets, institutions."""
    city = config.city
    names = [city.name, *(kec.name for kec in city.kecamatan)]
    names += [n for kel in city.all_kelurahan() for n in (kel.name, *kel.aliases)]
    names += [n for street, other in city.streets.items() for n in (street, *other)]
    names += [n for name, other in config.nlp.institutions.items() for n in (name, *other)]
    return tuple(names)


def place_matcher(config: AppConfig) -> PlaceMatcher:
    """Build the place matcher from the city in config: kelurahan and known streets, with their aliases."""
    return PlaceMatcher({kel.name: kel.aliases for kel in config.city.all_kelurahan()}, config.city.streets)


def teach_redactor(config: AppConfig) -> None:
    """Give redaction the city's places, institutions and streets: "dari Satimpo" is a place, not a name."""
    areas = [config.city.name, *(k.name for k in config.city.kecamatan)]
    areas += [name for kel in config.city.all_kelurahan() for name in (kel.name, *kel.aliases)]
    areas += [name for main, aliases in config.nlp.institutions.items() for name in (main, *aliases)]
    use_place_names(areas, [name for main, aliases in config.city.streets.items() for name in (main, *aliases)])


class GroupingService:
    """Prepares texts, and keeps the index of clusters that suggestions and assignment search."""

    def __init__(self, config: AppConfig, embedder: TextEncoder | None, params: GroupingParams | None = None
                 ) -> None:
        self._places = place_matcher(config)
        teach_redactor(config)
        self._names = proper_names(config)
        self.city_words = config.city.name.lower().split()  # never a keyword ("kota", "bontang")
        self._forum_of_kelurahan = {kel: forum.id for forum in config.forums for kel in forum.kelurahan}
        self._area_of = {kel.name: kec.name for kec in config.city.kecamatan for kel in kec.kelurahan}
        self._embedder = embedder
        self.params = params or service_params()
        self._grouper = Grouper(self.params, dim=embedder.dim if embedder else DEFAULT_DIM)
        self._lock = threading.Lock()
        self._alias_of = {" ".join(normalize(a).split()): normalize(name) for name, aliases in
                          config.nlp.institutions.items() for a in aliases}
        self._alias_pattern = phrase_pattern(list(self._alias_of)) if self._alias_of else None
        self._categoriser = (
            Categoriser({code: c.model_dump() for code, c in config.categories.items()}, embedder.encode_memo)
            if embedder is not None and config.categories else None
        )
        # The running bot's texts: prepared and embedded in micro-batches, decided in arrival order.
        self.batcher: MicroBatcher[Prepared] = MicroBatcher(
            self.prepare_many, window=config.nlp.batch_window_ms / 1000, max_batch=config.nlp.max_batch)
        # Several copies on one database (bot/cluster): called with the session before a new proposal is
        # assigned, to take the `grouper` lock and catch the index up with what other copies committed.
        self.before_assign: Callable[[object], None] | None = None

    def title(self, redacted: str, limit: int = TITLE_CHARS) -> str:
        """A cluster title from a redacted text, built the same way on every path that makes or relabels one."""
        return readable_title(redacted, limit, self._names)

    @property
    def model_name(self) -> str | None:
        """Identity of the embedding model, stored with every embedding."""
        return self._embedder.identity if self._embedder else None

    def embed(self, cleans: Sequence[str]) -> np.ndarray:
        """Embed normalised texts (fillers and placeholders left out), in one batch."""
        if self._embedder is None:
            raise RuntimeError("grouping has no embedder")
        return self._embedder.encode([embedding_text(c) or c for c in cleans])

    def prepare(self, text: str) -> Prepared:
        """Redact (after NFKC), normalise, redact again what normalising revealed, find places and embed."""
        return self.prepare_many([text])[0]

    def prepare_many(self, texts: Sequence[str]) -> list[Prepared]:
        """`prepare` for several texts, embedded in one batch."""
        bare = [self._prepare_text(text) for text in texts]
        if self._embedder is None or not bare:
            return bare
        vectors = self.embed([p.clean for p in bare])
        return [replace(p, vector=v) for p, v in zip(bare, vectors, strict=True)]

    def _prepare_text(self, text: str) -> Prepared:
        """Everything of `prepare` but the embedding."""
        redacted = redact(text)
        clean = self._institutions(redact(normalize(redacted)))
        facets = self._places.find(clean)
        streets = self._places.streets(redacted) or facets.streets  # names read where capitals still show
        return Prepared(clean=clean, redacted=redacted, kelurahan=facets.kelurahan, streets=streets)

    def forum_of_place(self, kelurahan: str | None) -> str | None:
        """The forum that covers a kelurahan, if any."""
        return self._forum_of_kelurahan.get(kelurahan) if kelurahan else None

    def categorise(self, cleans: Sequence[str], vectors: np.ndarray) -> list[str]:
        """A category code per normalised text ("lainnya" when unsure or without categories)."""
        if self._categoriser is None:
            return [FALLBACK_CATEGORY] * len(cleans)
        return self._categoriser.categorise(list(cleans), vectors)

    def cluster_category(self, member_codes: Sequence[str]) -> str:
        """The category most members agree on."""
        if self._categoriser is None:
            return FALLBACK_CATEGORY
        return self._categoriser.cluster_category(member_codes)

    def item(self, clean: str, vector: np.ndarray, streets: Sequence[str] | None = None, home: str | None = None
             ) -> Item:
        """The grouper's view of a proposal (`streets`: as read from the original text, when known; `home`: the
        kelurahan it is filed under)."""
        return make_item(vector, clean, self._places, streets, self._area_of, home)

    def _institutions(self, clean: str) -> str:
        """Institution aliases from config written as the one name ("perumda tirta taman" -> "pdam")."""
        if self._alias_pattern is None:
            return clean
        return self._alias_pattern.sub(lambda m: self._alias_of[" ".join(m.group(0).split())], clean)

    def suggest(self, prepared: Prepared, k: int) -> list[Suggestion]:
        """Return up to k clusters that ask for the same thing, best first."""
        if prepared.vector is None:
            return []
        item = self.item(prepared.clean, prepared.vector, prepared.streets, prepared.home)
        with self._lock:
            return [Suggestion(c, s) for c, s in self._grouper.suggest(item, k=k)]

    def assign(self, prepared: Prepared) -> int | None:
        """Return the cluster a confirmed proposal joins automatically, or None for a new one."""
        if prepared.vector is None:
            return None
        item = self.item(prepared.clean, prepared.vector, prepared.streets, prepared.home)
        with self._lock:
            return self._grouper.assign(item)

    def twins(self, cluster_id: int, prepared: Prepared) -> list[tuple[int, float]]:
        """Clusters whose average linkage with `cluster_id` (which `prepared` just joined) says they are one."""
        if prepared.vector is None:
            return []
        item = self.item(prepared.clean, prepared.vector, prepared.streets, prepared.home)
        with self._lock:
            return self._grouper.twins(cluster_id, item)

    def add(self, proposal_id: int, cluster_id: int, prepared: Prepared) -> None:
        """Record (or move) a proposal's membership in the index."""
        if prepared.vector is None:
            return
        item = self.item(prepared.clean, prepared.vector, prepared.streets, prepared.home)
        with self._lock:
            self._grouper.add(proposal_id, cluster_id, item)

    def add_many(self, rows: Sequence[tuple[int, int, str, np.ndarray, Sequence[str], str | None]],
                 progress: Callable[[int], object] | None = None) -> None:
        """Load (proposal id, cluster id, clean text, vector, streets, kelurahan) rows into the index."""
        with self._lock:
            for proposal_id, cluster_id, clean, vector, streets, home in rows:
                self._grouper.add(proposal_id, cluster_id, self.item(clean, vector, streets, home))
                if progress is not None:
                    progress(1)

    def add_items(self, rows: Iterable[tuple[int, int, Item]]) -> None:
        """Load (proposal id, cluster id, item) rows whose items are already built (a saved index)."""
        with self._lock:
            for proposal_id, cluster_id, item in rows:
                self._grouper.add(proposal_id, cluster_id, item)

    def load(self, proposal_ids: Sequence[int], cluster_ids: Sequence[int], items: Sequence[Item],
             matrix: np.ndarray) -> None:
        """Fill the empty index at once (nlp.grouping.Grouper.load: the items hold NO_VECTOR, `matrix` their
        vectors in its first rows and spare room after them)."""
        with self._lock:
            self._grouper.load(proposal_ids, cluster_ids, items, matrix)

    def warm(self) -> None:
        """Build what the first search would (the coarse index, above the exact-search limit) now."""
        with self._lock:
            if len(self._grouper) > self.params.exact_search_limit:
                self._grouper.suggest(self._grouper.item(next(iter(self._grouper.ids()))), k=1)

    def entries(self) -> list[tuple[int, int, Item]]:
        """(proposal id, cluster id, item with its vector) of every indexed proposal, by proposal id."""
        with self._lock:
            return [(i, self._grouper.cluster_of(i), self._grouper.item(i)) for i in sorted(self._grouper.ids())]

    def membership(self) -> dict[int, int]:
        """Proposal id -> cluster of every indexed proposal."""
        with self._lock:
            return {i: self._grouper.cluster_of(i) for i in self._grouper.ids()}

    def export(self) -> tuple[list[tuple[int, int, Item]], np.ndarray]:
        """(proposal id, cluster id, item without its vector) of every indexed proposal by proposal id, and
        their vectors, one row each (to save the index: each vector is copied at most once)."""
        with self._lock:
            ids = sorted(self._grouper.ids())
            rows = [(i, self._grouper.cluster_of(i), self._grouper.stored(i)) for i in ids]
            return rows, self._grouper.vectors(ids)

    @property
    def dim(self) -> int:
        """Length of the vectors."""
        return self._embedder.dim if self._embedder else DEFAULT_DIM

    def remove(self, proposal_id: int) -> None:
        """Forget a proposal (hidden, moved out, or deleted)."""
        with self._lock:
            if proposal_id in self._grouper:
                self._grouper.remove(proposal_id)

    def move_cluster(self, old_cluster_id: int, new_cluster_id: int, proposal_ids: Sequence[int]) -> None:
        """Re-file proposals under another cluster (after a merge or split)."""
        with self._lock:
            for proposal_id in proposal_ids:
                if proposal_id in self._grouper:
                    self._grouper.add(proposal_id, new_cluster_id, self._grouper.item(proposal_id))

    def __len__(self) -> int:
        """Number of proposals in the index."""
        return len(self._grouper)
