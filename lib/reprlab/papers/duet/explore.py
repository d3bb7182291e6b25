"""Explore a finished DUET generation run: a test image at a chosen rotation, its group-axis
softmax over the G bins, and the decode of its representation with the axis rolled by k bins
beside the input rotated by the same k bins."""

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from reprlab.augment.ops import center_crop, rotate
from reprlab.augment.stack import denormalize, normalize
from reprlab.data import ImageSet
from reprlab.evaluation import encode
from reprlab.io import read_json
from reprlab.papers.duet.generation import ConvDecoder, decode, load_decoder, roll_groups
from reprlab.papers.duet.models import SSLModel
from reprlab.papers.duet.training import DuetJob, load_ssl_model, load_ssl_splits
from reprlab.workbench.explore import Explorer, slider
from reprlab.workbench.figures import show_image, styled
from reprlab.workbench.runner import find_run, run_parameters


class DuetExplorer(Explorer):
    """Controls: ``example`` (a test image), ``degrees`` (its rotation, counter-clockwise) and
    ``shift`` (bins k the group axis is rolled by). ``compute`` gives the input, the softmax over
    the bins and its argmax, the decode of the rolled representation, the target (the clean image
    rotated by degrees + k · 360°/G) and their pixel MSE."""

    title = "DUET: the group axis, rolled and decoded"

    def __init__(self, model: SSLModel, decoder: ConvDecoder, job: DuetJob, test: ImageSet) -> None:
        super().__init__()
        if not model.method.group_axis:
            raise ValueError(f"the explorer needs a model with a group axis (DUET); got model={model.method.name!r}")
        self.model, self.decoder, self.job, self.test = model, decoder, job, test
        self.clean = center_crop(test.images.float() / 255, job.image_size)
        self.controls = {"example": slider("test image", 0, len(test) - 1, 1, 0),
                         "degrees": slider("rotation (°)", -180, 180, 15, 0),
                         "shift": slider("roll k (bins)", 0, model.method.bins - 1, 1, 0)}

    @classmethod
    def from_run(cls, run: "str | Path | tuple[str, str]") -> "DuetExplorer":
        """From a ``duet_generation`` run: its DUET decoder and the ``duet_train`` run it decoded.
        ``run``: a run directory, a path under the runs folder, or ``(notebook, profile)``
        (see :func:`~reprlab.workbench.runner.find_run`)."""
        run_dir = find_run(run, ("duet_generation",), cls.__name__)
        train_run = Path(read_json(Path(run_dir) / "metrics.json")["train_runs"]["duet"])
        job = DuetJob.from_params(run_parameters(train_run))
        splits = load_ssl_splits(job)
        model = load_ssl_model(job, train_run, splits.train).cpu()
        return cls(model, load_decoder(Path(run_dir) / "checkpoints" / "decoder_duet.pt"), job, splits.test)

    def compute(self, example: int, degrees: float, shift: int) -> dict[str, Any]:
        clean = self.clean[example:example + 1]
        angle = torch.tensor([float(degrees)])
        shown = rotate(clean, angle)
        z = encode(self.model.encoder, normalize(shown))
        decoded = denormalize(decode(self.decoder, roll_groups(self.model, z, shift))).clamp(0, 1)
        target = rotate(clean, angle + shift * 360.0 / self.model.method.bins)
        probs = self.model.method.group_probabilities(z)[0].numpy()
        return {"input": shown[0].numpy(), "probabilities": probs, "argmax_bin": int(probs.argmax()),
                "decoded": decoded[0].numpy(), "target": target[0].numpy(),
                "mse": float(F.mse_loss(decoded, target)), "shift": shift, "degrees": float(degrees),
                "label": self.test.classes[int(self.test.targets[example])]}

    @styled
    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), gridspec_kw={"width_ratios": [1, 1, 1, 1.6]})
        bins, k = self.model.method.bins, state["shift"]
        for ax, key, title in ((axes[0], "input", f"input: {state['label']}, {state['degrees']:+.0f}°"),
                               (axes[1], "target", f"input rotated k = {k} bins ({k * 360 // bins}°)"),
                               (axes[2], "decoded", f"decode, axis rolled k = {k} (MSE {state['mse']:.4f})")):
            show_image(ax, np.clip(state[key].transpose(1, 2, 0), 0, 1), title, vmax=1)
        axes[3].bar(np.arange(bins), state["probabilities"], color="tab:purple")
        axes[3].set(title=f"softmax over the G = {bins} bins (argmax {state['argmax_bin']})", xlabel="bin",
                    ylabel="probability", xticks=range(bins))
        fig.tight_layout()
        return fig
