"""The runs the ``lenses`` notebook looks at, as data: every run of its ``train_profile`` that
trains a model on its dataset, one per model (trained on clean labels and all the data, with the
profile's seed: a label-noise, less-data or repeated-seed run answers another question), so that
they complete before it starts."""

from typing import Any

from reprlab.data import ImageSet
from reprlab.lenses.models import load_model, model_loaders
from reprlab.models.trained import TrainedModel
from reprlab.workbench.parameters import default_parameters
from reprlab.workbench.spec import RunSpec, load_profile, resolve_parameters
from reprlab.workbench.sweeps import plan

#: parameters whose other values make a run another experiment's variant, not a model to compare
VARIANTS = {"corruption": 0.0, "lcr": 0.0, "level": 100.0, "random_label_prob": 0.0}


def lens_runs(params: dict[str, Any], _profile: str = "") -> list[RunSpec]:
    """The model-training runs of ``params["train_profile"]`` on ``params["dataset"]``, as its
    notebooks plan them (children included: a DUET evaluation's three models, a sweep's networks),
    without the variants (:data:`VARIANTS`, and a seed other than the profile's for that notebook)."""
    profile = params["train_profile"]
    sections = load_profile(profile)
    loaders = model_loaders()
    seeds = {notebook: (resolve_parameters(notebook, profile, check=False) if notebook in sections
                        else default_parameters(notebook)).get("seed") for notebook in loaders}
    specs = [RunSpec(notebook, profile) for notebook in sections if notebook != "lenses"]
    return [run.spec for run in plan(specs) if run.spec.notebook in loaders
            and run.params.get("dataset") == params["dataset"]
            and run.params.get("seed") == seeds[run.spec.notebook]
            and all(run.params.get(key, plain) == plain for key, plain in VARIANTS.items())]


def lens_models(params: dict[str, Any], test: ImageSet) -> tuple[list[TrainedModel], dict[str, dict[str, Any]]]:
    """The models of :func:`lens_runs`, rebuilt from their (completed) directories, and each one's
    provenance ``{name: {notebook, profile, run, key settings}}``. Two models that would share a
    name (one notebook, the same key settings) are told apart by their run directory's name."""
    models, provenance = [], {}
    for spec in lens_runs(params):
        _, run_dir = spec.resolve()
        model = load_model(run_dir, test)
        if model.name in provenance:
            model.name = f"{model.name} ({run_dir.name})"
        models.append(model)
        provenance[model.name] = {"notebook": model.notebook, "profile": spec.profile, "run": str(run_dir),
                                  **model.settings}
    return models, provenance
