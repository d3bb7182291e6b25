"""Training DUET, SimCLR and ESSL through the one engine (apple/ml-duet ``scripts/train_ssl.py``).

One step computes the loss of the job's method (:mod:`reprlab.papers.duet.methods`: NT-Xent
between the projections of the two views, plus DUET's structure loss or ESSL's equivariance loss)
plus the online probe's cross-entropy on the detached representation of view 1, all minimised by
one AdamW. The step's outputs are the probe's logits, so the engine's accuracy columns are the
online probe's, counted per example.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from reprlab.augment import AugStack, check_target
from reprlab.augment.stack import check_codes
from reprlab.data import ImageSet, Splits, load_splits
from reprlab.data.views import TwoViewLoader, resize_set
from reprlab.jobs import NotebookJob
from reprlab.losses import TARGET_KINDS
from reprlab.models import WideCifarResNet
from reprlab.papers.duet.methods import METHODS, SSLMethod
from reprlab.papers.duet.models import SSLModel, build_encoder
from reprlab.training import Batch, StepOutput, TrainConfig, fit, resolve_device, seed_everything
from reprlab.training.checkpoint import load_checkpoint
from reprlab.training.distributed import launch_torchrun, rank_and_world_size

CENTER_CROP_RATIO = 256 / 224  # upstream: Resize and CenterCrop to floor(S * 256 / 224) = 36 at S = 32


@dataclass
class DuetJob(NotebookJob):
    """One ``duet_train`` run: upstream ``train_ssl.py``'s parameters under its names, and
    reprlab's (width, subset, seed, ...)."""

    NOTEBOOK = "duet_train"
    model: str
    dataset: str
    encoder: str
    width: float
    batch_size: int
    image_size: int
    center_crop: bool
    num_classes: int
    epochs: int
    warmup_epochs: int
    test_every: int
    lr: float
    weight_decay: float
    lr_step: str
    tx: tuple[str, ...]
    upstream_resize: bool
    equi_tx: str
    duet_lambda: float
    duet_bins: int
    duet_target: str
    group_pooling: str
    essl_lambda: float
    temperature: float
    proj_hidden: int
    proj_dim: int
    debug_steps: int
    subset: int
    seed: int
    amp: bool
    device: str

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the parameter for every combination upstream rejects or
        mishandles: unknown codes, a target that is no target, and what the method refuses
        (DUET: ``equi_tx`` not in ``tx``, a representation width that G does not divide; ESSL:
        ``equi_tx`` in ``tx``)."""
        if self.model not in METHODS:
            raise ValueError(f"model={self.model!r}; allowed values: {', '.join(METHODS)}")
        check_codes(self.tx, "tx")
        check_target(self.equi_tx, "equi_tx")
        if self.duet_target not in TARGET_KINDS:
            raise ValueError(f"duet_target={self.duet_target!r}; allowed values: {', '.join(TARGET_KINDS)}")
        if self.warmup_epochs >= self.epochs and self.epochs > 1:
            raise ValueError(f"warmup_epochs={self.warmup_epochs} must be below epochs={self.epochs}")
        METHODS[self.model].check(self, WideCifarResNet.channels(512, self.width))

    def method(self) -> SSLMethod:
        """The job's method with its settings."""
        return METHODS[self.model].from_job(self)

    @property
    def input_size(self) -> int:
        """Preprocessed image side: ``image_size``, or 36 for 32 with ``center_crop``."""
        return int(self.image_size * CENTER_CROP_RATIO) if self.center_crop else self.image_size

    def train_config(self) -> TrainConfig:
        """AdamW(lr, betas (0.9, 0.95), weight_decay), linear warm-up over ``warmup_epochs`` from
        lr x 1e-3, then cosine; per epoch as upstream (``lr_step="step"``: per step); test every
        ``test_every`` epochs and after the last; float32 augmentations, bf16 autocast on a GPU."""
        return TrainConfig.from_job(self, optimizer="adamw", betas=(0.9, 0.95), schedule="warmup_cosine",
                                    warmup=self.warmup_epochs / self.epochs, eval_every=self.test_every,
                                    lr_per_epoch=self.lr_step == "epoch", milestones=())


def load_ssl_splits(job: DuetJob) -> Splits:
    """The job's dataset (``subset`` of the training split, the whole test split), resized once to
    ``input_size``."""
    splits = load_splits(job.dataset, split_seed=job.seed, subset=job.subset)
    return Splits(*(resize_set(s, job.input_size) for s in (splits.train, splits.val, splits.test)))


def build_ssl_model(job: DuetJob, in_channels: int, num_classes: int) -> SSLModel:
    """The job's model on the CPU."""
    return SSLModel(job.method(), build_encoder(job.encoder, in_channels, job.width), job.num_classes or num_classes)


