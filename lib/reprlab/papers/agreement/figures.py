"""Figures of "When deep classifiers agree": instance agreement, the agreed set's image
statistics and classes, correlations with learning order, and agreement under label noise."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from reprlab.workbench.figures import epoch_axis, styled


@styled
def instance_agreement(curves, title: str = "Instance agreement") -> Figure:
    """Agreement, mean accuracy ± std, the union lower bound (dotted, hatched gap) and the
    agreement independent networks would reach (dashed), per epoch. ``curves``: AgreementCurves."""
    epochs = np.arange(1, len(curves.agreement) + 1)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(epochs, 100 * curves.agreement, label="TP agreement", color="C0")
    ax.plot(epochs, 100 * curves.accuracy_mean, label="accuracy (mean ± std)", color="C2")
    ax.fill_between(epochs, 100 * (curves.accuracy_mean - curves.accuracy_std),
                    100 * (curves.accuracy_mean + curves.accuracy_std), color="C2", alpha=0.2)
    ax.plot(epochs, 100 * curves.lower_bound, ":", color="k", label="lower bound")
    ax.fill_between(epochs, 100 * curves.lower_bound, 100 * curves.agreement, hatch="//", facecolor="none",
                    edgecolor="0.6", linewidth=0)
    ax.plot(epochs, 100 * curves.independent, "--", color="C3", label="independent networks")
    ax.set(xlabel="epoch", ylabel="%", title=title, ylim=(0, 100))
    epoch_axis(ax, epochs)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


@styled
def agreement_with_metric(curves, metric_curve: np.ndarray, name: str, min_agreement: float = 0.2,
                          min_epoch: int = 5) -> Figure:
    """Upstream twin-axis figure: agreement, accuracy and bound (left); the mean ``name`` of the
    agreed set (right, orange), masked where agreement < ``min_agreement`` or epoch < ``min_epoch``."""
    epochs = np.arange(1, len(curves.agreement) + 1)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.plot(epochs, 100 * curves.agreement, label="agreement", color="C0")
    ax.plot(epochs, 100 * curves.accuracy_mean, label="accuracy", color="C2")
    ax.plot(epochs, 100 * curves.lower_bound, ":", color="k", label="lower bound")
    ax.set(xlabel="epoch", ylabel="%", ylim=(0, 100), title=f"Mean {name} of the agreed set")
    right = ax.twinx()
    masked = np.where((curves.agreement >= min_agreement) & (epochs >= min_epoch), metric_curve, np.nan)
    right.plot(epochs, masked, color="C1", marker=".", label=name)
    right.set_ylabel(name, color="C1")
    right.grid(False)
    if np.isnan(masked).all():
        right.set_yticks([])
        ax.text(0.5, 0.5, f"{name} not shown: agreement < {100 * min_agreement:.0f} %\nor epoch < {min_epoch} "
                "in every epoch", transform=ax.transAxes, ha="center", va="center", color="C1", fontsize="small")
    epoch_axis(ax, epochs)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


@styled
def agreed_class_histograms(shares: np.ndarray, classes: list[str]) -> Figure:
    """Class composition of the agreed set per epoch as a heat map; ``shares`` (E, K) in percent
    (:func:`~reprlab.papers.agreement.learning_order.agreed_class_shares`)."""
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(classes) + 2))
    sns.heatmap(shares.T, cmap="viridis", yticklabels=classes, xticklabels=np.arange(1, len(shares) + 1),
                cbar_kws={"label": "% of the agreed set"}, ax=ax)
    ax.grid(False)  # a grid over a heat map hides it
    ax.set(xlabel="epoch", title="Classes in the agreed set")
    fig.tight_layout()
    return fig


@styled
def metric_histograms(metrics: pd.DataFrame, bins: int = 50) -> Figure:
    """One histogram per column of ``metrics``."""
    columns = list(metrics.columns)
    fig, axes = plt.subplots(1, len(columns), figsize=(3.2 * len(columns), 2.8), squeeze=False)
    for ax, column in zip(axes[0], columns, strict=True):
        ax.hist(metrics[column].to_numpy(dtype=float), bins=bins, color="C0")
        ax.set(title=column, yticks=[])
    fig.tight_layout()
    return fig


@styled
def correlation_intervals(table: pd.DataFrame) -> Figure:
    """Spearman correlations with their bootstrap intervals (``table``: spearman, ci_low, ci_high)."""
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(table) + 1.5))
    y = np.arange(len(table))
    ax.errorbar(table["spearman"], y, xerr=[table["spearman"] - table["ci_low"], table["ci_high"] - table["spearman"]],
                fmt="o", capsize=4)
    ax.axvline(0, color="0.5", lw=1)
    ax.set(yticks=y, yticklabels=table.index, xlabel="Spearman ρ with the epoch first learned by all networks",
           title="Image statistics vs. learning order (95 % CI)")
    fig.tight_layout()
    return fig


@styled
def agreement_by_label_noise(agreement_by_prob: dict[float, np.ndarray]) -> Figure:
    """True-positive agreement per epoch (E,) for each label-randomisation probability
    (:func:`~reprlab.papers.agreement.learning_order.tp_agreement` of each run)."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for prob, agreement in agreement_by_prob.items():
        ax.plot(np.arange(1, len(agreement) + 1), 100 * agreement, marker=".", label=f"p = {prob:g}")
    ax.set(xlabel="epoch", ylabel="TP agreement (%)", title="Agreement under label randomisation")
    epoch_axis(ax, np.arange(1, max(len(a) for a in agreement_by_prob.values()) + 1))
    ax.legend()
    fig.tight_layout()
    return fig
