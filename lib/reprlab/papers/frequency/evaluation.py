"""A trained classifier on the low- and high-pass test sets X_l^(r), X_h^(r): top-1 accuracy,
per-class accuracy and the confusion matrix, as upstream's ``test.py``."""

from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import confusion_matrix

from reprlab.data import ImageSet, make_loader
from reprlab.papers.frequency.spectra import frequency_split
from reprlab.rehearsal import cap_examples
from reprlab.training import evaluate


def filtered_sets(test: ImageSet, radius: float) -> dict[str, ImageSet]:
    """{"low": X_l^(r), "high": X_h^(r)} of a test split (uint8 (N, C, H, W) images)."""
    low, high = frequency_split(test.images.permute(0, 2, 3, 1).numpy(), radius)
    return {name: ImageSet(test.name, torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), test.targets,
                           test.classes, test.indices) for name, x in (("low", low), ("high", high))}


def scores(model: torch.nn.Module, data: ImageSet, device: torch.device | str) -> dict[str, Any]:
    """Top-1 accuracy, per-class accuracy (K,) and the confusion matrix (K, K) of counts."""
    result = evaluate(model, make_loader(data, 500, train=False, device=device))
    matrix = confusion_matrix(result.targets.numpy(), result.predictions.numpy(), labels=range(data.num_classes))
    per_class = matrix.diagonal() / np.maximum(1, matrix.sum(1))
    return {"accuracy": result.accuracy, "per_class": per_class, "confusion": matrix}


PARTS = ("low", "high")


def accuracy_over_radii(model: torch.nn.Module, test: ImageSet, radii: list[float],
                        device: torch.device | str, parts: tuple[str, ...] = PARTS) -> pd.DataFrame:
    """Accuracy on the original test set and on X_l^(r), X_h^(r) for every radius: one row per
    (radius, part) with columns radius, part ("low", "high", "original") and accuracy. ``parts``
    limits the filtered sets evaluated (each costs a pass over the test set)."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"parts={list(parts)!r}; allowed values: {', '.join(PARTS)}")
    test = cap_examples(test)  # a rehearsal filters and evaluates a few batches
    rows = [{"radius": 0.0, "part": "original", "accuracy": scores(model, test, device)["accuracy"]}]
    for radius in radii:
        for part, data in filtered_sets(test, radius).items():
            if part in parts:
                rows.append({"radius": float(radius), "part": part,
                             "accuracy": scores(model, data, device)["accuracy"]})
    return pd.DataFrame(rows)


def accuracy_by_radius(table: pd.DataFrame, part: str) -> dict[str, float]:
    """``{radius: accuracy}`` of one part ("low", "high" or "original", whose radius is 0) of an
    :func:`accuracy_over_radii` table, radii as short strings (``"12"``) for ``metrics.json``."""
    rows = table[table["part"] == part]
    return {f"{r:g}": float(a) for r, a in zip(rows["radius"], rows["accuracy"], strict=True)}
