"""Training with label representations ("Beyond Categorical Label Representations", ICLR 2021):
a categorical head with cross-entropy, or a regression head (64x64 / 48x48 decoder, or a linear
head for lowdim and glove) with SmoothL1 to the class's label and nearest-label decoding."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from reprlab.data import load_splits, make_loader
from reprlab.jobs import TrainingJob
from reprlab.models import Classifier, DeconvDecoder, build_backbone
from reprlab.papers.labels.bank import LABEL_TYPES, load_label
from reprlab.training import EvalResult, TrainConfig, evaluate, fit, resolve_device, seed_everything
from reprlab.training.checkpoint import load_checkpoint

LABELS = ("category", *LABEL_TYPES)


@dataclass
class LabelJob(TrainingJob):
    """One label-representation training run: the ``label_training`` parameters it reads."""

    NOTEBOOK = "label_training"
    dataset: str
    model: str
    label: str
    smoothing: float
    val_size: int
    level: float
    level_of: str
    level_budget: str
    subset: int
    seed: int
    device: str

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"label={self.label!r}; allowed values: {', '.join(LABELS)}")


LEVEL_BUDGETS = ("steps", "epochs")


def budget_for_level(epochs: int, level: float, rule: str) -> tuple[int, int]:
    """(epochs, evaluate every that many epochs) of a run on ``level`` percent of the data that
    the full data trains for ``epochs``. ``"steps"``: round(epochs · 100 / level) epochs, the same
    number of optimiser steps as the full data, so every level can converge; the validation split is
    evaluated every round(100 / level) epochs (as often as in the full run). ``"epochs"``:
    upstream's rule, ``epochs`` at every level (a 10 % run gets a tenth of the steps)."""
    if rule not in LEVEL_BUDGETS:
        raise ValueError(f"level_budget={rule!r}; allowed values: {', '.join(LEVEL_BUDGETS)}")
    if rule == "epochs":
        return epochs, 1
    scale = 100.0 / level
    return max(1, round(epochs * scale)), max(1, round(scale))


def nearest_label(outputs: torch.Tensor, bank: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    """Decode regression outputs (B, ...) to the class whose label (K, ...) is nearest in mean
    squared error, upstream's rule: argmin over k of mean((output - label_k)²), computed from the
    differences themselves (the ‖a‖² - 2ab + ‖b‖² matrix form loses the near-ties to float32
    cancellation). Returns (B,) int64; ``chunk`` outputs at a time bound the memory."""
    flat_out = outputs.flatten(1).float()
    flat_bank = bank.flatten(1).to(flat_out)
    return torch.cat([(part[:, None, :] - flat_bank[None]).pow(2).mean(-1).argmin(1)
                      for part in flat_out.split(chunk)]) if len(flat_out) else flat_out.new_zeros(0, dtype=torch.long)


@dataclass
class LabelTask:
    """How a label type is trained and decoded: ``head`` on (B, F) features, ``loss(outputs,
    classes)`` (mean over the batch), ``attack_loss`` (summed over examples) and ``predict``."""

    head: nn.Module
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    attack_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    predict: Callable[[torch.Tensor], torch.Tensor]


def label_task(label: str, feature_dim: int, num_classes: int, bank: np.ndarray | None, smoothing: float = 0.0,
               device: torch.device | str = "cpu") -> LabelTask:
    """The head, losses and decoder of ``label``; ``bank`` (K, ...) is the label file (None for category)."""
    if label == "category":
        return LabelTask(nn.Linear(feature_dim, num_classes),
                         lambda o, y: F.cross_entropy(o, y, label_smoothing=smoothing),
                         lambda o, y: F.cross_entropy(o, y, reduction="sum"), lambda o: o.argmax(1))
    labels = torch.as_tensor(bank, dtype=torch.float32, device=device)
    if labels.ndim == 3:
        head: nn.Module = DeconvDecoder(feature_dim, labels.shape[-1])
    else:
        head = nn.Linear(feature_dim, labels.shape[1])

    def loss(outputs: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        return F.smooth_l1_loss(outputs, labels[classes])

    def attack_loss(outputs: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        per_example = F.smooth_l1_loss(outputs, labels[classes], reduction="none").flatten(1).mean(1)
        return per_example.sum()

    return LabelTask(head, loss, attack_loss, lambda o: nearest_label(o, labels))


@dataclass
class LabelResult:
    """A trained label model (best-on-validation weights), its history, both evaluations and the
    number of training images."""

    model: Classifier
    task: LabelTask
    history: list[dict[str, float]]
    val: EvalResult
    test: EvalResult
    train_size: int


def build_label_model(job: LabelJob, labels_dir: str | Path, channels: int, size: int, num_classes: int,
                      device: torch.device) -> tuple[Classifier, LabelTask]:
    """The backbone with the head of ``job.label`` (labels read from ``labels_dir``)."""
    bank = None if job.label == "category" else load_label(labels_dir, job.dataset, job.label, num_classes)
    backbone = build_backbone(job.model, channels, size)
    task = label_task(job.label, backbone.feature_dim, num_classes, bank, job.smoothing, device)
    return Classifier(backbone, task.head).to(device), task


def train_labels(job: LabelJob, labels_dir: str | Path, out_dir: str | Path, *, progress: bool = False) -> LabelResult:
    """Train ``job``, keep the best-on-validation weights (``checkpoints/best.pt``) and evaluate them
    on the validation split (upstream's reported "test" accuracy) and on the real test split."""
    device = resolve_device(job.device)
    seed_everything(job.seed)
    splits = load_splits(job.dataset, val_size=job.val_size, split_seed=job.seed, level=job.level,
                         level_of=job.level_of, subset=job.subset)
    _, channels, size, _ = splits.train.images.shape
    model, task = build_label_model(job, labels_dir, channels, size, splits.train.num_classes, device)
    train = make_loader(splits.train, job.batch_size, train=True, device=device, seed=job.seed)
    evals = {"val": make_loader(splits.val, 1000, train=False, device=device)}
    epochs, eval_every = budget_for_level(job.epochs, job.level, job.level_budget)
    config = TrainConfig.from_job(job, epochs=epochs, eval_every=eval_every, best_metric="val_accuracy")
    history = fit(model, train, config, loss_fn=task.loss, predict=task.predict, eval_loaders=evals, out_dir=out_dir,
                  progress=progress)
    model.load_state_dict(load_checkpoint(Path(out_dir) / "checkpoints" / "best.pt", device)["model"])
    test_loader = make_loader(splits.test, 1000, train=False, device=device)
    val = evaluate(model, evals["val"], task.loss, task.predict)
    test = evaluate(model, test_loader, task.loss, task.predict)
    return LabelResult(model, task, history, val, test, len(splits.train))
