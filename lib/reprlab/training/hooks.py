"""Hooks an experiment attaches to :func:`reprlab.training.fit`. Override what you need."""

from pathlib import Path
from typing import Any

import numpy as np
import torch

from reprlab.io import save_npy
from reprlab.training.batch import Batch


class Hook:
    """Called by the engine. ``outputs`` are detached; tensors stay on the training device.

    A hook with state that must survive a resume implements ``state_dict``/``load_state_dict``;
    the engine stores it in every checkpoint.
    """

    def on_fit_start(self, model: torch.nn.Module, epoch: int) -> None:
        """Once before the first epoch that will train (``epoch`` epochs are already done: 0, or
        the epoch a resumed run continues after)."""

    def on_train_batch(self, epoch: int, batch: Batch, outputs: torch.Tensor | None) -> None:
        """After each optimisation step, with the batch and the step's detached float outputs
        (B, ...), or None when the step has no per-example output."""

    def on_eval(self, epoch: int, split: str, result: Any) -> None:
        """After evaluating ``split`` at the end of ``epoch`` (an :class:`EvalResult`)."""

    def on_epoch_end(self, epoch: int, model: torch.nn.Module, record: dict[str, float]) -> None:
        """After each epoch, with that epoch's history record."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


class PredictionRecorder(Hook):
    """Record every example's predicted class, per epoch, as ``predictions_<split>.npy``: an int16
    array (epochs, N) indexed by the dataset's example index (-1 where an example was not seen).

    ``train_source="on_the_fly"`` takes training predictions from the training batches themselves
    (train mode, augmented, weights changing: upstream "When Deep Classifiers Agree");
    ``"eval"`` takes them from a clean evaluation pass over an eval loader named ``train_clean``.
    Other eval splits (e.g. ``test``) are recorded under their own name. Files are rewritten
    atomically after every epoch, and a resumed run truncates them to the checkpoint's epoch.
    """

    def __init__(self, out_dir: str | Path, sizes: dict[str, int], train_source: str = "on_the_fly") -> None:
        if train_source not in ("on_the_fly", "eval"):
            raise ValueError(f"train_source={train_source!r}; allowed values: on_the_fly, eval")
        self.out_dir, self.sizes, self.train_source = Path(out_dir), dict(sizes), train_source
        self.rows: dict[str, list[np.ndarray]] = {split: [] for split in sizes}
        self.current: dict[str, np.ndarray] = {}

    def _row(self, split: str) -> np.ndarray:
        if split not in self.current:
            self.current[split] = np.full(self.sizes[split], -1, dtype=np.int16)
        return self.current[split]

    def on_train_batch(self, epoch: int, batch: Batch, outputs: torch.Tensor | None) -> None:
        if self.train_source == "on_the_fly" and "train" in self.sizes:
            self._row("train")[batch.indices.cpu().numpy()] = outputs.argmax(1).cpu().numpy()

    def on_eval(self, epoch: int, split: str, result: Any) -> None:
        if split == "train_clean":
            name = "train" if self.train_source == "eval" else None
        else:
            name = split if split != "train" else None
        if name in self.sizes:
            self._row(name)[result.indices.numpy()] = result.predictions.numpy()

    def on_epoch_end(self, epoch: int, model: torch.nn.Module, record: dict[str, float]) -> None:
        for split in self.sizes:
            self.rows[split].append(self._row(split))
            save_npy(self.out_dir / f"predictions_{split}.npy", np.stack(self.rows[split]))
        self.current = {}

    def state_dict(self) -> dict[str, Any]:
        return {"epochs": len(next(iter(self.rows.values()), []))}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for split in self.sizes:
            path = self.out_dir / f"predictions_{split}.npy"
            self.rows[split] = list(np.load(path)[:state["epochs"]]) if path.exists() else []
