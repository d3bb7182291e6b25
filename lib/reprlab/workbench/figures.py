"""Figures every notebook uses (learning curves, confusion matrix, history columns) and the one
plotting style of the workbook, applied per figure (:func:`styled`), never to global state."""

import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sklearn.metrics import confusion_matrix

P = ParamSpec("P")

#: The workbook's plotting style: light grid, no top/right spines, 150 dpi files.
STYLE = {"figure.dpi": 100, "savefig.dpi": 150, "axes.grid": True, "grid.alpha": 0.3,
         "axes.spines.top": False, "axes.spines.right": False}


def epoch_axis(ax: plt.Axes, epochs: Sequence[int] | np.ndarray) -> None:
    """Whole epochs on the x axis: every epoch as a tick for short runs, integer ticks otherwise."""
    epochs = np.asarray(epochs)
    if 0 < len(epochs) <= 12:
        ax.set_xticks(epochs)
        ax.set_xlim(epochs.min() - 0.5, epochs.max() + 0.5)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def styled(make_figure: Callable[P, Figure]) -> Callable[P, Figure]:
    """Draw the figure under :data:`STYLE`, then put back only the :data:`STYLE` settings.

    Not ``plt.rc_context``: it restores *every* rcParam on exit, and the first figure of a Jupyter
    kernel is where the inline backend is loaded and switches interactive mode on. Restoring that
    to off makes every later figure of the notebook vanish from its outputs (they are still saved)."""

    @functools.wraps(make_figure)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        saved = {key: plt.rcParams[key] for key in STYLE}
        plt.rcParams.update(STYLE)
        try:
            return make_figure(*args, **kwargs)
        finally:
            plt.rcParams.update(saved)

    return wrapper


def show_image(ax: plt.Axes, image: np.ndarray, title: str = "", *, vmax: float | None = None,
               fontsize: float | str = 9) -> None:
    """Draw an (H, W, C) image or an (H, W) matrix without ticks or grid, in gray when it has one
    channel. ``vmax`` is the white level from 0 black (1 for pixels in [0, 1], 255 for uint8);
    None scales a gray image to its own range."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    ax.imshow(image, cmap="gray", vmin=None if vmax is None else 0, vmax=vmax)
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=fontsize)


@styled
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
        epoch_axis(ax, frame["epoch"])
    fig.tight_layout()
    return fig


@styled
def confusion(predictions: np.ndarray, targets: np.ndarray, classes: list[str]) -> Figure:
    """Row-normalised confusion matrix (rows: true class, columns: predicted class), in percent."""
    matrix = confusion_matrix(targets, predictions, labels=range(len(classes)), normalize="true")
    size = max(4.5, 0.45 * len(classes))
    fig, ax = plt.subplots(figsize=(size * 1.15, size))
    sns.heatmap(100 * matrix, annot=len(classes) <= 20, fmt=".0f", cmap="Blues", vmin=0, vmax=100,
                xticklabels=classes, yticklabels=classes, cbar_kws={"label": "% of true class"}, ax=ax)
    ax.grid(False)  # a grid over a heat map hides it
    ax.set(xlabel="predicted", ylabel="true", title="Confusion matrix (test)")
    fig.tight_layout()
    return fig


@styled
def history_columns(history: list[dict[str, float]], columns: dict[str, str], title: str, ylabel: str = ""
                    ) -> Figure:
    """Selected history columns against epoch; ``columns`` maps column name -> legend label."""
    frame = pd.DataFrame(history)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for column, label in columns.items():
        if column in frame:
            ax.plot(frame["epoch"], frame[column], marker="o", label=label)
    ax.set(xlabel="epoch", ylabel=ylabel, title=title)
    epoch_axis(ax, frame["epoch"])
    ax.legend()
    fig.tight_layout()
    return fig
