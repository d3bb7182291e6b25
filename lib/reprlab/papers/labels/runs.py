"""``label_training`` runs seen from the notebooks that use them (attacks, less data): executed
or reused through the runner, and their trained models loaded back."""

from pathlib import Path
from typing import Any

from reprlab import paths
from reprlab.data import ImageSet
from reprlab.models import Classifier
from reprlab.papers.labels.training import LabelJob, LabelTask, build_label_model
from reprlab.training import resolve_device
from reprlab.training.checkpoint import load_checkpoint
from reprlab.workbench.runner import RunResult, run_notebook


def label_training_run(label: str, profile: str, overrides: dict[str, Any] | None = None) -> RunResult:
    """The ``label_training`` run for ``label`` under ``profile`` (executed, or reused when
    complete); raises if it failed. Its parameters are ``result.params``."""
    values = {"label": label, **(overrides or {})}
    result = run_notebook("label_training", profile, values)
    if result.status == "failed":
        raise RuntimeError(f"label_training failed for {values}: {result.error} (see {result.run_dir})")
    return result


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
