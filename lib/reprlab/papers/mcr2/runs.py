"""The runs the MCR2 notebooks start, as data: an ``mcr2_train`` run and its cross-entropy
``train_classifier`` baseline (same data, backbone and corrupted labels), for the evaluation and
for every ratio of the corruption sweep."""

from typing import Any

from reprlab.papers.mcr2.training import MCR2Job
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
