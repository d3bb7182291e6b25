"""Frozen-feature protocols in the spirit of DINO's ``eval_linear.py`` / ``eval_knn.py``:
features in (from :func:`~reprlab.evaluation.features.encode` or ``extract_features``), numbers
out. One ``accuracy``; the linear probe and kNN of any encoder, of any paper.

Features are (N, d) float arrays or tensors, labels (N,) ints.
"""

from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from reprlab.evaluation.classifiers import knn_predict, linear_probe


def _numpy(x: Any) -> np.ndarray:
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def accuracy(predicted: Any, truth: Any) -> float:
    """The fraction of ``predicted`` (N,) equal to ``truth`` (N,) (arrays or tensors); NaN when N = 0."""
    predicted, truth = _numpy(predicted), _numpy(truth)
    if predicted.shape != truth.shape:
        raise ValueError(f"predictions {predicted.shape} and labels {truth.shape} differ in shape")
    return float((predicted == truth).mean()) if len(truth) else float("nan")


def fit_linear_probe(train_x: Any, train_y: Any, *, seed: int = 0) -> Pipeline:
    """The linear probe (standardised features, multinomial logistic regression) fit on the
    training features; ``.predict`` it on other features (e.g. transformed images)."""
    return linear_probe(_numpy(train_x), _numpy(train_y), seed=seed)


def linear_probe_accuracy(train_x: Any, train_y: Any, test_x: Any, test_y: Any, *, seed: int = 0) -> float:
    """Test accuracy of a linear probe fit on the training features."""
    return accuracy(fit_linear_probe(train_x, train_y, seed=seed).predict(_numpy(test_x)), test_y)


def knn_accuracy(train_x: Any, train_y: Any, test_x: Any, test_y: Any, *, k: int = 200,
                 temperature: float = 0.1) -> float:
    """Test accuracy of cosine kNN on the training features: temperature-weighted votes (the
    InstDisc / ESSL monitor, k = 200, τ = 0.1) or, with ``temperature=0``, a majority vote."""
    predicted = knn_predict(_numpy(train_x), _numpy(train_y), _numpy(test_x), k=k, temperature=temperature)
    return accuracy(predicted, test_y)
