"""MCR2 (Yu et al., NeurIPS 2020): supervised training with label corruption, self-supervised
training on augmented views, feature extraction and every evaluator of the paper."""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from reprlab.data import corrupt_labels, load_splits, make_loader
from reprlab.data.views import MultiViewLoader
from reprlab.evaluation import (
    clustering_scores,
    ensc_clusters,
    extract_features,
    kmeans_clusters,
    knn_predict,
    nearest_subspace_predict,
    svm_predict,
)
from reprlab.experiments.jobs import NotebookJob
from reprlab.io import save_npy
from reprlab.losses import MCR2Loss
from reprlab.models import Classifier, build_backbone, projection_head
from reprlab.nb import resolve_device
from reprlab.seeding import seed_everything
from reprlab.training import TrainConfig, fit

if TYPE_CHECKING:
    import pandas as pd

MODES = ("supervised", "selfsupervised")


@dataclass
class MCR2Job(NotebookJob):
    """One MCR2 training run (the ``mcr2_train`` notebook's parameters). ``eps`` is ε² as upstream."""

    dataset: str = "cifar10"
    model: str = "resnet18"
    fd: int = 128
    mode: str = "supervised"
    epochs: int = 500
    batch_size: int = 1000
    lr: float = 0.01
    optimizer: str = "sgd"
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: str = "multistep"
    milestones: tuple[float, ...] = (0.4, 0.8)
    eps: float = 0.5
    gam1: float = 1.0
    gam2: float = 1.0
    lcr: float = 0.0
    lcs: int = 10
    corruption_include_true: bool = False
    n_aug: int = 50
    fixed_order: bool = False
    subset: int = 0
    seed: int = 0
    float64: bool = False
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode={self.mode!r}; allowed values: {', '.join(MODES)}")
        self.milestones = tuple(self.milestones)

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
        num_classes = splits.train.num_classes
    else:
        n_img = max(1, job.batch_size // job.n_aug)
        loader = MultiViewLoader(splits.train, n_img, job.n_aug, device=device, seed=job.seed,
                                 fixed_order=job.fixed_order)
        num_classes = n_img
    criterion = MCR2Loss(num_classes, eps=job.eps, gam1=job.gam1, gam2=job.gam2,
                         dtype=torch.float64 if job.float64 else torch.float32)
    config = TrainConfig(epochs=job.epochs, lr=job.lr, optimizer=job.optimizer, momentum=job.momentum,
                         weight_decay=job.weight_decay, schedule=job.schedule, milestones=job.milestones,
                         amp=False)  # log-determinants need fp32: no autocast
    history = fit(model, loader, config, loss_fn=criterion, predict=None, out_dir=out_dir, progress=progress)
    train_x, train_y, _ = extract_features(model, make_loader(splits.train, 1000, train=False, device=device))
    test_x, test_y, _ = extract_features(model, make_loader(splits.test, 1000, train=False, device=device))
    features = Features(train_x.numpy(), train_y.numpy(), clean_labels, test_x.numpy(), test_y.numpy())
    features.save(Path(out_dir) / "features")
    return model, history, features


def classify(features: Features, *, n_comp: int, knn_k: int, svm: bool = True) -> dict[str, float]:
    """Test accuracy of nearest subspace (uncentred SVD and centred PCA), cosine kNN and a linear
    SVM, all fit on the training features with the labels they were trained on."""
    train, labels, test, truth = features.train, features.train_labels, features.test, features.test_labels
    scores = {
        "nearest_subspace_accuracy": float(
            (nearest_subspace_predict(train, labels, test, n_comp=n_comp) == truth).mean()),
        "nearest_subspace_pca_accuracy": float(
            (nearest_subspace_predict(train, labels, test, n_comp=n_comp, centered=True) == truth).mean()),
        "knn_accuracy": float((knn_predict(train, labels, test, k=knn_k) == truth).mean()),
    }
    if svm:
        scores["svm_accuracy"] = float((svm_predict(train, labels, test) == truth).mean())
    return scores


def cluster(features: Features, *, n_clusters: int, subset: int, ensc_gamma: float, seed: int = 0) -> dict[str, float]:
    """KMeans and elastic-net subspace clustering of (a seeded subset of) the training features,
    scored against the clean labels: accuracy (Hungarian), NMI and ARI."""
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(features.train))[:subset] if subset else np.arange(len(features.train))
    x, y = features.train[pick], features.train_clean_labels[pick]
    out = {f"kmeans_{k}": v for k, v in clustering_scores(y, kmeans_clusters(x, n_clusters)).items()}
    out |= {f"ensc_{k}": v for k, v in clustering_scores(y, ensc_clusters(x, n_clusters, gamma=ensc_gamma)).items()}
    return out


def corruption_sweep(ratios: list[float], profile: str, ce_params: dict[str, Any]) -> "pd.DataFrame":
    """For each label-corruption ratio, run (or reuse) ``mcr2_train`` and the matching
    ``train_classifier`` baseline through the runner; returns one row per ratio with the test
    accuracies ``mcr2_nearest_subspace``, ``mcr2_knn`` and ``cross_entropy``."""
    import pandas as pd

    from reprlab import runner

    rows = []
    for ratio in ratios:
        trained = runner.run_notebook("mcr2_train", profile, {"lcr": ratio})
        job = MCR2Job.from_params(runner.resolve_parameters("mcr2_train", profile, {"lcr": ratio}))
        baseline = runner.run_notebook("train_classifier", profile, job.cross_entropy_params(ce_params))
        for result in (trained, baseline):
            if result.status == "failed":
                raise RuntimeError(f"{result.notebook} failed at lcr={ratio}: {result.error} (see {result.run_dir})")
        rows.append({"ratio": ratio, "mcr2_nearest_subspace": trained.metrics["nearest_subspace_accuracy"],
                     "mcr2_knn": trained.metrics["knn_accuracy"],
                     "cross_entropy": baseline.metrics["test_accuracy"]})
    return pd.DataFrame(rows)


def sweep_summary(table: "pd.DataFrame") -> dict[str, float | bool]:
    """Accuracy lost relative to clean labels (ratio 0, which the table must contain) by MCR2
    (nearest subspace) and by cross-entropy at every ratio, and whether MCR2 loses less at every
    ratio >= 0.4."""
    clean = table[table["ratio"] == 0]
    if clean.empty:
        raise ValueError("ratios must include 0.0, the clean-label reference")
    summary: dict[str, float | bool] = {}
    robust = []
    for _, row in table[table["ratio"] > 0].iterrows():
        mcr2_drop = float(clean["mcr2_nearest_subspace"].iloc[0] - row["mcr2_nearest_subspace"])
        ce_drop = float(clean["cross_entropy"].iloc[0] - row["cross_entropy"])
        summary[f"mcr2_drop_at_{row['ratio']:g}"] = mcr2_drop
        summary[f"ce_drop_at_{row['ratio']:g}"] = ce_drop
        if row["ratio"] >= 0.4:
            robust.append(mcr2_drop < ce_drop)
    if robust:
        summary["mcr2_loses_less_at_high_corruption"] = all(robust)
    return summary
