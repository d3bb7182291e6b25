"""The runs the MCR2 notebooks start, as data: an ``mcr2_train`` run and its cross-entropy
``train_classifier`` baseline (same data, backbone and corrupted labels), for the evaluation and
for every ratio of the corruption sweep."""

from pathlib import Path
from typing import Any

from reprlab.data import ImageSet, dataset_info
from reprlab.models.trained import PixelInput, TrainedModel
from reprlab.papers.mcr2.training import MCR2Job, build_mcr2_model
from reprlab.training.checkpoint import load_checkpoint
from reprlab.workbench.spec import RunSpec


def mcr2_train_spec(profile: str, overrides: dict[str, Any] | None = None) -> RunSpec:
    """The ``mcr2_train`` run under ``profile`` with ``overrides``."""
    return RunSpec("mcr2_train", profile, dict(overrides or {}))


def baseline_spec(mcr2: RunSpec, ce_params: dict[str, Any]) -> RunSpec:
    """The cross-entropy ``train_classifier`` run matching the ``mcr2_train`` run ``mcr2``."""
    params, _ = mcr2.resolve()
    return RunSpec("train_classifier", mcr2.profile, MCR2Job.from_params(params).cross_entropy_params(ce_params))


def corruption_specs(ratios: list[float], profile: str, ce_params: dict[str, Any]) -> list[tuple[RunSpec, RunSpec]]:
    """(``mcr2_train``, cross-entropy baseline) per label-corruption ratio."""
    pairs = []
    for ratio in ratios:
        mcr2 = mcr2_train_spec(profile, {"lcr": ratio})
        pairs.append((mcr2, baseline_spec(mcr2, ce_params)))
    return pairs


def _evaluation_runs(params: dict[str, Any], _profile: str) -> list[RunSpec]:
    mcr2 = mcr2_train_spec(params["train_profile"], params["train_overrides"])
    return [mcr2, baseline_spec(mcr2, params["ce_params"])]


SWEEPS = {
    "mcr2_evaluate": _evaluation_runs,
    "mcr2_corruption_sweep": lambda p, _profile: [
        s for pair in corruption_specs(p["ratios"], p["train_profile"], p["ce_params"]) for s in pair],
}


def trained_encoder(run_dir: Path, params: dict[str, Any], data: ImageSet) -> TrainedModel:
    """An ``mcr2_train`` run's encoder (its final weights) as a
    :class:`~reprlab.models.trained.TrainedModel`: unit-norm features, no classifier head."""
    job = MCR2Job.from_params(params)
    _, channels, size, _ = data.images.shape
    model = build_mcr2_model(job.model, job.fd, channels, size)
    model.load_state_dict(load_checkpoint(Path(run_dir) / "checkpoints" / "last.pt")["model"])
    info = dataset_info(job.dataset)
    return TrainedModel(f"mcr2_train {job.model}", "mcr2_train", Path(run_dir),
                        features=PixelInput(model.eval(), info.mean, info.std),
                        settings={"model": job.model, "fd": job.fd, "lcr": job.lcr})
