"""Categorical training of any model on any dataset, in process or under torchrun/DDP.

``python -m torch.distributed.run --standalone --nproc_per_node=N -m reprlab.experiments.classification JOB.json``
trains with DistributedDataParallel (per-GPU batch ``batch_size``) and writes the same run files.
"""

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from reprlab.data import ImageSet, dataset_info, load_splits, make_loader
from reprlab.jobs import TrainingJob
from reprlab.models import Classifier, build_model
from reprlab.models.trained import PixelInput, TrainedModel, argmax_classes, summed_cross_entropy
from reprlab.training.checkpoint import load_checkpoint
from reprlab.training.distributed import is_main_process, launch_torchrun, resolve_device
from reprlab.training.engine import EvalResult, TrainConfig, evaluate, fit
from reprlab.training.hooks import Hook
from reprlab.training.seeding import seed_everything


@dataclass
class ClassifierJob(TrainingJob):
    """One categorical training run: the ``train_classifier`` parameters it reads."""

    NOTEBOOK = "train_classifier"
    dataset: str
    model: str
    warmup: float
    subset: int
    val_size: int
    level: float
    stratified: bool
    corruption: float
    corruption_seed: int
    corruption_include_true: bool
    seed: int
    deterministic: bool
    amp: bool
    compile: bool
    device: str

    def train_config(self, eval_every: int = 1) -> TrainConfig:
        return TrainConfig.from_job(self, best_metric="val_accuracy" if self.val_size else "", eval_every=eval_every)


@dataclass
class ClassifierResult:
    model: Classifier
    history: list[dict[str, float]]
    test: EvalResult
    classes: list[str]


def train_classifier(job: ClassifierJob, out_dir: str | Path, *, progress: bool = False,
                     train_set: ImageSet | None = None, test_set: ImageSet | None = None,
                     hooks: Sequence[Hook] = (), eval_every: int = 1) -> ClassifierResult:
    """Train ``job`` in this process (one device, or one rank of a torchrun launch), writing
    checkpoints and history to ``out_dir``; resumes if ``out_dir`` holds a checkpoint.
    ``train_set`` / ``test_set`` replace the dataset's training / test split (e.g. derived datasets
    such as HARS or CDES); ``hooks`` go to the engine. The eval splits are evaluated every
    ``eval_every`` epochs and after the last (a driver that shows no learning curve passes
    ``job.epochs``); the returned test result is the last epoch's, not a second pass."""
    device = resolve_device(job.device)
    seed_everything(job.seed, job.deterministic)
    splits = load_splits(job.dataset, val_size=job.val_size, split_seed=job.seed, level=job.level,
                         stratified=job.stratified, corruption=job.corruption, corruption_seed=job.corruption_seed,
                         corruption_include_true=job.corruption_include_true,
                         subset=job.subset)
    if train_set is not None:
        splits.train = train_set
    if test_set is not None:
        splits.test = test_set
    _, channels, size, _ = splits.train.images.shape
    model = build_model(job.model, splits.train.num_classes, channels, size).to(device)
    channels_last = device.type == "cuda"
    train_loader = make_loader(splits.train, job.batch_size, train=True, device=device, seed=job.seed,
                               channels_last=channels_last)
    eval_loaders = {name: make_loader(data, 1000, train=False, device=device, channels_last=channels_last)
                    for name, data in (("val", splits.val), ("test", splits.test)) if len(data)}
    final_test = FinalEval("test", job.epochs)
    history = fit(model, train_loader, job.train_config(eval_every=eval_every), eval_loaders=eval_loaders,
                  hooks=[*hooks, final_test], out_dir=out_dir, progress=progress)
    # a run resumed after its last epoch trained nothing here: evaluate its final model once
    test = final_test.result if final_test.result is not None else evaluate(model, eval_loaders["test"], amp=job.amp)
    return ClassifierResult(model, history, test, splits.train.classes)


class FinalEval(Hook):
    """Keeps ``split``'s evaluation of the run's last epoch (``epochs``), which the engine has
    already computed, so the caller need not evaluate the final model again."""

    def __init__(self, split: str, epochs: int) -> None:
        self.split, self.epochs = split, epochs
        self.result: EvalResult | None = None

    def on_eval(self, epoch: int, split: str, result: EvalResult) -> None:
        if split == self.split and epoch == self.epochs:
            self.result = result


def run(job: ClassifierJob, out_dir: str | Path, *, nproc: int = 1, progress: bool = False) -> ClassifierResult:
    """Train ``job``: in this process when ``nproc == 1``, else with ``nproc`` torchrun workers
    (DDP); in both cases the returned model holds the final weights."""
    if nproc <= 1:
        return train_classifier(job, out_dir, progress=progress)
    launch_torchrun("reprlab.experiments.classification", job, out_dir, nproc)
    return train_classifier(job, out_dir)  # every epoch is checkpointed: this only resumes and evaluates


def load_classifier(params: dict[str, Any], run_dir: str | Path, data: ImageSet,
                    device: torch.device | str = "cpu") -> Classifier:
    """The final model (``checkpoints/last.pt``) of a ``train_classifier``-style run with
    ``params``, in eval mode on ``device``; ``data`` gives the input shape and classes."""
    job = ClassifierJob.from_params(params)
    _, channels, size, _ = data.images.shape
    model = build_model(job.model, data.num_classes, channels, size)
    model.load_state_dict(load_checkpoint(Path(run_dir) / "checkpoints" / "last.pt")["model"])
    return model.to(device).eval()


def trained_classifier(run_dir: Path, params: dict[str, Any], data: ImageSet,
                       notebook: str = "train_classifier") -> TrainedModel:
    """The final classifier of a ``train_classifier``-style run (``notebook``: any notebook whose
    parameters make a :class:`ClassifierJob`, e.g. ``frequency_gradients``) as a
    :class:`~reprlab.models.trained.TrainedModel`: the backbone's features, the class logits."""
    job = ClassifierJob.from_params(params)
    model = load_classifier(params, run_dir, data)
    info = dataset_info(job.dataset)
    return TrainedModel(f"{notebook} {job.model}", notebook, Path(run_dir),
                        features=PixelInput(model.backbone, info.mean, info.std),
                        outputs=PixelInput(model, info.mean, info.std), predict=argmax_classes,
                        loss=summed_cross_entropy, settings={"model": job.model, "epochs": job.epochs})


if __name__ == "__main__":
    job_path = Path(sys.argv[1])
    result = train_classifier(ClassifierJob.from_params(json.loads(job_path.read_text())), job_path.parent)
    if is_main_process():
        print(f"test accuracy {result.test.accuracy:.4f}")
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
