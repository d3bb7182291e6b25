"""Figures of the label-representation paper: the label gallery, robustness curves, adversarial
examples and accuracy against the amount of training data."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reprlab.workbench.figures import show_image, styled


@styled
def label_gallery(banks: dict[str, np.ndarray], class_names: list[str], columns: int = 5) -> Figure:
    """Rows: label types; columns: the labels of the first ``columns`` classes (vectors as bars)."""
    columns = min(columns, len(class_names))
    fig, axes = plt.subplots(len(banks), columns, figsize=(1.8 * columns, 1.8 * len(banks)), squeeze=False)
    for row, (kind, bank) in zip(axes, banks.items(), strict=True):
        for j, ax in enumerate(row):
            label = bank[j]
            if label.ndim == 2:
                ax.imshow(label, cmap="magma", aspect="auto")
            else:
                ax.bar(np.arange(len(label)), label, color="C0")
            ax.set(xticks=[], yticks=[])
            if j == 0:
                ax.set_ylabel(kind)
            if kind == next(iter(banks)):
                ax.set_title(class_names[j], fontsize="small")
    fig.tight_layout()
    return fig


@styled
def robustness_curves(table: pd.DataFrame) -> Figure:
    """Accuracy (%) against eps, one panel per attack (method x targeted), one line per label type."""
    panels = list(table.groupby(["method", "targeted"]).groups)
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.6), squeeze=False, sharey=True)
    for ax, (method, targeted) in zip(axes[0], panels, strict=True):
        frame = table[(table["method"] == method) & (table["targeted"] == targeted)]
        for label, rows in frame.groupby("label", sort=False):
            ax.plot(255 * rows["eps"], 100 * rows["accuracy"], marker="o", label=label)
        ax.set(title=f"{method.upper()} {'targeted' if targeted else 'untargeted'}", xlabel="ε (×1/255)")
    axes[0][0].set_ylabel("accuracy under attack (%)")
    axes[0][-1].legend(fontsize="x-small")
    fig.tight_layout()
    return fig


@styled
def adversarial_grid(examples: dict) -> Figure:
    """Per label type (rows), clean and adversarial versions of a few test images with the
    predicted class (red when wrong)."""
    labels = list(examples)
    n = len(next(iter(examples.values()))["clean"])
    fig, axes = plt.subplots(len(labels), 2 * n, figsize=(1.5 * 2 * n, 1.7 * len(labels)), squeeze=False)
    for row, label in zip(axes, labels, strict=True):
        ex = examples[label]
        for i in range(n):
            for j, kind in enumerate(("clean", "adversarial")):
                ax = row[2 * i + j]
                show_image(ax, ex[kind][i], vmax=1)
                pred = ex["clean_pred" if kind == "clean" else "adv_pred"][i]
                ax.set_title(ex["classes"][pred][:10], fontsize="x-small",
                             color="black" if pred == ex["targets"][i] else "red")
        row[0].set_ylabel(label, fontsize="small")
    fig.suptitle(f"clean | BIM ε = {255 * ex['eps']:.0f}/255", fontsize="small")
    fig.tight_layout()
    return fig


@styled
def accuracy_vs_level(table: pd.DataFrame) -> Figure:
    """Test accuracy (%) mean ± std over seeds against the percentage of training data."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for label, frame in table.reset_index().groupby("label", sort=False):
        ax.errorbar(frame["level"], 100 * frame["mean"], yerr=100 * frame["std"].fillna(0), marker="o",
                    capsize=3, label=label)
    ax.set(xscale="log", xlabel="training data (%)", ylabel="test accuracy (%)", title="Training on less data")
    ax.legend(fontsize="x-small")
    fig.tight_layout()
    return fig
