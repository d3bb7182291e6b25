"""Experiment drivers of the frequency-bias paper: a classifier trained with the gradient-spectrum
hook (learning priority), and the HARS training set built from a dataset's training split. Both
train through :func:`reprlab.experiments.classification.train_classifier`, so they take the
``train_classifier`` parameters (the paper's preset: CIFAR ResNet-18, SGD 0.1 / 0.9 / 5e-4, batch
128, 200 epochs, lr / 10 at 60, 120, 180)."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from reprlab.data import ImageSet, load_dataset, load_splits, make_loader
from reprlab.data.splits import stratified_subset
from reprlab.experiments.classification import ClassifierJob, ClassifierResult, train_classifier
from reprlab.papers.frequency.cdes import KernelConfig, class_kernels, restructure_dataset, train_kernels
from reprlab.papers.frequency.gradients import GradientSpectrumHook
from reprlab.papers.frequency.hars import hars_mix
from reprlab.training import resolve_device


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
                                test_set: ImageSet | None = None, eval_every: int = 1,
                                progress: bool = False) -> SpectrumRun:
    """Train ``job`` (resuming from ``out_dir``) while recording the input-gradient spectrum of
    the dataset's test images before training and after every epoch; ``train_set`` / ``test_set``
    replace the splits trained and evaluated on (every ``eval_every`` epochs and after the last)."""
    device = resolve_device(job.device)
    loader = make_loader(spectrum_images_of(job.dataset, spectrum_images), 250, train=False, device=device)
    hook = GradientSpectrumHook(loader, out_dir, binning)
    result = train_classifier(job, out_dir, progress=progress, train_set=train_set, test_set=test_set,
                              hooks=[hook], eval_every=eval_every)
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


@dataclass
class CDESData:
    """The SCR and WCR datasets of a job's data (train and test splits, labels kept), made from
    class kernels and one shared kernel, and the kernels' training data size."""

    scr_train: ImageSet
    scr_test: ImageSet
    wcr_train: ImageSet
    wcr_test: ImageSet
    original_train: ImageSet
    original_test: ImageSet


def cdes_datasets(job: ClassifierJob, config: KernelConfig, *, radius: float = 10, warm_start: bool = False,
                  upstream_masks: bool = False, kernel_images: int = 0, log=print) -> CDESData:
    """Train SCR kernels (one per class) and a WCR kernel (all classes) on ``job``'s training split
    (``kernel_images`` per class, stratified, 0: all; upstream also used the test images, which
    here stay unseen), then restructure the training and test splits with them: each image keeps
    its low frequencies (distance < ``radius``) and takes the filtered image's high ones, through
    its own class's kernel (SCR) or the shared one (WCR)."""
    device = resolve_device(job.device)
    splits = load_splits(job.dataset, val_size=job.val_size, split_seed=job.seed, level=job.level,
                         stratified=job.stratified, subset=job.subset)
    kernel_data = (stratified_subset(splits.train, kernel_images * splits.train.num_classes, seed=config.seed)
                   if kernel_images else splits.train)
    scr = class_kernels(kernel_data, config, warm_start=warm_start, device=device, log=log)
    log(f"WCR kernel on all {len(kernel_data)} images")
    wcr, _ = train_kernels(kernel_data, config, device=device, log=lambda _: None)
    made = {}
    for name, banks in (("scr", scr), ("wcr", wcr)):
        for split, data in (("train", splits.train), ("test", splits.test)):
            made[f"{name}_{split}"] = restructure_dataset(data, banks, radius, upstream_masks=upstream_masks,
                                                          seed=config.seed)
    return CDESData(**made, original_train=splits.train, original_test=splits.test)
