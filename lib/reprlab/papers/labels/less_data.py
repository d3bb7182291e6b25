"""Training on less data: test accuracy of every label type against the fraction of training
data kept, each point a ``label_training`` run through the runner."""

from typing import Any

import pandas as pd

from reprlab.papers.labels.attacks import HIGH_DIMENSIONAL
from reprlab.papers.labels.runs import label_training_run


def less_data_sweep(labels: list[str], levels: list[float], seeds: list[int], profile: str,
                    level_budget: str = "steps") -> pd.DataFrame:
    """Test accuracy mean and std over ``seeds`` for every label type and data level (percent),
    each point a ``label_training`` run through the runner with the given ``level_budget`` (see
    :func:`~reprlab.papers.labels.training.budget_for_level`). Index (label, level)."""
    rows = []
    for label in labels:
        for level in levels:
            for seed in seeds:
                result = label_training_run(label, profile, {"level": level, "seed": seed,
                                                             "level_budget": level_budget})
                rows.append({"label": label, "level": level, "seed": seed,
                             "test_accuracy": result.metrics["test_accuracy"]})
    frame = pd.DataFrame(rows)
    return frame.groupby(["label", "level"])["test_accuracy"].agg(["mean", "std", "count"])


def less_data_summary(table: pd.DataFrame) -> dict[str, Any]:
    """The paper's data-efficiency claim in numbers, per level: each label's mean test accuracy,
    and the mean accuracy of the high-dimensional labels present minus ``category``'s (positive:
    the high-dimensional labels use the little data better)."""
    out: dict[str, Any] = {}
    means = table["mean"].unstack("label")  # rows: level, columns: label
    for level, row in means.iterrows():
        key = f"{level:g}"
        out[f"accuracy_at_{key}"] = {label: float(v) for label, v in row.dropna().items()}
        high = [label for label in HIGH_DIMENSIONAL if label in row.dropna().index]
        if "category" in row.dropna().index and high:
            out[f"high_dimensional_minus_category_at_{key}"] = float(row[high].mean() - row["category"])
    return out
