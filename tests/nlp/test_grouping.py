"""Grouping on hand-made vectors: assignment, suggestions, re-clustering, merge/split proposals."""

from dataclasses import replace

import numpy as np
import pytest

from nlp.cluster import Merge, Split, apply_proposals, average_linkage, compare_partitions, recluster
from nlp.grouping import NO_VECTOR, Grouper, GroupingParams, Item
from nlp.places import PlaceMatcher
from nlp.scoring import make_item

DIM = 8
PARAMS = GroupingParams(
    w_lexical=1.0,
    w_embedding=1.0,
    embedding_center=0.5,
    assign_threshold=0.3,
    suggest_threshold=0.1,
    merge_threshold=0.3,
    place_conflict=0.5,
    place_match=0.0,
)


def vec(*weights: float) -> np.ndarray:
    """A unit vector from the first few coordinates."""
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(weights)] = weights
    return v / np.linalg.norm(v)


def item(v: np.ndarray, terms: tuple[str, ...] = (), kelurahan: tuple[str, ...] = ()) -> Item:
    """An item with explicit terms (no text processing)."""
    return Item(vector=v, text="", kelurahan=kelurahan, terms=terms)


@pytest.fixture
def grouper() -> Grouper:
    g = Grouper(PARAMS, dim=DIM)
    g.add(1, 10, item(vec(1, 0), ("lampu", "jalan")))
    g.add(2, 10, item(vec(1, 0.1), ("lampu", "padam")))
    g.add(3, 20, item(vec(0, 1), ("lubang", "jalan")))
    g.add(4, 30, item(vec(0, 0, 1), ("beasiswa",)))
    return g


def test_assign_joins_the_matching_cluster(grouper: Grouper) -> None:
    assert grouper.assign(item(vec(1, 0.05), ("lampu", "mati"))) == 10
    assert grouper.assign(item(vec(0, 0.1, 0, 1), ("seragam",))) is None


def waste_cluster() -> Grouper:
    """A cluster of one request in two wordings: two members about the truck, one about the full TPS."""
    g = Grouper(PARAMS, dim=DIM)
    g.add(1, 10, item(vec(1, 0), ("sampah", "angkut", "truk")))
    g.add(2, 10, item(vec(1, 0.2), ("sampah", "jadwal", "truk")))
    g.add(3, 10, item(vec(0.3, 1), ("tps", "penuh", "bau")))
    return g


def test_assign_joins_through_a_member_it_all_but_repeats() -> None:
    g = waste_cluster()
    retold = item(vec(0.3, 1, 0.1), ("tps", "penuh", "kontainer"))  # says again what member 3 says
    mean, best = g._scored(retold)[10]
    assert PARAMS.member_floor <= mean < PARAMS.assign_threshold <= PARAMS.member_threshold <= best
    assert g.assign(retold) == 10
    strict = Grouper(replace(PARAMS, member_threshold=2.0), dim=DIM)
    for i in (1, 2, 3):
        strict.add(i, 10, g.item(i))
    assert strict.assign(retold) is None  # the mean alone would open a new cluster


def test_one_lookalike_member_does_not_carry_a_cluster_of_other_things() -> None:
    g = waste_cluster()
    for i in range(4, 10):  # the cluster is mostly about something else
        g.add(i, 10, item(vec(1, -0.1 * i), ("sampah", "truk", f"rute{i}")))
    retold = item(vec(0.3, 1, 0.1), ("tps", "penuh", "kontainer"))
    mean, best = g._scored(retold)[10]
    assert mean < PARAMS.member_floor and best >= PARAMS.member_threshold
    assert g.assign(retold) is None


def test_suggest_orders_best_first_and_limits(grouper: Grouper) -> None:
    shown = grouper.suggest(item(vec(1, 0.6), ("lampu", "lubang", "jalan")), k=2)
    assert [c for c, _ in shown] == [10, 20]
    assert shown[0][1] > shown[1][1]
    assert len(grouper.suggest(item(vec(1, 0.6), ("lampu", "lubang", "jalan")), k=1)) == 1


def test_remove_forgets_the_item(grouper: Grouper) -> None:
    grouper.remove(4)
    assert len(grouper) == 3
    assert all(c != 30 for c, _ in grouper.suggest(item(vec(0, 0, 1), ("beasiswa",))))


def test_add_again_moves_the_item(grouper: Grouper) -> None:
    grouper.add(3, 10, item(vec(0, 1), ("lubang", "jalan")))
    assert grouper.cluster_of(3) == 10 and len(grouper) == 4


def test_different_kelurahan_keeps_local_requests_apart() -> None:
    g = Grouper(PARAMS, dim=DIM)
    g.add(1, 1, item(vec(1, 0), ("banjir", "saluran"), kelurahan=("Kanaan",)))
    near = vec(0.6, 0.8)  # cosine 0.6 with the stored item; one of two terms shared
    assert g.assign(item(near, ("banjir", "hujan"), kelurahan=("Kanaan",))) == 1
    assert g.assign(item(near, ("banjir", "hujan"), kelurahan=("Guntung",))) is None
    assert g.assign(item(near, ("banjir", "hujan"))) == 1


def test_grows_past_initial_capacity() -> None:
    g = Grouper(PARAMS, dim=DIM)
    rng = np.random.default_rng(0)
    for i in range(1500):
        g.add(i, i, item(vec(*rng.normal(size=DIM)), (f"t{i}",)))
    assert len(g) == 1500
    assert g.cluster_of(1499) == 1499
    assert 1499 in dict(g.suggest(item(g._matrix[1499].copy(), ("t1499",)), k=3))


