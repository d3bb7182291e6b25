"""Models from run directories: every run that trained a model is rebuilt from its directory
alone (``params.json`` says which notebook made it and with what), through the loader its
experiment declares (a paper's ``models``; the classifier's here, as the workbook's baseline)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reprlab.data import ImageSet
from reprlab.experiments.classification import trained_classifier
from reprlab.io import read_json
from reprlab.models.trained import TrainedModel
from reprlab.workbench.papers import installed_papers
from reprlab.workbench.rundir import COMPLETED, read_status

#: ``loader(run_dir, parameters, test images) -> TrainedModel``
Loader = Callable[[Path, dict[str, Any], ImageSet], TrainedModel]


def model_loaders() -> dict[str, Loader]:
    """``{notebook: loader}`` of every notebook that trains a model: the classifier's and the papers'."""
    return {"train_classifier": trained_classifier,
            **{notebook: loader for paper in installed_papers() for notebook, loader in paper.models.items()}}


def load_model(run_dir: str | Path, data: ImageSet) -> TrainedModel:
    """The trained model of ``run_dir`` (in eval mode on the CPU); ``data`` (test images of the
    run's dataset) gives the input shape and classes. Raises ``ValueError`` saying why a run
    cannot be rebuilt (not finished, or its notebook trains no model)."""
    run_dir = Path(run_dir)
    status = read_status(run_dir, lambda _: None)
    if status is None or status.get("status") != COMPLETED:
        raise ValueError(f"{run_dir} is not a completed run (status: {(status or {}).get('status', 'none')})")
    recorded = read_json(run_dir / "params.json")
    notebook, loaders = recorded["notebook"], model_loaders()
    if notebook not in loaders:
        raise ValueError(f"{run_dir} is a run of {notebook}, which trains no model; models come from "
                         f"{', '.join(loaders)}")
    return loaders[notebook](run_dir, recorded["parameters"], data)


def model_runs(runs_dir: Path, profile: str, dataset: str) -> list[Path]:
    """The completed runs under ``runs_dir`` of every notebook that trains a model, made under
    ``profile`` on ``dataset``, in notebook order then by name (a rehearsal's runs excluded)."""
    found = []
    for notebook in model_loaders():
        for run_dir in sorted((runs_dir / notebook).glob(f"{profile}-*")):
            status = read_status(run_dir, lambda _: None) or {}
            if (status.get("status") == COMPLETED and not status.get("rehearsal")
                    and status.get("parameters", {}).get("dataset") == dataset):
                found.append(run_dir)
    return found
