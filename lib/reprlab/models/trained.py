"""A trained model rebuilt from its run directory, seen the same way whatever trained it (a
classifier, a label-representation model, an MCR² encoder, a self-supervised encoder): pixels in
[0, 1] in, features and, when it has a head, outputs and predicted classes out.

Each experiment that trains a model says how to rebuild it from a run directory (a paper's
``models``; the classifier's in :mod:`reprlab.experiments.classification`); the lenses and the
explorers take the result.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn

from reprlab.augment import ops

#: ``loss(outputs, classes)`` summed over the batch: what the model's training minimised (an attack ascends it)
SummedLoss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class PixelInput(nn.Module):
    """``module`` fed pixels in [0, 1] (B, C, H, W) as the model's training data was prepared:
    resized to ``resize`` (antialiased bilinear; 0: as they come), centre-cropped to ``size`` (0:
    no crop), normalised by ``mean``/``std`` (per channel)."""

    def __init__(self, module: nn.Module, mean: tuple[float, ...], std: tuple[float, ...], size: int = 0,
                 resize: int = 0) -> None:
        super().__init__()
        self.module, self.size, self.resize = module, size, resize
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1), persistent=False)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        if self.resize:
            pixels = ops.resize(pixels, self.resize)
        if self.size and pixels.shape[-1] != self.size:
            top, left = (pixels.shape[-2] - self.size) // 2, (pixels.shape[-1] - self.size) // 2
            pixels = pixels[..., top:top + self.size, left:left + self.size]
        return self.module((pixels - self.mean) / self.std)


@dataclass
class TrainedModel:
    """A model of a run directory, in eval mode on the CPU.

    ``features``: pixels (B, C, H, W) in [0, 1] -> (B, d) representation. ``outputs``: pixels ->
    what the model's head outputs (class logits, or a label representation), None for an encoder
    without a classifier (a lens fits a probe); then ``predict`` maps outputs to classes (B,) and
    ``loss`` is the summed training loss of outputs against classes. ``name`` is short and unique
    among a workbook's models (``label_training speech``); ``settings`` the parameters that tell
    it apart (model, label, method, ...)."""

    name: str
    notebook: str
    run_dir: Path
    features: nn.Module
    outputs: nn.Module | None = None
    predict: Callable[[torch.Tensor], torch.Tensor] | None = None
    loss: SummedLoss | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def has_head(self) -> bool:
        return self.outputs is not None


def argmax_classes(outputs: torch.Tensor) -> torch.Tensor:
    """Classes (B,) of class logits (B, K)."""
    return outputs.argmax(1)


def summed_cross_entropy(outputs: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of logits (B, K) against classes (B,), summed over the batch."""
    return nn.functional.cross_entropy(outputs, classes, reduction="sum")
