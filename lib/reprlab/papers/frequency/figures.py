"""Figures of the frequency-bias paper: the learning-priority heat map (epochs x bands), band
energy and spectral centroid over training, accuracy on low/high-pass test sets against the
radius, and example images."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from reprlab.papers.frequency.gradients import global_minmax
from reprlab.papers.frequency.spectra import band_energy_fractions, spectral_centroid
from reprlab.workbench.figures import epoch_axis, show_image, styled


@styled
def spectrum_heatmap(matrix: np.ndarray, title: str = "Input-gradient spectrum over training") -> Figure:
    """Upstream's learning-priority map: rows = epochs (0 = before training, growing upwards),
    columns = frequency bands, one global min-max over the whole (epochs, bands) matrix."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    sns.heatmap(global_minmax(matrix), cmap="viridis", ax=ax, cbar_kws={"label": "normalised magnitude"})
    ax.grid(False)  # a grid over a heat map hides it
    ax.invert_yaxis()
    ax.set(xlabel="frequency band", ylabel="epoch", title=title)
    fig.tight_layout()
    return fig


@styled
def spectrum_evolution(matrix: np.ndarray) -> Figure:
    """Share of the gradient spectrum in the low, middle and high thirds of the bands, and its
    centroid (in bands), per epoch."""
    epochs = np.arange(len(matrix))
    fractions = band_energy_fractions(matrix)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for k, name in enumerate(("low", "middle", "high")):
        left.plot(epochs, 100 * fractions[:, k], marker="o", label=f"{name} bands")
    left.set(xlabel="epoch (0 = before training)", ylabel="% of the spectrum", title="Band energy")
    left.legend()
    right.plot(epochs, spectral_centroid(matrix), marker="o", color="C3")
    right.set(xlabel="epoch (0 = before training)", ylabel="band", title="Spectral centroid")
    for ax in (left, right):
        epoch_axis(ax, epochs)
    fig.tight_layout()
    return fig


@styled
def accuracy_vs_radius(tables: dict[str, pd.DataFrame]) -> Figure:
    """Accuracy (%) on X_l^(r) (solid) and X_h^(r) (dashed) against r, one colour per model
    (``tables``: model -> :func:`~reprlab.papers.frequency.evaluation.accuracy_over_radii`);
    dotted: each model on the original test set. A part a table lacks is not drawn."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for k, (model, table) in enumerate(tables.items()):
        for part, style in (("low", "-"), ("high", "--")):
            rows = table[table["part"] == part]
            if rows.empty:
                continue
            ax.plot(rows["radius"], 100 * rows["accuracy"], style, marker="o", color=f"C{k}",
                    label=f"{model}: {part}-pass")
        original = table[table["part"] == "original"]["accuracy"].iloc[0]
        ax.axhline(100 * original, color=f"C{k}", ls=":", lw=1)
    ax.set(xlabel="radius r", ylabel="test accuracy (%)", ylim=(0, 100),
           title="Low-pass keeps d < r, high-pass keeps d ≥ r")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


@styled
def image_grid(rows: list[list[tuple[np.ndarray, str]]]) -> Figure:
    """A grid of uint8 (H, W, C) images with titles: ``rows[i][j] = (image, title)``."""
    columns = max(len(r) for r in rows)
    fig, axes = plt.subplots(len(rows), columns, figsize=(1.5 * columns, 1.6 * len(rows)), squeeze=False)
    for ax_row, row in zip(axes, rows, strict=True):
        for ax, (image, title) in zip(ax_row, row, strict=False):
            show_image(ax, image, title, vmax=255, fontsize="x-small")
        for ax in ax_row[len(row):]:
            ax.axis("off")
    fig.tight_layout()
    return fig


@styled
def spectrum_heatmaps(matrices: dict[str, np.ndarray]) -> Figure:
    """:func:`spectrum_heatmap` of several models side by side (each with its own global min-max)."""
    fig, axes = plt.subplots(1, len(matrices), figsize=(4.2 * len(matrices), 3.8), squeeze=False)
    for ax, (name, matrix) in zip(axes[0], matrices.items(), strict=True):
        sns.heatmap(global_minmax(matrix), cmap="viridis", ax=ax, cbar=False)
        ax.grid(False)  # a grid over a heat map hides it
        ax.invert_yaxis()
        ax.set(xlabel="frequency band", ylabel="epoch", title=name)
    fig.suptitle("Learning priority: input-gradient spectrum over training")
    fig.tight_layout()
    return fig


@styled
def density_curves(curves: dict[str, np.ndarray], title: str, ylabel: str = "normalised density") -> Figure:
    """Radial profiles (bands,) overlaid, one line each."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for name, curve in curves.items():
        ax.plot(np.arange(len(curve)), curve, marker=".", label=name)
    ax.set(xlabel="frequency band", ylabel=ylabel, title=title)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
