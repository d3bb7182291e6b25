"""Train N networks on the same data and record every example's prediction per epoch
("When Deep Classifiers Agree"), then relate the order in which examples are learned to image
statistics."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from reprlab.data import ImageSet, load_splits, make_loader
from reprlab.data.splits import corrupt_labels
from reprlab.models import build_model
from reprlab.training import PredictionRecorder, TrainConfig, fit, resolve_device, seed_everything
from reprlab.workbench.jobs import TrainingJob


@dataclass
class AgreementJob(TrainingJob):
    """N networks (``models`` cycled over ``networks`` seeds) trained on one dataset: the
    ``agreement`` parameters they read."""

    NOTEBOOK = "agreement"
    dataset: str
    models: tuple[str, ...]
    networks: int
    subset: int
    train_source: str
    label_seed: int
    device: str


@dataclass
class Recording:
    """Predictions (K networks, E epochs, N examples; -1 = unseen) of the train and test splits,
    the labels they are scored against, the example indices (position = column) and the training
    images (N, C, H, W) uint8 in the same order."""

    train: np.ndarray
    test: np.ndarray
    train_labels: np.ndarray
    test_labels: np.ndarray
    train_indices: np.ndarray
    test_indices: np.ndarray
    classes: list[str]
    train_images: np.ndarray


def train_networks(job: AgreementJob, out_dir: str | Path, *, random_label_prob: float = 0.0, log=print
                   ) -> Recording:
    """Train every network into ``out_dir/net<k>/`` (each resumes from its own checkpoint) with a
    :class:`PredictionRecorder`; returns the stacked recordings. ``random_label_prob`` replaces
    that fraction of the labels (train and test) by fixed random ones shared by all networks."""
    device = resolve_device(job.device)
    train, test, train_ids, test_ids = _recorded_splits(job, random_label_prob)
    _, channels, size, _ = train.images.shape
    for k in range(job.networks):
        name = job.models[k % len(job.models)]
        net_dir = Path(out_dir) / f"net{k}"
        seed_everything(k)
        model = build_model(name, train.num_classes, channels, size).to(device)
        recorder = PredictionRecorder(net_dir, {"train": len(train), "test": len(test)}, job.train_source)
        evals = {"test": make_loader(test, 1000, train=False, device=device)}
        if job.train_source == "eval":
            evals["train_clean"] = make_loader(train, 1000, train=False, device=device)
        config = TrainConfig.from_job(job)
        log(f"network {k + 1}/{job.networks}: {name}, seed {k}")
        # every example trains and is recorded every epoch, as upstream's DataLoader (no drop_last)
        loader = make_loader(train, job.batch_size, train=True, device=device, seed=k, drop_last=False)
        fit(model, loader, config,
            eval_loaders=evals, hooks=[recorder], out_dir=net_dir, log=log)
    return _stacked(job, out_dir, train, test, train_ids, test_ids)


def load_recording(job: AgreementJob, out_dir: str | Path, *, random_label_prob: float = 0.0) -> Recording:
    """The :class:`Recording` that :func:`train_networks` left in ``out_dir``, read back without
    training (the data is prepared the same way)."""
    return _stacked(job, out_dir, *_recorded_splits(job, random_label_prob))


def _recorded_splits(job: AgreementJob, random_label_prob: float
                     ) -> tuple[ImageSet, ImageSet, torch.Tensor, torch.Tensor]:
    """(train, test, train example ids, test example ids) as recorded: fixed random labels, shared
    by all networks, on train and test alike; positions 0..N-1 as example ids, so recordings are
    dense arrays."""
    splits = load_splits(job.dataset, split_seed=0, subset=job.subset)
    train, test = splits.train, splits.test
    if random_label_prob > 0:
        train = train.with_targets(corrupt_labels(train.targets, random_label_prob, train.num_classes,
                                                  job.label_seed, include_true=True)[0])
        test = test.with_targets(corrupt_labels(test.targets, random_label_prob, test.num_classes,
                                                job.label_seed + 1, include_true=True)[0])
    train_ids, test_ids = train.indices.clone(), test.indices.clone()
    train.indices, test.indices = torch.arange(len(train)), torch.arange(len(test))
    return train, test, train_ids, test_ids


def _stacked(job: AgreementJob, out_dir: str | Path, train: ImageSet, test: ImageSet, train_ids: torch.Tensor,
             test_ids: torch.Tensor) -> Recording:
    predictions = {split: np.stack([np.load(Path(out_dir) / f"net{k}" / f"predictions_{split}.npy")
                                    for k in range(job.networks)]) for split in ("train", "test")}
    return Recording(predictions["train"], predictions["test"], train.targets.numpy(), test.targets.numpy(),
                     train_ids.numpy(), test_ids.numpy(), train.classes, train.images.numpy())
