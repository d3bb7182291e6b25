"""Explore a finished agreement run: examples sorted by the epoch after which every network
gets them right, or by an image statistic; one example's correctness per network and epoch."""

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reprlab.io import read_json
from reprlab.papers.agreement import image_stats, learning_order
from reprlab.papers.agreement.training import NetworkJob, load_recording
from reprlab.workbench.explore import Explorer, dropdown, slider
from reprlab.workbench.figures import show_image, styled
from reprlab.workbench.runner import find_run, run_parameters

FIRST_LEARNED = "first-learned epoch"


class AgreementExplorer(Explorer):
    """Controls: ``sort_by`` (the first-learned epoch or a column of ``stats``), ``label`` (-1:
    every class) and ``rank`` (position in that ascending order; never-learned examples rank
    last). ``compute`` gives the example's index, its correctness (networks, epochs), first
    epoch, statistics, class and image."""

    title = "When deep classifiers agree: learning order and image statistics"

    def __init__(self, correct: np.ndarray, stats: pd.DataFrame, images: np.ndarray, labels: np.ndarray,
                 classes: list[str]) -> None:
        super().__init__()
        self.correct, self.stats, self.images, self.labels, self.classes = correct, stats, images, labels, classes
        first = learning_order.first_learned_epoch(correct)
        self.first = np.where(first < 0, correct.shape[1], first)  # never learned: after the last epoch
        self.controls = {"sort_by": dropdown("sort by", [FIRST_LEARNED, *stats.columns]),
                         "label": dropdown("class", [("all", -1)] + [(c, i) for i, c in enumerate(classes)], -1),
                         "rank": slider("rank", 0, len(labels) - 1, 1, 0)}
        self.controls["label"].observe(self._rank_within_class, names="value")

    def _rank_within_class(self, change: dict[str, Any]) -> None:
        """The rank slider spans the chosen class's examples only (before the frame is redrawn)."""
        self.controls["rank"].max = len(self.order(self.controls["sort_by"].value, change["new"])) - 1

    @classmethod
    def from_run(cls, run: "str | Path | tuple[str, str]") -> "AgreementExplorer":
        """From an ``agreement`` run directory: the recordings of its networks at its first
        label-randomisation probability (``network_runs`` in its metrics) and the image-statistics cache.
        ``run``: a run directory, a path under the runs folder, or ``(notebook, profile)``
        (see :func:`~reprlab.workbench.runner.find_run`)."""
        run_dir = find_run(run, ("agreement",), cls.__name__)
        network_runs = next(iter(read_json(Path(run_dir) / "metrics.json")["network_runs"].values()))
        jobs = [(NetworkJob.from_params(run_parameters(d)), d) for d in network_runs]
        rec = load_recording(jobs)
        stats = image_stats.cached_image_statistics(rec.train_images, rec.train_indices,
                                                    image_stats.cache_path(jobs[0][0].dataset, "train"))
        return cls(learning_order.correctness(rec.train, rec.train_labels), stats, rec.train_images,
                   rec.train_labels, rec.classes)

    def key(self, sort_by: str) -> np.ndarray:
        """Every example's value of ``sort_by``: its first-learned epoch or one of its statistics."""
        return self.first if sort_by == FIRST_LEARNED else self.stats[sort_by].to_numpy()

    def order(self, sort_by: str, label: int) -> np.ndarray:
        """Example positions in ascending order of ``sort_by``, only class ``label`` unless -1."""
        key = self.key(sort_by)
        keep = np.flatnonzero(self.labels == label) if label >= 0 else np.arange(len(self.labels))
        return keep[np.argsort(key[keep], kind="stable")]

    def compute(self, sort_by: str, label: int, rank: int) -> dict[str, Any]:
        order, key = self.order(sort_by, label), self.key(sort_by)
        rank = min(rank, len(order) - 1)
        index = int(order[rank])
        return {"index": index, "correct": self.correct[:, :, index], "first_learned": int(self.first[index]),
                "statistics": self.stats.iloc[index].to_dict(), "label": int(self.labels[index]),
                "image": self.images[index], "sort_by": sort_by, "sorted_values": key[order],
                "value": float(key[index]), "rank": rank}

    @styled
    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.2), gridspec_kw={"width_ratios": [1, 2.2, 2]})
        show_image(axes[0], state["image"].transpose(1, 2, 0), f"#{state['index']}: {self.classes[state['label']]}",
                   vmax=255)
        correct = state["correct"]  # (networks, epochs)
        cells = axes[1].imshow(correct, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        learned = (f"all correct from epoch {state['first_learned']}" if state["first_learned"] < correct.shape[1]
                   else "never correct in every network at once")
        axes[1].set(title=f"correct per network and epoch ({learned})", xlabel="epoch", ylabel="network")
        for axis in (axes[1].xaxis, axes[1].yaxis):
            axis.set_major_locator(MaxNLocator(integer=True))
        colorbar = fig.colorbar(cells, ax=axes[1], ticks=[0, 1], fraction=0.05)
        colorbar.ax.set_yticklabels(["wrong", "correct"])
        axes[1].grid(False)
        values = state["sorted_values"]
        axes[2].plot(np.arange(len(values)), values, color="tab:blue")
        axes[2].axvline(state["rank"], color="tab:red")
        stats = ", ".join(f"{k} {v:.3g}" for k, v in state["statistics"].items())
        axes[2].set(title=f"{state['sort_by']} (sorted); this example: {state['value']:.3g}", xlabel="rank")
        fig.text(0.5, -0.02, stats, ha="center", fontsize=8)
        fig.tight_layout()
        return fig
