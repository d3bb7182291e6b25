"""Training on less data: test accuracy of every label type against the fraction of training
data kept, each point a ``label_training`` run through the runner."""

import pandas as pd

from reprlab.papers.labels.runs import label_training_run


def less_data_sweep(labels: list[str], levels: list[float], seeds: list[int], profile: str) -> pd.DataFrame:
    """Test accuracy mean and std over ``seeds`` for every label type and data level (percent),
    each point a ``label_training`` run through the runner. Index (label, level)."""
    rows = []
    for label in labels:
        for level in levels:
            for seed in seeds:
                result = label_training_run(label, profile, {"level": level, "seed": seed})
                rows.append({"label": label, "level": level, "seed": seed,
                             "test_accuracy": result.metrics["test_accuracy"]})
    frame = pd.DataFrame(rows)
    return frame.groupby(["label", "level"])["test_accuracy"].agg(["mean", "std", "count"])
