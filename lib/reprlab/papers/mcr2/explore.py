"""Explore a finished MCR² run: two classes' subspaces (principal angles, singular values) and a
test example's residual to every class subspace, the nearest-subspace decision."""

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy.linalg import subspace_angles

from reprlab.data import load_dataset
from reprlab.evaluation import class_subspaces
from reprlab.io import read_json
from reprlab.papers.mcr2.training import Features
from reprlab.workbench.explore import Explorer, dropdown, slider
from reprlab.workbench.figures import show_image, styled
from reprlab.workbench.runner import find_run, run_parameters


class MCR2Explorer(Explorer):
    """Controls: ``class_a``, ``class_b`` (indices), ``example`` (a test row). ``compute`` gives
    the principal angles between the two classes' top-``n_comp`` subspaces (degrees, ascending),
    both classes' singular values, and the example's residual to every class subspace with the
    decision (the class of the smallest residual) and its true class."""

    title = "MCR²: class subspaces and the nearest-subspace decision"

    def __init__(self, features: Features, n_comp: int, class_names: list[str] | None = None,
                 test_images: np.ndarray | None = None) -> None:
        """``test_images``: uint8 (N, C, H, W), row i the image of test feature i (drawn beside its
        residuals); None draws the residuals alone."""
        super().__init__()
        self.features = features
        if test_images is not None and len(test_images) != len(features.test):
            raise ValueError(f"test_images has {len(test_images)} images for {len(features.test)} test features")
        self.test_images = test_images
        self.subspaces = class_subspaces(features.train, features.train_labels, n_comp=n_comp)
        self.names = class_names or [str(c) for c in self.subspaces.classes]
        # a subspace per class the training features hold (a capped rehearsal may miss some):
        # the controls choose positions among them
        self.present = [self.names[int(c)] for c in self.subspaces.classes]
        options = [(name, i) for i, name in enumerate(self.present)]
        self.controls = {"class_a": dropdown("class A", options, 0),
                         "class_b": dropdown("class B", options, min(1, len(options) - 1)),
                         "example": slider("test example", 0, len(features.test) - 1, 1, 0)}

    @classmethod
    def from_run(cls, run: "str | Path | tuple[str, str]") -> "MCR2Explorer":
        """From an ``mcr2_train`` run (its ``features/``) or an ``mcr2_evaluate`` run (its training run).
        ``run``: a run directory, a path under the runs folder, or ``(notebook, profile)``
        (see :func:`~reprlab.workbench.runner.find_run`)."""
        run_dir = find_run(run, ("mcr2_train", "mcr2_evaluate"), cls.__name__)
        params = run_parameters(run_dir)
        features_dir = Path(run_dir) / "features"
        if not features_dir.exists():
            train_run = Path(read_json(Path(run_dir) / "metrics.json")["train_run"])
            features_dir = train_run / "features"
            params = {**run_parameters(train_run), "n_comp": params["n_comp"]}
        test = load_dataset(params["dataset"], "test")  # the features' test rows, in order
        features = Features.load(features_dir)
        images = test.images.numpy() if len(test) == len(features.test) else None
        return cls(features, params["n_comp"], test.classes, images)

    def compute(self, class_a: int, class_b: int, example: int) -> dict[str, Any]:
        s = self.subspaces
        residuals = s.residuals(self.features.test[example:example + 1])[0]
        return {"angles_degrees": np.sort(np.degrees(subspace_angles(s.bases[class_a], s.bases[class_b]))),
                "singular_values": {class_a: s.singular_values[class_a], class_b: s.singular_values[class_b]},
                "residuals": residuals, "decision": int(s.classes[residuals.argmin()]),
                "true": int(self.features.test_labels[example]), "class_a": class_a, "class_b": class_b,
                "example": example}

    @styled
    def draw(self, state: dict[str, Any]) -> Figure:
        image = self.test_images is not None
        fig, axes = plt.subplots(1, 3 + image, figsize=(13 + 2.6 * image, 3.4),
                                 gridspec_kw={"width_ratios": [1, 1, 1.3, 0.6][:3 + image]})
        for c, values in state["singular_values"].items():
            shown = values[:3 * len(state["angles_degrees"])]
            axes[0].plot(np.arange(1, len(shown) + 1), shown, marker="o", label=self.present[c])
        axes[0].set(title="singular values", xlabel="component", ylabel="σ")
        axes[0].legend()
        angles = state["angles_degrees"]
        axes[1].bar(np.arange(1, len(angles) + 1), angles, color="tab:purple")
        axes[1].set(title=f"principal angles: {self.present[state['class_a']]} vs {self.present[state['class_b']]}",
                    xlabel="angle", ylabel="degrees", ylim=(0, 90))
        for ax in axes[:2]:  # component and angle numbers are whole
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        colors = ["tab:green" if c == state["decision"] else "tab:gray" for c in self.subspaces.classes]
        axes[2].bar(self.present, state["residuals"], color=colors)
        axes[2].set(title=f"residual to each subspace (true: {self.names[state['true']]})", ylabel="‖(I − UUᵀ)z‖")
        axes[2].tick_params(axis="x", rotation=60)
        if image:
            picture = np.moveaxis(self.test_images[state["example"]], 0, -1)
            show_image(axes[3], picture, f"test example {state['example']}\n{self.names[state['true']]} → "
                       f"{self.names[state['decision']]}", vmax=255)
        fig.tight_layout()
        return fig
