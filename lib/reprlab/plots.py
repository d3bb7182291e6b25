"""Figures shared by the notebooks. Each function takes arrays and returns a matplotlib Figure."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
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
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
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


def history_columns(history: list[dict[str, float]], columns: dict[str, str], title: str) -> Figure:
    """Selected history columns against epoch; ``columns`` maps column name -> legend label."""
    frame = pd.DataFrame(history)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for column, label in columns.items():
        if column in frame:
            ax.plot(frame["epoch"], frame[column], marker="o", label=label)
    ax.set(xlabel="epoch", title=title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    fig.tight_layout()
    return fig


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
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


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
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


def agreed_class_histograms(correct: np.ndarray, labels: np.ndarray, classes: list[str]) -> Figure:
    """Class composition (% of the agreed set) of the agreed set per epoch, as a heat map."""
    agreed = correct.all(axis=0)  # (E, N)
    counts = np.stack([np.bincount(labels[row], minlength=len(classes)) for row in agreed]).astype(float)
    shares = 100 * counts / np.maximum(1, counts.sum(1, keepdims=True))
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(classes) + 2))
    sns.heatmap(shares.T, cmap="viridis", yticklabels=classes, xticklabels=np.arange(1, len(agreed) + 1),
                cbar_kws={"label": "% of the agreed set"}, ax=ax)
    ax.set(xlabel="epoch", title="Classes in the agreed set")
    fig.tight_layout()
    return fig


def metric_histograms(metrics: pd.DataFrame, bins: int = 50) -> Figure:
    """One histogram per column of ``metrics``."""
    columns = list(metrics.columns)
    fig, axes = plt.subplots(1, len(columns), figsize=(3.2 * len(columns), 2.8), squeeze=False)
    for ax, column in zip(axes[0], columns, strict=True):
        ax.hist(metrics[column].to_numpy(dtype=float), bins=bins, color="C0")
        ax.set(title=column, yticks=[])
    fig.tight_layout()
    return fig


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
                image = ex[kind][i]
                ax.imshow(image.squeeze(-1) if image.shape[-1] == 1 else image, cmap="gray", vmin=0, vmax=1)
                pred = ex["clean_pred" if kind == "clean" else "adv_pred"][i]
                ax.set_title(ex["classes"][pred][:10], fontsize="x-small",
                             color="black" if pred == ex["targets"][i] else "red")
                ax.set(xticks=[], yticks=[])
        row[0].set_ylabel(label, fontsize="small")
    fig.suptitle(f"clean | BIM ε = {255 * ex['eps']:.0f}/255", fontsize="small")
    fig.tight_layout()
    return fig


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


def agreement_by_label_noise(correct_by_prob: dict[float, np.ndarray]) -> Figure:
    """True-positive agreement per epoch for each label-randomisation probability; values are
    correctness arrays (K networks, E epochs, N examples)."""
    from reprlab.learning_order import tp_agreement

    fig, ax = plt.subplots(figsize=(6, 3.8))
    for prob, correct in correct_by_prob.items():
        ax.plot(np.arange(1, correct.shape[1] + 1), 100 * tp_agreement(correct), marker=".", label=f"p = {prob:g}")
    ax.set(xlabel="epoch", ylabel="TP agreement (%)", title="Agreement under label randomisation")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    fig.tight_layout()
    return fig
