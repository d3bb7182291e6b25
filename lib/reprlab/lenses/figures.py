"""The lens matrix's figures: a heat map per lens, the pairwise agreement, and scatters for the
questions the matrix asks across papers."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from reprlab.lenses.instruments import rank_correlation
from reprlab.workbench.figures import styled


@styled
def lens_heatmap(matrix: pd.DataFrame, lens: str) -> Figure:
    """Models (rows) x the metrics of ``lens`` (columns ``lens/metric`` of the matrix), annotated;
    colour scaled per column, so a column's best and worst stand out whatever its unit."""
    table = matrix[[c for c in matrix.columns if c.startswith(f"{lens}/")]]
    table.columns = [c.split("/", 1)[1] for c in table.columns]
    spread = (table.max() - table.min()).replace(0, 1)
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(table.columns), 0.8 + 0.4 * len(table)))
    sns.heatmap((table - table.min()) / spread, annot=table, fmt=".3g", cmap="viridis", cbar=False, ax=ax,
                linewidths=0.5)
    ax.set(title=f"lens: {lens}", xlabel="", ylabel="")
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    return fig


@styled
def agreement_heatmap(pairs: pd.DataFrame) -> Figure:
    """Pairwise true-positive agreement of the models (1 on the diagonal)."""
    fig, ax = plt.subplots(figsize=(1.5 + 0.55 * len(pairs), 1 + 0.45 * len(pairs)))
    sns.heatmap(pairs, annot=True, fmt=".2f", cmap="mako", vmin=0, vmax=1, ax=ax, square=True)
    ax.set(title="Which examples both models get right: |C_a ∩ C_b| / |C_a ∪ C_b|")
    fig.tight_layout()
    return fig


@styled
def lens_scatter(matrix: pd.DataFrame, x: str, y: str) -> Figure:
    """One point per model, ``x`` against ``y`` (two columns of the matrix), with its name."""
    fig, ax = plt.subplots(figsize=(5.5, 4))
    shown = matrix[[x, y]].dropna()
    ax.scatter(shown[x], shown[y], color="tab:blue")
    for name, (a, b) in shown.iterrows():
        ax.annotate(name, (a, b), fontsize="x-small", xytext=(3, 3), textcoords="offset points")
    rho, count = rank_correlation(matrix, x, y)
    ax.set_title(f"Spearman ρ = {rho:.2f} over {count} models" if np.isfinite(rho) else "")
    ax.set(xlabel=x, ylabel=y)
    fig.tight_layout()
    return fig
