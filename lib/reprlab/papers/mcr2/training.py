"""MCR2 (Yu et al., NeurIPS 2020): supervised training with label corruption, self-supervised
training on augmented views, feature extraction and every evaluator of the paper."""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from reprlab.data import corrupt_labels, load_splits, make_loader
from reprlab.data.views import MultiViewLoader
from reprlab.evaluation import extract_features
from reprlab.io import save_npy
from reprlab.jobs import TrainingJob
from reprlab.losses import MCR2Loss
from reprlab.models import Classifier, build_backbone, projection_head
from reprlab.training import TrainConfig, fit, resolve_device, seed_everything, supervised_step

MODES = ("supervised", "selfsupervised")


@dataclass
class MCR2Job(TrainingJob):
    """One MCR2 training run: the ``mcr2_train`` parameters it reads. ``eps`` is ε² as upstream."""

    NOTEBOOK = "mcr2_train"
    dataset: str
    model: str
    fd: int
    mode: str
    eps: float
    gam1: float
    gam2: float
    lcr: float
    lcs: int
    corruption_include_true: bool
    n_aug: int
    fixed_order: bool
    subset: int
    seed: int
    float64: bool
    device: str

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode={self.mode!r}; allowed values: {', '.join(MODES)}")

    def cross_entropy_params(self, ce_params: dict[str, Any]) -> dict[str, Any]:
        """``train_classifier`` parameters for the cross-entropy baseline of this job: ``ce_params``
        (optimiser, schedule, epochs) on the same data, backbone and corrupted labels."""
        return {**ce_params, "dataset": self.dataset, "model": self.model, "subset": self.subset, "seed": self.seed,
                "corruption": self.lcr, "corruption_seed": self.lcs,
                "corruption_include_true": self.corruption_include_true}


@dataclass
class Features:
    """Unit-norm features of the training split (with the labels it was trained on, and the
    clean ones) and of the test split."""

    train: np.ndarray
    train_labels: np.ndarray
    train_clean_labels: np.ndarray
    test: np.ndarray
    test_labels: np.ndarray

    def save(self, path: str | Path) -> None:
        path = Path(path)
        for name, array in dataclasses.asdict(self).items():
            save_npy(path / f"{name}.npy", array)

    @classmethod
    def load(cls, path: str | Path) -> "Features":
        return cls(**{f.name: np.load(Path(path) / f"{f.name}.npy") for f in dataclasses.fields(cls)})


def build_mcr2_model(name: str, fd: int, in_channels: int, image_size: int) -> Classifier:
    """Backbone ``name`` with MCR2's projection head to ``fd`` unit-norm dimensions."""
    backbone = build_backbone(name, in_channels, image_size)
    return Classifier(backbone, projection_head(backbone.feature_dim, fd))


def train_mcr2(job: MCR2Job, out_dir: str | Path, *, progress: bool = False) -> tuple[Classifier, list, Features]:
    """Train ``job`` (resuming from ``out_dir`` if it holds a checkpoint) and extract features,
    which are also saved under ``out_dir/features/``. Returns (model, history, features)."""
    device = resolve_device(job.device)
    seed_everything(job.seed)
    splits = load_splits(job.dataset, split_seed=job.seed, subset=job.subset)
    clean_labels = splits.train.targets.numpy()
    if job.lcr > 0:
        noisy, _ = corrupt_labels(splits.train.targets, job.lcr, splits.train.num_classes, job.lcs,
                                  job.corruption_include_true)
        splits.train = splits.train.with_targets(noisy)
    _, channels, size, _ = splits.train.images.shape
    model = build_mcr2_model(job.model, job.fd, channels, size).to(device)
    if job.mode == "supervised":
        loader = make_loader(splits.train, job.batch_size, train=True, device=device, seed=job.seed)
        num_classes, membership = splits.train.num_classes, ""
    else:  # memberships are the image's slot in the batch: every view of an image is one "class"
        n_img = max(1, job.batch_size // job.n_aug)
        loader = MultiViewLoader(splits.train, n_img, job.n_aug, device=device, seed=job.seed,
                                 fixed_order=job.fixed_order)
        num_classes, membership = n_img, "pseudo_labels"
    criterion = MCR2Loss(num_classes, eps=job.eps, gam1=job.gam1, gam2=job.gam2,
                         dtype=torch.float64 if job.float64 else torch.float32)
    config = TrainConfig.from_job(job, amp=False)  # log-determinants need fp32: no autocast
    history = fit(model, loader, config, step=supervised_step(criterion, membership), predict=None, out_dir=out_dir,
                  progress=progress)
    train_x, train_y, _ = extract_features(model, make_loader(splits.train, 1000, train=False, device=device))
    test_x, test_y, _ = extract_features(model, make_loader(splits.test, 1000, train=False, device=device))
    # the evaluation loader goes through the set in order; a rehearsal stops it after a few batches
    features = Features(train_x.numpy(), train_y.numpy(), clean_labels[:len(train_y)], test_x.numpy(), test_y.numpy())
    features.save(Path(out_dir) / "features")
    return model, history, features
