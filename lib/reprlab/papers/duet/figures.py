"""Figures of the DUET notebooks: loss terms over training, the online probe over epochs, the
learned group distribution against t, protocol bars per model, and the generation grid."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from reprlab.workbench.figures import epoch_axis, show_image, styled

TERMS = {"nt_xent": "NT-Xent (both directions)", "jsd": "JSD to the target (DUET)",
         "equivariance": "equivariance loss (ESSL)", "probe_ce": "online probe cross-entropy"}


@styled
def loss_terms(history: list[dict[str, float]]) -> Figure:
    """One panel per loss term (training batches, and the test pass where it ran) against epoch."""
    frame = pd.DataFrame(history)
    present = [t for t in TERMS if f"train_{t}" in frame]
    fig, axes = plt.subplots(1, len(present), figsize=(3.3 * len(present), 3.2), squeeze=False)
    for ax, term in zip(axes[0], present, strict=True):
        ax.plot(frame["epoch"], frame[f"train_{term}"], marker="o", label="train")
        if f"test_{term}" in frame:
            tested = frame.dropna(subset=[f"test_{term}"])
            ax.plot(tested["epoch"], tested[f"test_{term}"], marker="s", label="test")
        ax.set(title=TERMS[term], xlabel="epoch")
        epoch_axis(ax, frame["epoch"])
        ax.legend()
    fig.tight_layout()
    return fig


@styled
def probe_accuracy(history: list[dict[str, float]]) -> Figure:
    """Online probe accuracy (%) on augmented training views and on the clean test set."""
    frame = pd.DataFrame(history)
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(frame["epoch"], 100 * frame["train_accuracy"], marker="o", label="train (augmented view 1)")
    if "test_accuracy" in frame:
        tested = frame.dropna(subset=["test_accuracy"])
        ax.plot(tested["epoch"], 100 * tested["test_accuracy"], marker="s", label="test (clean)")
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title="Online linear probe")
    epoch_axis(ax, frame["epoch"])
    ax.legend()
    fig.tight_layout()
    return fig


@styled
def group_distribution(probs: np.ndarray, t: np.ndarray, code: str) -> Figure:
    """softmax over the G bins (columns) for test images sorted by their parameter t (rows), beside
    the true bin floor(t G): a diagonal band means the group axis follows the transformation."""
    bins = probs.shape[1]
    fig, ax = plt.subplots(figsize=(5, 4.5))
    sns.heatmap(probs, cmap="magma", ax=ax, cbar_kws={"label": "softmax over bins"}, yticklabels=False)
    ax.grid(False)  # a grid over a heat map hides it
    rows = np.arange(len(t)) + 0.5
    ax.plot(np.floor(t * bins) % bins + 0.5, rows, color="cyan", lw=1, label="true bin of t")
    ax.set(xlabel="bin g of the group axis", ylabel=f"test images, sorted by t of '{code}' (0 → 1)",
           title="DUET's learned group distribution")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


@styled
def protocol_bars(table: pd.DataFrame, chance: dict[str, float]) -> Figure:
    """One panel per protocol (columns of ``table``, in [0, 1]), a bar per model (rows), in %;
    a dashed line marks chance where ``chance`` gives it. Missing values (no group axis) are
    labelled "n/a"."""
    fig, axes = plt.subplots(1, len(table.columns), figsize=(2.6 * len(table.columns), 3.4), squeeze=False)
    colors = sns.color_palette("deep", len(table))
    for ax, column in zip(axes[0], table.columns, strict=True):
        values = 100 * table[column]
        ax.bar(table.index, values.fillna(0), color=colors)
        for x, value in enumerate(values):
            ax.text(x, (0 if np.isnan(value) else value) + 1, "n/a" if np.isnan(value) else f"{value:.1f}",
                    ha="center", fontsize=8)
        if column in chance:
            ax.axhline(100 * chance[column], color="gray", ls="--", lw=1, label="chance")
            ax.legend(fontsize=7)
        ax.set(title=column.replace("_", " "), ylabel="%", ylim=(0, 105))
    fig.tight_layout()
    return fig


@styled
def generation_grid(rows: dict[str, np.ndarray], columns: list[str], title: str) -> Figure:
    """A grid of images: one row per name in ``rows`` ((K, C, H, W) in [0, 1], K = len(columns))."""
    fig, axes = plt.subplots(len(rows), len(columns), figsize=(1.2 * len(columns), 1.3 * len(rows)),
                             squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        for c in range(len(columns)):
            ax = axes[r, c]
            show_image(ax, np.clip(images[c].transpose(1, 2, 0), 0, 1), vmax=1)
            if r == 0:
                ax.set_title(columns[c], fontsize=7)
            if c == 0:
                ax.set_ylabel(name, fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
