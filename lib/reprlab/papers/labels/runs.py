"""``label_training`` runs seen from the notebooks that use them (attacks, less data): declared
as data (``SWEEPS``), executed or reused through the runner, and their trained models loaded back."""

from pathlib import Path
from typing import Any

from reprlab import paths
from reprlab.data import ImageSet, dataset_info
from reprlab.models import Classifier
from reprlab.models.trained import PixelInput, TrainedModel
from reprlab.papers.labels.training import LabelJob, LabelTask, build_label_model
from reprlab.training import resolve_device
from reprlab.training.checkpoint import load_checkpoint
from reprlab.workbench.runner import RunResult, run_spec
from reprlab.workbench.spec import RunSpec


def label_training_spec(label: str, profile: str, overrides: dict[str, Any] | None = None) -> RunSpec:
    """The ``label_training`` run for ``label`` under ``profile`` with ``overrides``."""
    return RunSpec("label_training", profile, {"label": label, **(overrides or {})})


def label_training_run(label: str, profile: str, overrides: dict[str, Any] | None = None) -> RunResult:
    """The ``label_training`` run for ``label`` under ``profile`` (executed, or reused when
    complete); raises if it failed. Its parameters are ``result.params``."""
    return run_spec(label_training_spec(label, profile, overrides))


def less_data_specs(labels: list[str], levels: list[float], seeds: list[int], profile: str,
                    level_budget: str) -> list[RunSpec]:
    """One ``label_training`` run per label type x data level (percent) x seed."""
    return [label_training_spec(label, profile, {"level": level, "seed": seed, "level_budget": level_budget})
            for label in labels for level in levels for seed in seeds]


def label_bank_spec(params: dict[str, Any], profile: str) -> list[RunSpec]:
    """The ``label_generation`` run whose label bank a ``label_training`` run with ``params`` reads
    (same profile and dataset); none for categorical labels, which need no bank."""
    if params["label"] == "category":
        return []
    return [RunSpec("label_generation", profile, {"dataset": params["dataset"]})]


SWEEPS = {
    "label_training": label_bank_spec,
    "label_attacks": lambda p, _profile: [label_training_spec(label, p["train_profile"]) for label in p["labels"]],
    "label_less_data": lambda p, _profile: less_data_specs(p["labels"], p["levels"], p["seeds"], p["train_profile"],
                                                           p["level_budget"]),
}


def load_label_model(job: LabelJob, run_dir: Path, data: ImageSet) -> tuple[Classifier, LabelTask]:
    """(model in eval mode with the run's best weights, task) of a ``label_training`` run; ``data``
    (e.g. the test set) gives the input shape and the number of classes."""
    device = resolve_device(job.device)
    _, channels, size, _ = data.images.shape
    model, task = build_label_model(job, paths.labels_dir(), channels, size, data.num_classes, device)
    model.load_state_dict(load_checkpoint(run_dir / "checkpoints" / "best.pt", device)["model"])
    return model.eval(), task


def accuracy_on_test_set(labels: list[str], profile: str) -> dict[str, float]:
    """Each label type's accuracy on the whole test set, from its ``label_training`` run."""
    return {label: label_training_run(label, profile).metrics["test_accuracy"] for label in labels}


def trained_label_model(run_dir: Path, params: dict[str, Any], data: ImageSet) -> TrainedModel:
    """A ``label_training`` run's model (best weights) as a :class:`~reprlab.models.trained.TrainedModel`:
    the backbone's features; outputs in the label's representation, decoded to the nearest class
    label, and its summed training loss (what the paper's attacks ascend)."""
    job = LabelJob.from_params(params)
    model, task = load_label_model(job, Path(run_dir), data)
    model, info = model.cpu(), dataset_info(job.dataset)
    return TrainedModel(f"label_training {job.label}", "label_training", Path(run_dir),
                        features=PixelInput(model.backbone, info.mean, info.std),
                        outputs=PixelInput(model, info.mean, info.std), predict=task.predict, loss=task.attack_loss,
                        settings={"label": job.label, "model": job.model, "level": job.level, "seed": job.seed})
