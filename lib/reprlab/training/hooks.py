"""Hooks an experiment attaches to :func:`reprlab.training.fit`. Override what you need."""

from typing import Any

import torch


class Hook:
    """Called by the engine. ``outputs`` are detached; tensors stay on the training device.

    A hook with state that must survive a resume implements ``state_dict``/``load_state_dict``;
    the engine stores it in every checkpoint.
    """

    def on_train_batch(self, epoch: int, indices: torch.Tensor, outputs: torch.Tensor,
                       targets: torch.Tensor) -> None:
        """After each optimisation step. indices/targets: (B,); outputs: (B, ...)."""

    def on_eval(self, epoch: int, split: str, result: Any) -> None:
        """After evaluating ``split`` at the end of ``epoch`` (an :class:`EvalResult`)."""

    def on_epoch_end(self, epoch: int, model: torch.nn.Module, record: dict[str, float]) -> None:
        """After each epoch, with that epoch's history record."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass
