"""``duet_train`` runs seen from the notebooks that use them (evaluation, generation): one run per
model with shared settings, executed or reused through the runner, and loaded back."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reprlab.data import ImageSet, Splits
from reprlab.models.trained import PixelInput, TrainedModel
from reprlab.papers.duet.methods import METHODS
from reprlab.papers.duet.models import SSLModel
from reprlab.papers.duet.training import DuetJob, load_ssl_model, load_ssl_splits
from reprlab.workbench.runner import RunResult, run_spec
from reprlab.workbench.spec import RunSpec, resolve_parameters


def duet_train_spec(model: str, profile: str, overrides: dict[str, Any] | None = None) -> RunSpec:
    """The ``duet_train`` run of ``model`` under ``profile`` with ``overrides`` shared by the
    models; ``tx`` as the method's contrastive views take it (ESSL's lose ``equi_tx``, order kept)."""
    values = {**(overrides or {}), "model": model}
    resolved = resolve_parameters("duet_train", profile, values, check=False)
    views = METHODS[model].contrastive_tx(resolved["tx"], resolved["equi_tx"])
    if list(views) != list(resolved["tx"]):
        values["tx"] = list(views)
    return RunSpec("duet_train", profile, values)


def duet_train_run(model: str, profile: str, overrides: dict[str, Any] | None = None) -> RunResult:
    """The run of :func:`duet_train_spec` (executed, or reused when complete); raises if it failed."""
    return run_spec(duet_train_spec(model, profile, overrides))


def _model_runs(params: dict[str, Any], _profile: str) -> list[RunSpec]:
    return [duet_train_spec(m, params["train_profile"], params["train_overrides"]) for m in params["models"]]


SWEEPS = {"duet_evaluate": _model_runs, "duet_generation": _model_runs}


@dataclass
class TrainedSSL:
    """A finished ``duet_train`` run loaded back: its job, preprocessed splits, the trained model
    in eval mode, and the run itself (metrics, directory)."""

    job: DuetJob
    splits: Splits
    model: SSLModel
    run: RunResult


def trained_models(models: list[str], profile: str, overrides: dict[str, Any] | None = None
                   ) -> Iterator[tuple[str, TrainedSSL]]:
    """(name, :class:`TrainedSSL`) of each model's ``duet_train`` run with the shared ``overrides``,
    one at a time (executed, or reused when complete); the data is loaded once for the models that
    share it."""
    loaded: dict[tuple, Splits] = {}
    for name in models:
        result = duet_train_run(name, profile, overrides)
        job = DuetJob.from_params(result.params)
        key = (job.dataset, job.seed, job.subset, job.input_size)
        if key not in loaded:
            loaded[key] = load_ssl_splits(job)
        splits = loaded[key]
        yield name, TrainedSSL(job, splits, load_ssl_model(job, result.run_dir, splits.train), result)


def trained_ssl_model(run_dir: Path, params: dict[str, Any], data: ImageSet) -> TrainedModel:
    """A ``duet_train`` run's encoder (final weights) as a :class:`~reprlab.models.trained.TrainedModel`:
    the representation z of test images resized to the run's ``input_size`` (as its data was
    preprocessed), centre ``image_size`` crop, as the evaluation protocols see it; no classifier
    head (its online probe saw augmented views; a lens fits its own probe)."""
    job = DuetJob.from_params(params)
    model = load_ssl_model(job, run_dir, data).cpu()
    channels = data.images.shape[1]
    return TrainedModel(f"duet_train {job.model}", "duet_train", Path(run_dir),
                        features=PixelInput(model.encoder, (0.5,) * channels, (1.0,) * channels, job.image_size,
                                            resize=job.input_size),
                        settings={"model": job.model, "equi_tx": job.equi_tx, "tx": list(job.tx)})
