"""Agreement of N networks on which examples they classify correctly, epoch by epoch
("When Deep Classifiers Agree", Pliushch et al.).

``correct`` is a boolean array (networks K, epochs E, examples N): network k classifies example n
correctly after epoch e. All functions are vectorised over epochs.
"""

import warnings
from dataclasses import dataclass

import numpy as np


def correctness(predictions: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(K, E, N) predicted class ids (-1 = not recorded) and (N,) labels -> (K, E, N) bool."""
    return (np.asarray(predictions) == np.asarray(labels)[None, None, :]) & (np.asarray(predictions) >= 0)


def exact_match(scores: np.ndarray, targets: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Multi-label correctness: predicted set = ``scores > threshold``; correct iff it equals the
    target set exactly (no false positive, every true label found). scores, targets: (..., N, L)."""
    return ((np.asarray(scores) > threshold) == np.asarray(targets, dtype=bool)).all(axis=-1)


def tp_agreement(correct: np.ndarray) -> np.ndarray:
    """True-positive agreement per epoch (E,): |∩_k C_k| / max(1, |∪_k C_k|), in [0, 1]."""
    both = correct.all(axis=0).sum(-1)
    either = correct.any(axis=0).sum(-1)
    return both / np.maximum(1, either)


def agreed_class_shares(correct: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Class composition of the agreed set (examples every network gets right) per epoch:
    (E, num_classes) in percent of the agreed set (rows of an empty agreed set are 0)."""
    agreed = correct.all(axis=0)  # (E, N)
    counts = np.stack([np.bincount(labels[row], minlength=num_classes) for row in agreed]).astype(float)
    return 100 * counts / np.maximum(1, counts.sum(1, keepdims=True))


def accuracy_mean_std(correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (population) standard deviation over networks of the accuracy, per epoch (E,)."""
    acc = correct.mean(-1)
    return acc.mean(0), acc.std(0)


def lower_bound(correct: np.ndarray) -> np.ndarray:
    """Union bound on the fraction of examples every network gets right, per epoch (E,):
    1 - min(Σ_k (1 - acc_k), 1). (Normalised by N, unlike the agreement, as upstream.)"""
    acc = correct.mean(-1)
    return 1 - np.minimum((1 - acc).sum(0), 1)


def independent_agreement(correct: np.ndarray) -> np.ndarray:
    """Agreement expected if the networks erred independently with their accuracies, per epoch:
    Π_k a_k / (1 - Π_k (1 - a_k))."""
    acc = correct.mean(-1)
    return acc.prod(0) / np.maximum(1e-12, 1 - (1 - acc).prod(0))


def agreed_set(correct: np.ndarray, epoch: int) -> np.ndarray:
    """Indices of the examples every network classifies correctly after ``epoch`` (0-based)."""
    return np.flatnonzero(correct[:, epoch].all(axis=0))


def fleiss_kappa(correct: np.ndarray) -> np.ndarray:
    """Fleiss' kappa of the K networks' correct/incorrect ratings of every example, per epoch (E,).
    1 = perfect agreement beyond chance, 0 = chance level."""
    k = correct.shape[0]
    n_correct = correct.sum(0).astype(float)  # (E, N)
    counts = np.stack([n_correct, k - n_correct], axis=-1)  # (E, N, 2)
    p_example = ((counts**2).sum(-1) - k) / (k * (k - 1))  # observed agreement per example
    p_bar = p_example.mean(-1)
    p_category = counts.sum(1) / (counts.shape[1] * k)  # (E, 2)
    p_chance = (p_category**2).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p_chance < 1, (p_bar - p_chance) / (1 - p_chance), 1.0)


def first_learned_epoch(correct: np.ndarray) -> np.ndarray:
    """Per example (N,), the first epoch (0-based) from which every network stays correct until
    the end of training; -1 if that never happens (not all correct at the last epoch)."""
    all_correct = correct.all(axis=0)  # (E, N)
    # stays[e] = all_correct[e:].all(): a reversed cumulative AND
    stays = np.flip(np.logical_and.accumulate(np.flip(all_correct, 0), axis=0), 0)
    first = np.argmax(stays, axis=0)
    return np.where(stays[-1], first, -1)


@dataclass
class AgreementCurves:
    """Every per-epoch curve (E,) of the instance-agreement figure."""

    agreement: np.ndarray
    accuracy_mean: np.ndarray
    accuracy_std: np.ndarray
    lower_bound: np.ndarray
    independent: np.ndarray
    kappa: np.ndarray

    @classmethod
    def from_correct(cls, correct: np.ndarray) -> "AgreementCurves":
        mean, std = accuracy_mean_std(correct)
        return cls(tp_agreement(correct), mean, std, lower_bound(correct), independent_agreement(correct),
                   fleiss_kappa(correct))


def mean_metric_of_agreed_set(correct: np.ndarray, metric: np.ndarray) -> np.ndarray:
    """Per epoch (E,), the mean of ``metric`` (N,) over the agreed set (NaN-ignoring; 0 when the
    set is empty, as upstream)."""
    agreed = correct.all(axis=0)  # (E, N)
    values = np.where(agreed, metric[None, :], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty agreed set: mean of nothing
        means = np.nanmean(values, axis=1)
    return np.nan_to_num(means, nan=0.0)
