"""Training on less data: test accuracy of every label type against the fraction of training
data kept, each point a ``label_training`` run through the runner."""

from typing import Any

import pandas as pd

from reprlab.papers.labels.runs import less_data_specs
from reprlab.workbench.runner import run_spec


def less_data_sweep(labels: list[str], levels: list[float], seeds: list[int], profile: str,
                    level_budget: str = "steps") -> pd.DataFrame:
    """Test accuracy mean and std over ``seeds`` for every label type and data level (percent),
    each point a ``label_training`` run through the runner with the given ``level_budget`` (see
    :func:`~reprlab.papers.labels.training.budget_for_level`). Index (label, level)."""
    rows = []
    for spec in less_data_specs(labels, levels, seeds, profile, level_budget):
        result = run_spec(spec)
        rows.append({**{k: spec.overrides[k] for k in ("label", "level", "seed")},
                     "test_accuracy": result.metrics["test_accuracy"]})
    frame = pd.DataFrame(rows)
    return frame.groupby(["label", "level"])["test_accuracy"].agg(["mean", "std", "count"])


def less_data_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Each label's mean test accuracy per level (``accuracy_at_<level>``), and the same at the
    smallest level (``lowest_level``, ``accuracy_at_lowest_level``), where the paper's
    data-efficiency claim is decided (by ``reprlab.papers.labels.claims``)."""
    out: dict[str, Any] = {}
    means = table["mean"].unstack("label")  # rows: level, columns: label
    for level, row in means.iterrows():
        out[f"accuracy_at_{level:g}"] = {label: float(v) for label, v in row.dropna().items()}
    lowest = float(means.index.min())
    out["lowest_level"] = lowest
    out["accuracy_at_lowest_level"] = out[f"accuracy_at_{lowest:g}"]
    return out
