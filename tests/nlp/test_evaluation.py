"""Evaluation helpers: pairwise P/R/F1, ARI, hit@k."""

import pytest

from nlp.evaluation import ari, hit_at_k, label_scores, merge_precision, pairwise_prf, singletons


def test_perfect_and_renamed_partitions() -> None:
    assert pairwise_prf(["a", "a", "b"], [7, 7, 3]) == (1.0, 1.0, 1.0)
    assert ari(["a", "a", "b", "b"], [1, 1, 0, 0]) == pytest.approx(1.0)


def test_all_in_one_cluster() -> None:
    p, r, f = pairwise_prf(["a", "a", "b", "b"], [0, 0, 0, 0])
    assert (p, r) == (pytest.approx(2 / 6), 1.0) and f == pytest.approx(0.5)


def test_all_singletons_have_no_recall() -> None:
    p, r, f = pairwise_prf(["a", "a", "b"], [0, 1, 2])
    assert (p, r, f) == (1.0, 0.0, 0.0)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        pairwise_prf(["a"], [0, 1])


def test_not_a_proposal_lines_are_singletons() -> None:
    labels = singletons(["x", "not-a-proposal", "not-a-proposal", "x"])
    assert labels[1] != labels[2] and labels[0] == labels[3]
    assert pairwise_prf(labels, [0, 1, 1, 0])[0] == pytest.approx(0.5)


def test_hit_at_k() -> None:
    true = ["a", "b", "a", "a", "c"]
    at_arrival = [10, 20, 30, 10, 40]
    shown = [[], [10], [20, 10], [99, 98, 30], [10]]
    # message 2: group a seen in cluster 10, shown [20, 10] -> hit@2 not hit@1
    # message 3: group a in clusters {10, 30}, shown 30 third -> hit@3 only
    assert hit_at_k(true, at_arrival, shown, 1) == 0.0
    assert hit_at_k(true, at_arrival, shown, 2) == 0.5
    assert hit_at_k(true, at_arrival, shown, 3) == 1.0


def test_hit_at_k_with_nothing_to_find() -> None:
    assert hit_at_k(["a", "b"], [0, 1], [[], [0]], 3) == 1.0


def test_hit_at_k_of_some_messages_only() -> None:
    true = ["a", "a", "b", "b"]
    at_arrival = [10, 10, 20, 20]
    shown = [[], [10], [], [99]]
    assert hit_at_k(true, at_arrival, shown, 3) == 0.5
    assert hit_at_k(true, at_arrival, shown, 3, only=[True, True, False, False]) == 1.0
    assert hit_at_k(true, at_arrival, shown, 3, only=[False, False, True, True]) == 0.0


def test_merge_precision_counts_each_absorbed_cluster_by_its_commonest_request() -> None:
    true = ["a", "a", "a", "b", "b", "c"]
    labels = [1, 1, 2, 3, 3, 4]
    assert merge_precision(true, labels, []) == 1.0
    assert merge_precision(true, labels, [(1, 2)]) == 1.0
    assert merge_precision(true, labels, [(1, 2, 3)]) == 0.5  # 2 is a's, 3 is b's
    assert merge_precision(true, labels, [(1, 2), (3, 4)]) == 0.5


def test_pairwise_prf_of_the_pairs_of_some_messages() -> None:
    true = ["a", "a", "b", "b"]
    pred = [1, 1, 2, 3]  # message 3 (the second b) missed its group
    assert pairwise_prf(true, pred, only=[True, False, False, False]) == (1.0, 1.0, 1.0)
    assert pairwise_prf(true, pred, only=[False, False, False, True]) == (1.0, 0.0, 0.0)
    assert pairwise_prf(true, pred, only=[True, True, True, True]) == pairwise_prf(true, pred)


def test_label_scores_count_each_label_on_its_own() -> None:
    truth = [{"anak"}, {"anak", "lansia"}, set(), {"lansia"}, {"anak"}]
    read = [{"anak"}, {"lansia"}, {"anak"}, {"lansia", "nelayan"}, set()]
    anak, lansia, nelayan, perempuan = label_scores(truth, read, ["anak", "lansia", "nelayan", "perempuan"])
    assert (anak.support, anak.predicted, anak.correct) == (3, 2, 1)
    assert anak.precision == pytest.approx(0.5) and anak.recall == pytest.approx(1 / 3)
    assert anak.f1 == pytest.approx(0.4)
    assert (lansia.precision, lansia.recall, lansia.f1) == (1.0, 1.0, 1.0)
    assert (nelayan.support, nelayan.precision, nelayan.recall, nelayan.f1) == (0, 0.0, None, None)
    assert (perempuan.predicted, perempuan.precision, perempuan.f1) == (0, None, None)


def test_label_scores_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        label_scores([{"anak"}], [], ["anak"])