def test_make_item_reads_places_and_drops_them_from_terms() -> None:
    made = make_item(vec(1), "banjir di kanaan", PlaceMatcher({"Kanaan": []}))
    assert made.kelurahan == ("Kanaan",)
    assert made.terms == ("c_banjir",)


def test_recluster_finds_blobs() -> None:
    lamps = [item(vec(1, 0.1 * i), ("lampu",)) for i in range(3)]
    items = lamps + [item(vec(0, 1, 0.1 * i), ("lubang",)) for i in range(3)]
    labels = recluster(items, PARAMS)
    assert len(set(labels[:3])) == 1 and len(set(labels[3:])) == 1 and labels[0] != labels[3]


def test_average_linkage_is_not_single_linkage() -> None:
    a, b = np.array([0, 1]), np.array([1, 2])
    w = np.array([0.9, 0.5], dtype=np.float32)
    # {0,1} merge at 0.9; then {0,1}-{2} averages (0 + 0.5) / 2 = 0.25 < 0.3
    assert average_linkage(3, a, b, w, 0.3).tolist() == [0, 0, 1]
    assert average_linkage(3, a, b, w, 0.2).tolist() == [0, 0, 0]


def test_equal_partitions_give_no_proposals() -> None:
    assert compare_partitions([5, 5, 7, 9], [0, 0, 1, 2]) == []


def test_merge_and_split_proposals() -> None:
    current = [5, 5, 7, 7, 9, 9, 9]
    proposed = [0, 0, 0, 0, 1, 1, 2]
    props = compare_partitions(current, proposed, item_ids=[100, 101, 102, 103, 104, 105, 106])
    assert Merge((5, 7)) in props or Merge((7, 5)) in props
    assert Split(cluster=9, items=(106,), into=None, new_group=2) in props
    assert len(props) == 2


def test_split_into_an_existing_cluster() -> None:
    props = compare_partitions([1, 1, 1, 2, 2], [0, 0, 1, 1, 1])
    assert props == [Split(cluster=1, items=(2,), into=2, new_group=1)]
    assert apply_proposals([1, 1, 1, 2, 2], props) == [1, 1, 2, 2, 2]


@pytest.mark.parametrize("seed", range(5))
def test_accepting_all_proposals_gives_the_proposed_partition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    current, proposed = rng.integers(0, 5, 30).tolist(), rng.integers(0, 6, 30).tolist()
    final = apply_proposals(current, compare_partitions(current, proposed))
    same = lambda lab: {(i, j) for i in range(30) for j in range(30) if lab[i] == lab[j]}  # noqa: E731
    assert same(final) == same(proposed)


def test_average_linkage_from_current_clusters_keeps_them_whole_and_only_merges() -> None:
    a, b = np.array([0, 1, 2]), np.array([1, 2, 3])
    w = np.array([0.9, 0.0, 0.9], dtype=np.float32)
    # alone, {0,1} and {2,3}; started from groups [0,1,2] and [3] (who joined what was decided), they stay whole
    assert average_linkage(4, a, b, w, 0.3).tolist() == [0, 0, 1, 1]
    start = [7, 7, 7, 8]
    labels = average_linkage(4, a, b, w, 0.3, start=start)
    assert labels[0] == labels[1] == labels[2]
    assert compare_partitions(start, labels.tolist()) in ([], [Merge((7, 8))])


def test_a_grouper_filled_at_once_holds_and_suggests_as_one_filled_item_by_item() -> None:
    rng = np.random.default_rng(3)
    texts = ["lampu jalan mati di guntung", "jalan berlubang di lok tuan", "lampu jalan guntung padam lagi",
             "drainase tersumbat di api api", "jalan lok tuan rusak parah", "posyandu butuh timbangan"]
    raw = rng.standard_normal((len(texts), 8)).astype(np.float32)
    vectors = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    items = [make_item(v, t) for v, t in zip(vectors, texts, strict=True)]
    clusters = [0, 1, 0, 2, 1, 3]  # the street lights of Guntung, the road of Lok Tuan, one-offs
    one_by_one, at_once = Grouper(dim=8), Grouper(dim=8)
    for i, item in enumerate(items):
        one_by_one.add(10 + i, clusters[i], item)
    matrix = np.zeros((len(items) + 3, 8), np.float32)
    matrix[: len(items)] = vectors
    at_once.load([10 + i for i in range(len(items))], clusters,
                 [replace(it, vector=NO_VECTOR) for it in items], matrix)
    for grouper in (one_by_one, at_once):
        assert all(grouper.stored(10 + i).vector is NO_VECTOR for i in range(len(items)))  # each vector kept once
        np.testing.assert_array_equal(grouper.item(12).vector, vectors[2])
        np.testing.assert_array_equal(grouper.vectors([10, 11, 12]), vectors[:3])
    assert one_by_one.stats.df == at_once.stats.df and one_by_one.stats.n == at_once.stats.n
    probe = make_item(vectors[0], "lampu jalan mati di guntung, tolong")
    assert one_by_one.suggest(probe, 3) == at_once.suggest(probe, 3) != []
    at_once.add(10, 2, at_once.item(10))  # moved: its vector survives its old row being cleared
    np.testing.assert_array_equal(at_once.item(10).vector, vectors[0])
    with pytest.raises(ValueError, match="empty"):
        at_once.load([99], [1], [items[0]], matrix)
