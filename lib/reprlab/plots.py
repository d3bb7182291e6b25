"""Figures shared by the notebooks. Each function takes arrays and returns a matplotlib Figure."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix


def learning_curves(history: list[dict[str, float]]) -> Figure:
    """Loss and accuracy per epoch for every split present in ``history`` (engine records)."""
    frame = pd.DataFrame(history)
    splits = [c[:-len("_loss")] for c in frame.columns if c.endswith("_loss")]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    for split in splits:
        ax_loss.plot(frame["epoch"], frame[f"{split}_loss"], marker="o", label=split)
        ax_acc.plot(frame["epoch"], 100 * frame[f"{split}_accuracy"], marker="o", label=split)
    ax_loss.set(xlabel="epoch", ylabel="loss", title="Loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    ax_acc.legend()
    fig.tight_layout()
    return fig


def confusion(predictions: np.ndarray, targets: np.ndarray, classes: list[str]) -> Figure:
    """Row-normalised confusion matrix (rows: true class, columns: predicted class), in percent."""
    matrix = confusion_matrix(targets, predictions, labels=range(len(classes)), normalize="true")
    size = max(4.5, 0.45 * len(classes))
    fig, ax = plt.subplots(figsize=(size * 1.15, size))
    sns.heatmap(100 * matrix, annot=len(classes) <= 20, fmt=".0f", cmap="Blues", vmin=0, vmax=100,
                xticklabels=classes, yticklabels=classes, cbar_kws={"label": "% of true class"}, ax=ax)
    ax.set(xlabel="predicted", ylabel="true", title="Confusion matrix (test)")
    fig.tight_layout()
    return fig
