"""Experiment drivers of the frequency-bias paper: a classifier trained with the gradient-spectrum
hook (learning priority), and the HARS training set built from a dataset's training split. Both
train through :func:`reprlab.training.classification.train_classifier`, so they take the
``train_classifier`` parameters (the paper's preset: CIFAR ResNet-18, SGD 0.1 / 0.9 / 5e-4, batch
128, 200 epochs, lr / 10 at 60, 120, 180)."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from reprlab.data import ImageSet, load_dataset, load_splits, make_loader
from reprlab.data.splits import stratified_subset
from reprlab.papers.frequency.gradients import GradientSpectrumHook
from reprlab.papers.frequency.hars import hars_mix
from reprlab.training import resolve_device
from reprlab.training.classification import ClassifierJob, ClassifierResult, train_classifier


@dataclass
class SpectrumRun:
    """A trained classifier and its test-set input-gradient spectra, mean and std (epochs + 1,
    bands): row 0 before training, row e after epoch e."""

    result: ClassifierResult
    spectrum_mean: np.ndarray
    spectrum_std: np.ndarray


def spectrum_images_of(dataset: str, images: int) -> ImageSet:
    """The test images whose gradient spectra are recorded: all, or a stratified ``images``."""
    test = load_dataset(dataset, "test")
    return stratified_subset(test, images, seed=0) if images else test


def train_with_gradient_spectra(job: ClassifierJob, out_dir: str | Path, *, binning: str = "centered",
                                spectrum_images: int = 0, train_set: ImageSet | None = None,
                                progress: bool = False) -> SpectrumRun:
    """Train ``job`` (resuming from ``out_dir``) while recording the input-gradient spectrum of
    the test set before training and after every epoch; ``train_set`` replaces the training split."""
    device = resolve_device(job.device)
    loader = make_loader(spectrum_images_of(job.dataset, spectrum_images), 250, train=False, device=device)
    hook = GradientSpectrumHook(loader, out_dir, binning)
    result = train_classifier(job, out_dir, progress=progress, train_set=train_set, hooks=[hook])
    return SpectrumRun(result, np.stack(hook.means), np.stack(hook.stds))


def hars_training_set(job: ClassifierJob, radius: float, seed: int) -> tuple[ImageSet, ImageSet, np.ndarray]:
    """(HARS training set, the training split it was built from, donors) for ``job``'s data: the
    same split ``train_classifier`` would use (subset, validation, level), each image keeping its
    high frequencies and label and taking a donor's low frequencies."""
    splits = load_splits(job.dataset, val_size=job.val_size, split_seed=job.seed, level=job.level,
                         stratified=job.stratified, subset=job.subset)
    train = splits.train
    mixed, labels, donors = hars_mix(train.images.permute(0, 2, 3, 1).numpy(), train.targets.numpy(), radius, seed)
    hars = ImageSet(train.name, torch.from_numpy(mixed).permute(0, 3, 1, 2).contiguous(),
                    torch.as_tensor(labels), train.classes, train.indices.clone())
    return hars, train, donors