def ssl_loaders(job: DuetJob, splits: Splits, device: torch.device) -> tuple[TwoViewLoader, TwoViewLoader]:
    """(train, test) loaders of the job's views (and its method's extra view, if any: ESSL's third),
    sharded by rank."""
    stack = AugStack(job.tx, job.image_size, upstream_resize=job.upstream_resize)
    branch = job.method().branch(job)
    rank, world = rank_and_world_size()
    train = TwoViewLoader(splits.train, job.batch_size, stack, train=True, device=device, seed=job.seed,
                          branch=branch, max_batches=job.debug_steps, rank=rank, world_size=world)
    test = TwoViewLoader(splits.test, job.batch_size, stack, train=False, device=device, seed=job.seed + 1,
                         branch=branch, max_batches=job.debug_steps)
    return train, test


def ssl_step(method: SSLMethod):
    """The engine step of ``method``: ``step(model, batch) -> StepOutput(method's loss + the online
    probe's cross-entropy, probe logits of view 1, the method's terms and probe_ce)``."""

    def step(model: nn.Module, batch: Batch) -> StepOutput:
        out = model(batch.images, batch.extras["view2"], batch.extras.get("extra_images"))
        loss, terms = method.loss(out, batch, model.training)
        probe = out["probe"].float()
        probe_ce = F.cross_entropy(probe, batch.targets)
        return StepOutput(loss + probe_ce, probe, {**terms, "probe_ce": probe_ce.detach()})

    return step


def train_ssl(job: DuetJob, out_dir: str | Path, *, progress: bool = False, until_epoch: int | None = None
              ) -> tuple[SSLModel, list[dict[str, float]], Splits]:
    """Train ``job`` (resuming from ``out_dir``'s checkpoint) with the online probe evaluated on
    the clean test set every ``test_every`` epochs. Under torchrun NT-Xent sees the global batch and,
    on GPUs, the BatchNorms are synchronised (on CPU workers each keeps its own statistics).
    ``until_epoch`` stops early (a later call resumes). Returns (model in eval mode, history, splits)."""
    device = resolve_device(job.device)
    seed_everything(job.seed)
    splits = load_ssl_splits(job)
    model = build_ssl_model(job, splits.train.images.shape[1], splits.train.num_classes)
    if rank_and_world_size()[1] > 1 and device.type == "cuda":  # torch's SyncBatchNorm needs a GPU
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model = model.to(device)
    train, test = ssl_loaders(job, splits, device)
    history = fit(model, train, job.train_config(), step=ssl_step(job.method()), eval_loaders={"test": test},
                  out_dir=out_dir, progress=progress, until_epoch=until_epoch)
    return model.eval(), history, splits


def summary(history: list[dict[str, float]]) -> dict[str, float]:
    """A run's metrics: the online probe's last tested and last training accuracy, the last
    epoch's loss terms (its method's and probe_ce), epochs and training seconds."""
    tested = [r for r in history if "test_accuracy" in r]
    terms = {k: v for k, v in history[-1].items()
             if k.startswith("train_") and k not in ("train_loss", "train_accuracy")}
    return {"online_probe_accuracy": tested[-1]["test_accuracy"],
            "online_probe_train_accuracy": history[-1]["train_accuracy"], **terms,
            "epochs": len(history), "train_seconds": sum(r["seconds"] for r in history)}


def load_ssl_model(job: DuetJob, run_dir: str | Path, data: ImageSet) -> SSLModel:
    """The trained model of a ``duet_train`` run (its last checkpoint), in eval mode on the job's device."""
    device = resolve_device(job.device)
    model = build_ssl_model(job, data.images.shape[1], data.num_classes).to(device)
    model.load_state_dict(load_checkpoint(Path(run_dir) / "checkpoints" / "last.pt", device)["model"])
    return model.eval()


def run_ssl(job: DuetJob, out_dir: str | Path, *, nproc: int = 1, progress: bool = False
            ) -> tuple[SSLModel, list[dict[str, float]], Splits]:
    """Train ``job`` in this process, or with ``nproc`` torchrun workers (DDP: ``batch_size`` per
    worker, NT-Xent over the global batch); either way returns the final model and history."""
    if nproc > 1:
        launch_torchrun("reprlab.papers.duet.training", job, out_dir, nproc)
    return train_ssl(job, out_dir, progress=progress)  # after torchrun: resumes the finished run


if __name__ == "__main__":
    job_path = Path(sys.argv[1])
    train_ssl(DuetJob.from_params(json.loads(job_path.read_text())), job_path.parent)
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
