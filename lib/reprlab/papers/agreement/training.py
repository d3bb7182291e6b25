"""Train the networks of "When Deep Classifiers Agree", one ``agreement_network`` run each, and
record every example's prediction per epoch; stack their recordings for the analysis."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from reprlab.data import ImageSet, load_splits, make_loader
from reprlab.data.splits import corrupt_labels
from reprlab.jobs import TrainingJob
from reprlab.models import build_model
from reprlab.training import PredictionRecorder, TrainConfig, fit, resolve_device, seed_everything


@dataclass
class NetworkJob(TrainingJob):
    """One network of an agreement experiment: ``model`` trained from ``seed`` on ``dataset`` (with
    ``random_label_prob`` of the labels replaced by fixed random ones), every example's prediction
    recorded after every epoch. The ``agreement_network`` parameters it reads."""

    NOTEBOOK = "agreement_network"
    dataset: str
    model: str
    seed: int
    subset: int
    train_source: str
    random_label_prob: float
    label_seed: int
    device: str

    @property
    def data_key(self) -> tuple:
        """What the networks of one recording must share: the same examples and labels."""
        return (self.dataset, self.subset, self.random_label_prob, self.label_seed)


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


def train_network(job: NetworkJob, out_dir: str | Path, *, log=print) -> list[dict[str, float]]:
    """Train one network into ``out_dir`` (resuming from its checkpoint) with a
    :class:`PredictionRecorder` writing ``predictions_{train,test}.npy``; returns the history."""
    device = resolve_device(job.device)
    train, test, _, _ = _recorded_splits(job)
    _, channels, size, _ = train.images.shape
    seed_everything(job.seed)
    model = build_model(job.model, train.num_classes, channels, size).to(device)
    recorder = PredictionRecorder(out_dir, {"train": len(train), "test": len(test)}, job.train_source)
    evals = {"test": make_loader(test, 1000, train=False, device=device)}
    if job.train_source == "eval":
        evals["train_clean"] = make_loader(train, 1000, train=False, device=device)
    # every example trains and is recorded every epoch, as upstream's DataLoader (no drop_last)
    loader = make_loader(train, job.batch_size, train=True, device=device, seed=job.seed, drop_last=False)
    return fit(model, loader, TrainConfig.from_job(job), eval_loaders=evals, hooks=[recorder], out_dir=out_dir,
               log=log)


def load_recording(networks: list[tuple[NetworkJob, str | Path]]) -> Recording:
    """The :class:`Recording` of trained networks, ``(job, run directory)`` each, stacked in that
    order; they must share their data (dataset, subset, random labels), checked."""
    keys = {job.data_key for job, _ in networks}
    if len(keys) != 1:
        raise ValueError(f"the networks of one recording must share dataset, subset and labels; got {sorted(keys)}")
    train, test, train_ids, test_ids = _recorded_splits(networks[0][0])
    predictions = {split: np.stack([np.load(Path(d) / f"predictions_{split}.npy") for _, d in networks])
                   for split in ("train", "test")}
    return Recording(predictions["train"], predictions["test"], train.targets.numpy(), test.targets.numpy(),
                     train_ids.numpy(), test_ids.numpy(), train.classes, train.images.numpy())


def _recorded_splits(job: NetworkJob) -> tuple[ImageSet, ImageSet, torch.Tensor, torch.Tensor]:
    """(train, test, train example ids, test example ids) as recorded: fixed random labels, shared
    by all networks, on train and test alike; positions 0..N-1 as example ids, so recordings are
    dense arrays."""
    splits = load_splits(job.dataset, split_seed=0, subset=job.subset)
    train, test = splits.train, splits.test
    if job.random_label_prob > 0:
        train = train.with_targets(corrupt_labels(train.targets, job.random_label_prob, train.num_classes,
                                                  job.label_seed, include_true=True)[0])
        test = test.with_targets(corrupt_labels(test.targets, job.random_label_prob, test.num_classes,
                                                job.label_seed + 1, include_true=True)[0])
    train_ids, test_ids = train.indices.clone(), test.indices.clone()
    train.indices, test.indices = torch.arange(len(train)), torch.arange(len(test))
    return train, test, train_ids, test_ids
