"""MCR2 under label corruption: every corruption ratio an ``mcr2_train`` run and a matching
cross-entropy ``train_classifier`` baseline, through the runner (completed points are reused)."""

from typing import Any

import pandas as pd

from reprlab.papers.mcr2.runs import corruption_specs
from reprlab.workbench.runner import run_spec


def corruption_sweep(ratios: list[float], profile: str, ce_params: dict[str, Any]) -> pd.DataFrame:
    """For each label-corruption ratio, run (or reuse) ``mcr2_train`` and the matching
    ``train_classifier`` baseline through the runner; returns one row per ratio with the test
    accuracies ``mcr2_nearest_subspace``, ``mcr2_knn`` and ``cross_entropy``."""
    rows = []
    for ratio, (mcr2, ce) in zip(ratios, corruption_specs(ratios, profile, ce_params), strict=True):
        trained, baseline = run_spec(mcr2), run_spec(ce)
        rows.append({"ratio": ratio, "mcr2_nearest_subspace": trained.metrics["nearest_subspace_accuracy"],
                     "mcr2_knn": trained.metrics["knn_accuracy"],
                     "cross_entropy": baseline.metrics["test_accuracy"]})
    return pd.DataFrame(rows)


def sweep_summary(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Test accuracy lost relative to clean labels (ratio 0, which the table must contain) at every
    other ratio, by MCR2 (nearest subspace, ``mcr2_drop``) and by cross-entropy (``ce_drop``), each
    ``{ratio: fraction}``. The claim is decided on them by ``reprlab.papers.mcr2.claims``."""
    clean = table[table["ratio"] == 0]
    if clean.empty:
        raise ValueError("ratios must include 0.0, the clean-label reference")
    corrupted = table[table["ratio"] > 0]
    return {f"{method}_drop": {f"{row['ratio']:g}": float(clean[column].iloc[0] - row[column])
                               for _, row in corrupted.iterrows()}
            for method, column in (("mcr2", "mcr2_nearest_subspace"), ("ce", "cross_entropy"))}
