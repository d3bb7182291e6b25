"""Learning priority: the spectrum of the input gradient on the test set, before training and
after every epoch (upstream computes it from 100 stored checkpoints; a hook needs none)."""

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from reprlab.evaluation import input_gradient
from reprlab.io import save_npy
from reprlab.papers.frequency.spectra import gradient_spectrum
from reprlab.training import Hook


def test_gradient_spectra(model: torch.nn.Module, loader: Any, binning: str = "centered") -> torch.Tensor:
    """Per-image input-gradient spectra (N, bands) of the batch-mean cross-entropy on every batch
    of ``loader``, in eval mode as upstream, with respect to the pixels in [0, 1] (the loader's
    normalisation is undone: d/dx = d/dx_normalised / std)."""
    was_training = model.training
    model.eval()
    spectra = []
    for batch in loader:
        grads = input_gradient(model, batch.images, batch.targets, F.cross_entropy)
        spectra.append(gradient_spectrum(grads / loader.normalize.std, binning).cpu())
    model.train(was_training)
    return torch.cat(spectra)


class GradientSpectrumHook(Hook):
    """Records the mean and std over ``loader``'s images of the input-gradient spectrum before
    training (row 0) and after every epoch, and writes ``gradient_spectrum_{mean,std}.npy``
    (epochs + 1, bands) into ``out_dir`` after each. Survives a resume (rows in the checkpoint).
    Its own cost is measured: each epoch's history record gets ``spectrum_seconds``."""

    def __init__(self, loader: Any, out_dir: str | Path, binning: str = "centered") -> None:
        self.loader, self.out_dir, self.binning = loader, Path(out_dir), binning
        self.means: list[np.ndarray] = []
        self.stds: list[np.ndarray] = []

    def _record(self, model: torch.nn.Module) -> None:
        spectra = test_gradient_spectra(model, self.loader, self.binning).double()
        self.means.append(spectra.mean(0).numpy())
        self.stds.append(spectra.std(0).numpy())
        save_npy(self.out_dir / "gradient_spectrum_mean.npy", np.stack(self.means))
        save_npy(self.out_dir / "gradient_spectrum_std.npy", np.stack(self.stds))

    def on_fit_start(self, model: torch.nn.Module, epoch: int) -> None:
        if not self.means:
            self._record(model)

    def on_epoch_end(self, epoch: int, model: torch.nn.Module, record: dict[str, float]) -> None:
        start = time.perf_counter()
        self._record(model)
        record["spectrum_seconds"] = time.perf_counter() - start

    def state_dict(self) -> dict[str, Any]:
        return {"means": list(self.means), "stds": list(self.stds)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.means, self.stds = list(state["means"]), list(state["stds"])


def hook_share(history: list[dict[str, float]]) -> float:
    """The spectrum hook's cost relative to training: its ``spectrum_seconds`` summed over the
    epochs that recorded them, over those epochs' ``seconds`` (training and evaluation); NaN when
    no epoch recorded it (e.g. a run trained before the hook measured itself)."""
    timed = [r for r in history if "spectrum_seconds" in r]
    return sum(r["spectrum_seconds"] for r in timed) / sum(r["seconds"] for r in timed) if timed else float("nan")


def global_minmax(matrix: np.ndarray) -> np.ndarray:
    """Upstream's heat-map scaling of the (epochs, bands) matrix: one min-max over all of it."""
    matrix = np.asarray(matrix, dtype=np.float64)
    span = matrix.max() - matrix.min()
    return (matrix - matrix.min()) / (span if span > 0 else 1.0)
