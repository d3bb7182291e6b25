"""The engine's batch contract: what a loader yields and what one optimisation step returns.

A loader yields :class:`Batch` objects. A *step* ``step(model, batch) -> StepOutput`` turns one
batch into the loss to minimise (and named terms to log); :func:`supervised_step` is the usual
``loss_fn(model(images), targets)``. Self-supervised methods write their own step and carry what
they need (further views, pseudo-labels, per-sample transformation parameters) in ``Batch.extras``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn as nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]]
PredictFn = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class Batch:
    """One batch. images: (B, C, H, W) float, the model's (normalised) input; targets: (B,) int64
    class labels; indices: (B,) int64 dataset example indices; extras: named tensors or values a
    step may need (e.g. ``pseudo_labels`` (B,), further views, transformation parameters)."""

    images: torch.Tensor
    targets: torch.Tensor
    indices: torch.Tensor
    extras: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.targets)


@dataclass
class StepOutput:
    """What one step computed. loss: scalar (mean over the batch) to minimise; outputs: (B, ...)
    model outputs that ``predict`` and hooks see (None: nothing per example); terms: named scalar
    parts of the loss, averaged per epoch into history columns ``<split>_<name>``."""

    loss: torch.Tensor
    outputs: torch.Tensor | None = None
    terms: dict[str, torch.Tensor] = field(default_factory=dict)


Step = Callable[[nn.Module, Batch], StepOutput]


def split_loss(value: torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]
               ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """A loss function may return the scalar loss, or (loss, {name: detached scalar term})."""
    return value if isinstance(value, tuple) else (value, {})


def supervised_step(loss_fn: LossFn, target_key: str = "") -> Step:
    """``loss_fn(model(batch.images), labels)`` with the labels ``batch.targets``, or
    ``batch.extras[target_key]`` (e.g. ``"pseudo_labels"``) when ``target_key`` is given. The
    loss sees float32 outputs, also under autocast."""

    def step(model: nn.Module, batch: Batch) -> StepOutput:
        outputs = model(batch.images)
        labels = batch.extras[target_key] if target_key else batch.targets
        loss, terms = split_loss(loss_fn(outputs.float(), labels))
        return StepOutput(loss, outputs, terms)

    return step


def argmax_predict(outputs: torch.Tensor) -> torch.Tensor:
    """Class prediction from logits: (B, K) -> (B,)."""
    return outputs.argmax(dim=1)
