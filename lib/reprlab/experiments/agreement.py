"""Train N networks on the same data and record every example's prediction per epoch
("When Deep Classifiers Agree"), then relate the order in which examples are learned to image
statistics."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy import stats

from reprlab.data import load_splits, make_loader
from reprlab.data.splits import corrupt_labels
from reprlab.experiments.jobs import NotebookJob
from reprlab.models import build_model
from reprlab.nb import resolve_device
from reprlab.seeding import seed_everything
from reprlab.training import PredictionRecorder, TrainConfig, fit


@dataclass
class AgreementJob(NotebookJob):
    """N networks (``models`` cycled over ``networks`` seeds) trained on one dataset."""

    dataset: str = "cifar10"
    models: tuple[str, ...] = ("resnet50",)
    networks: int = 5
    epochs: int = 60
    batch_size: int = 128
    lr: float = 0.1
    optimizer: str = "sgd"
    weight_decay: float = 5e-4
    schedule: str = "cosine"
    subset: int = 0
    train_source: str = "on_the_fly"
    random_label_prob: float = 0.0
    label_seed: int = 12345
    device: str = "auto"


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


def train_networks(job: AgreementJob, out_dir: str | Path, *, log=print) -> Recording:
    """Train every network into ``out_dir/net<k>/`` (each resumes from its own checkpoint) with a
    :class:`PredictionRecorder`; returns the stacked recordings."""
    device = resolve_device(job.device)
    splits = load_splits(job.dataset, split_seed=0, subset=job.subset)
    train, test = splits.train, splits.test
    if job.random_label_prob > 0:  # fixed random labels, shared by all networks, on train and test alike
        train = train.with_targets(corrupt_labels(train.targets, job.random_label_prob, train.num_classes,
                                                  job.label_seed, include_true=True)[0])
        test = test.with_targets(corrupt_labels(test.targets, job.random_label_prob, test.num_classes,
                                                job.label_seed + 1, include_true=True)[0])
    # compact positions 0..N-1 as example ids, so recordings are dense arrays
    train_ids, test_ids = train.indices.clone(), test.indices.clone()
    train.indices, test.indices = torch.arange(len(train)), torch.arange(len(test))
    _, channels, size, _ = train.images.shape
    predictions = {"train": [], "test": []}
    for k in range(job.networks):
        name = job.models[k % len(job.models)]
        net_dir = Path(out_dir) / f"net{k}"
        seed_everything(k)
        model = build_model(name, train.num_classes, channels, size).to(device)
        recorder = PredictionRecorder(net_dir, {"train": len(train), "test": len(test)}, job.train_source)
        evals = {"test": make_loader(test, 1000, train=False, device=device)}
        if job.train_source == "eval":
            evals["train_clean"] = make_loader(train, 1000, train=False, device=device)
        config = TrainConfig(epochs=job.epochs, lr=job.lr, optimizer=job.optimizer, weight_decay=job.weight_decay,
                             schedule=job.schedule)
        log(f"network {k + 1}/{job.networks}: {name}, seed {k}")
        fit(model, make_loader(train, job.batch_size, train=True, device=device, seed=k), config,
            eval_loaders=evals, hooks=[recorder], out_dir=net_dir, log=log)
        for split in predictions:
            predictions[split].append(np.load(net_dir / f"predictions_{split}.npy"))
    return Recording(np.stack(predictions["train"]), np.stack(predictions["test"]), train.targets.numpy(),
                     test.targets.numpy(), train_ids.numpy(), test_ids.numpy(), train.classes,
                     train.images.numpy())


def spearman_with_ci(metric: np.ndarray, first_epoch: np.ndarray, epochs: int, *, n_boot: int = 1000,
                     confidence: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """Spearman correlation between an image statistic and the epoch from which all networks stay
    correct, with a percentile bootstrap interval over examples. Examples never learned (-1) are
    ranked last (epoch = ``epochs``). Returns (rho, low, high)."""
    learned = np.where(first_epoch < 0, epochs, first_epoch)
    rho = stats.spearmanr(metric, learned).statistic
    result = stats.bootstrap((metric, learned), lambda a, b: stats.spearmanr(a, b).statistic, paired=True,
                             vectorized=False, n_resamples=n_boot, confidence_level=confidence,
                             method="percentile", random_state=np.random.default_rng(seed))
    return float(rho), float(result.confidence_interval.low), float(result.confidence_interval.high)


def correlation_table(metrics: pd.DataFrame, first_epoch: np.ndarray, epochs: int, *, n_boot: int = 1000
                      ) -> pd.DataFrame:
    """:func:`spearman_with_ci` for every column of ``metrics`` (rows aligned with ``first_epoch``)."""
    rows = []
    for column in metrics.columns:
        values = metrics[column].to_numpy(dtype=float)
        if np.nanstd(values) == 0:
            continue
        rho, low, high = spearman_with_ci(values, first_epoch, epochs, n_boot=n_boot)
        rows.append({"metric": column, "spearman": rho, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows).set_index("metric")
