"""Explore a finished frequency-bias run: a test image's low- and high-pass versions at a chosen
radius with the trained model's prediction on each, and the input-gradient spectrum at a chosen
epoch of training against the whole heat map."""

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reprlab.data import ImageSet, load_dataset
from reprlab.data.normalize import Normalizer
from reprlab.experiments.classification import load_classifier
from reprlab.io import read_json
from reprlab.papers.frequency.gradients import global_minmax
from reprlab.papers.frequency.spectra import frequency_split, max_radius
from reprlab.workbench.explore import Explorer, slider
from reprlab.workbench.figures import show_image, styled
from reprlab.workbench.runner import find_run, run_parameters

PARTS = ("original", "low", "high")


class FrequencyExplorer(Explorer):
    """Controls: ``example`` (a test image), ``radius`` (the low-pass disk, in frequency-plane
    pixels) and ``epoch`` (a row of the gradient-spectrum matrix, 0 = before training).
    ``compute`` gives the three images (uint8 (H, W, C)), the model's predicted class and
    probability of the true class on each, and the spectrum row (global min-max, as the heat map)."""

    title = "Frequency bias: low- and high-pass images, and the gradient spectrum over training"

    def __init__(self, model: torch.nn.Module, test: ImageSet, normalizer: Normalizer, spectrum: np.ndarray) -> None:
        super().__init__()
        self.model, self.test, self.normalizer = model.eval(), test, normalizer
        self.spectrum = global_minmax(np.asarray(spectrum))
        _, _, height, width = test.images.shape
        self.controls = {"example": slider("test image", 0, len(test) - 1, 1, 0),
                         "radius": slider("radius r", 0.5, round(max_radius(height, width), 1), 0.5, 8.0),
                         "epoch": slider("epoch", 0, len(self.spectrum) - 1, 1, len(self.spectrum) - 1)}

    @classmethod
    def from_run(cls, run: "str | Path | tuple[str, str]") -> "FrequencyExplorer":
        """From a ``frequency_filtering`` or ``frequency_hars`` run (their baseline training run) or
        a ``frequency_gradients`` run itself.
        ``run``: a run directory, a path under the runs folder, or ``(notebook, profile)``
        (see :func:`~reprlab.workbench.runner.find_run`)."""
        run_dir = find_run(run, ("frequency_filtering", "frequency_hars", "frequency_gradients"), cls.__name__)
        metrics = read_json(Path(run_dir) / "metrics.json")
        train_run = Path(metrics.get("train_run") or metrics.get("baseline_run") or run_dir)
        params = run_parameters(train_run)
        test = load_dataset(params["dataset"], "test")
        model = load_classifier(params, train_run, test, "cpu")
        spectrum = read_json(train_run / "metrics.json")["spectrum_mean"]
        return cls(model, test, Normalizer.for_dataset(params["dataset"]), np.asarray(spectrum))

    @torch.inference_mode()
    def compute(self, example: int, radius: float, epoch: int) -> dict[str, Any]:
        original = self.test.images[example].permute(1, 2, 0).numpy()[None]  # (1, H, W, C) uint8
        low, high = frequency_split(original, radius)
        images = {"original": original[0], "low": low[0], "high": high[0]}
        batch = torch.stack([torch.from_numpy(images[p]).permute(2, 0, 1) for p in PARTS]).float() / 255
        probs = torch.softmax(self.model(self.normalizer(batch)).float(), dim=1).numpy()
        true = int(self.test.targets[example])
        return {"images": images, "predicted": {p: int(probs[i].argmax()) for i, p in enumerate(PARTS)},
                "true_probability": {p: float(probs[i, true]) for i, p in enumerate(PARTS)}, "true": true,
                "radius": float(radius), "epoch": epoch, "spectrum_row": self.spectrum[epoch]}

    @styled
    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(1, 5, figsize=(15, 3.2), gridspec_kw={"width_ratios": [1, 1, 1, 1.6, 1.6]})
        classes = self.test.classes
        for ax, part in zip(axes[:3], PARTS, strict=True):
            name = part if part == "original" else f"{part}-pass r = {state['radius']:g}"
            show_image(ax, state["images"][part], f"{name}\n→ {classes[state['predicted'][part]]} "
                       f"(p(true) {state['true_probability'][part]:.2f})", vmax=255)
        heat = axes[3].imshow(self.spectrum, aspect="auto", origin="lower", cmap="viridis", interpolation="nearest")
        axes[3].axhline(state["epoch"], color="white", lw=1.5)
        axes[3].set(title="gradient spectrum over training", xlabel="frequency band", ylabel="epoch")
        for axis in (axes[3].xaxis, axes[3].yaxis, axes[4].xaxis):  # bands and epochs are whole numbers
            axis.set_major_locator(MaxNLocator(integer=True))
        fig.colorbar(heat, ax=axes[3], fraction=0.05, label="normalised magnitude")
        axes[3].grid(False)
        axes[4].plot(state["spectrum_row"], marker="o", color="tab:blue")
        axes[4].set(title=f"epoch {state['epoch']} (true class: {classes[state['true']]})", xlabel="frequency band",
                    ylabel="normalised magnitude", ylim=(0, 1.05))
        fig.tight_layout()
        return fig
