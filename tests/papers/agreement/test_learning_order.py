import numpy as np
import pytest

from reprlab.papers.agreement import learning_order as lo

# 3 networks, 2 epochs, 5 examples; hand-checkable correctness.
CORRECT = np.array([
    [[1, 1, 0, 0, 1], [1, 1, 1, 0, 1]],
    [[1, 0, 1, 0, 1], [1, 1, 1, 0, 1]],
    [[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]],
], dtype=bool)


def test_agreement_accuracy_and_bound_by_hand():
    # epoch 0: all correct on {0}; union {0,1,2,4} -> 1/4. epoch 1: all on {0,1,2}; union all 5 -> 3/5
    assert lo.tp_agreement(CORRECT).tolist() == pytest.approx([0.25, 0.6])
    mean, std = lo.accuracy_mean_std(CORRECT)
    assert mean.tolist() == pytest.approx([(3 + 3 + 2) / 15, (4 + 4 + 4) / 15])
    assert std[1] == pytest.approx(0.0)
    # epoch 1: 1 - (0.2 + 0.2 + 0.2) = 0.4; epoch 0: 1 - min(0.4 + 0.4 + 0.6, 1) = 0
    assert lo.lower_bound(CORRECT).tolist() == pytest.approx([0.0, 0.4])
    assert lo.agreed_set(CORRECT, 1).tolist() == [0, 1, 2]


def test_first_epoch_after_which_all_networks_stay_correct():
    correct = np.array([[[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0]]], dtype=bool)  # 1 network, 3 epochs
    assert lo.first_learned_epoch(correct).tolist() == [1, 2, 0, -1]
    assert lo.first_learned_epoch(CORRECT).tolist() == [0, 1, 1, -1, -1]


def test_fleiss_kappa_extremes():
    identical = np.repeat(np.array([[[1, 0, 1, 0, 1, 1]]], dtype=bool), 4, axis=0)
    assert lo.fleiss_kappa(identical)[0] == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    independent = rng.random((5, 1, 20000)) < 0.7
    assert abs(lo.fleiss_kappa(independent)[0]) < 0.02
    assert lo.independent_agreement(independent)[0] == pytest.approx(lo.tp_agreement(independent)[0], abs=0.01)


def test_exact_match_for_multilabel():
    scores = np.array([[0.9, 0.2, 0.7], [0.9, 0.6, 0.7], [0.1, 0.2, 0.7]])
    targets = np.array([[1, 0, 1], [1, 0, 1], [1, 0, 1]])
    assert lo.exact_match(scores, targets).tolist() == [True, False, False]  # a false positive, a miss


def test_correctness_ignores_unrecorded_predictions_and_metric_of_agreed_set():
    predictions = np.array([[[0, 1, -1], [0, 1, 2]], [[0, 2, 2], [0, 1, 2]]])
    correct = lo.correctness(predictions, np.array([0, 1, 2]))
    assert correct[:, 0].tolist() == [[True, True, False], [True, False, True]]
    metric = np.array([1.0, 3.0, 8.0])
    assert lo.mean_metric_of_agreed_set(correct, metric).tolist() == [1.0, 4.0]
