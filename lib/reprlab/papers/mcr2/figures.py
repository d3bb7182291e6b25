"""MCR2's figures: per-class singular values, cosine-similarity heat map, 2-D projection and
accuracy against label corruption."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from reprlab.workbench.figures import styled


@styled
def singular_value_spectra(features: np.ndarray, labels: np.ndarray, n_values: int = 30) -> Figure:
    """Top singular values of each class's features (N, d), one line per class (MCR2 Fig. 3)."""
    classes = np.unique(labels)
    palette = sns.color_palette("Blues_d", len(classes))
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for color, j in zip(palette, classes, strict=True):
        values = np.linalg.svd(features[labels == j], compute_uv=False)[:n_values]
        ax.plot(np.arange(1, len(values) + 1), values, color=color, marker=".", label=str(j))
    ax.set(xlabel="component", ylabel="singular value", title="Per-class singular values")
    ax.legend(title="class", fontsize="x-small", ncol=2)
    fig.tight_layout()
    return fig


@styled
def cosine_heatmap(features: np.ndarray, labels: np.ndarray, per_class: int = 100, seed: int = 0) -> Figure:
    """|cosine similarity| of a class-sorted sample (``per_class`` per class) of features (N, d)."""
    rng = np.random.default_rng(seed)
    pick = np.concatenate([rng.permutation(np.flatnonzero(labels == j))[:per_class] for j in np.unique(labels)])
    x = features[pick] / np.linalg.norm(features[pick], axis=1, keepdims=True)
    fig, ax = plt.subplots(figsize=(5, 4.4))
    image = ax.imshow(np.abs(x @ x.T), cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    ax.set(title="|cosine similarity|, sorted by class", xticks=[], yticks=[])
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


@styled
def projection_2d(features: np.ndarray, labels: np.ndarray, names: list[str] | None = None,
                  max_points: int = 3000, seed: int = 0) -> Figure:
    """Features (N, d) projected on their first two principal components, coloured by label."""
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(features))[:max_points]
    xy = PCA(2, random_state=seed).fit_transform(features[pick])
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for j in np.unique(labels):
        mask = labels[pick] == j
        ax.scatter(xy[mask, 0], xy[mask, 1], s=4, alpha=0.6, label=names[j] if names else str(j))
    ax.set(xlabel="PC 1", ylabel="PC 2", title="2-D PCA projection of the features")
    ax.legend(markerscale=3, fontsize="x-small", ncol=2)
    fig.tight_layout()
    return fig


@styled
def accuracy_vs_corruption(table: pd.DataFrame) -> Figure:
    """Test accuracy (%) against label-corruption ratio, one line per method column of ``table``."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    labels = {"mcr2_nearest_subspace": "MCR² + nearest subspace", "mcr2_knn": "MCR² + kNN",
              "cross_entropy": "cross-entropy"}
    for column, label in labels.items():
        if column in table:
            ax.plot(table["ratio"], 100 * table[column], marker="o", label=label)
    ax.set(xlabel="label corruption ratio", ylabel="test accuracy (%)", title="Robustness to label noise")
    ax.legend()
    fig.tight_layout()
    return fig
