"""The networks of an ``agreement`` run as data: one ``agreement_network`` run per network (seeds
0..N-1, architectures cycled from ``models``) and label-randomisation probability, so they train
concurrently under an executor and are reused when complete."""

from pathlib import Path
from typing import Any

from reprlab.data import ImageSet, dataset_info
from reprlab.models import build_model
from reprlab.models.trained import PixelInput, TrainedModel, argmax_classes, summed_cross_entropy
from reprlab.papers.agreement.training import NetworkJob, Recording, load_recording
from reprlab.training.checkpoint import load_checkpoint
from reprlab.workbench.runner import RunResult, run_spec
from reprlab.workbench.spec import RunSpec


def network_specs(train_profile: str, train_overrides: dict[str, Any], models: list[str], networks: int,
                  random_label_prob: float) -> list[RunSpec]:
    """Network k: ``models[k % len(models)]`` from seed k, with ``random_label_prob``."""
    return [RunSpec("agreement_network", train_profile, {**train_overrides, "model": models[k % len(models)],
                                                         "seed": k, "random_label_prob": random_label_prob})
            for k in range(networks)]


def trained_networks(specs: list[RunSpec]) -> tuple[Recording, list[RunResult]]:
    """Run (or reuse) every network of ``specs``; their stacked :class:`Recording` and the runs."""
    results = [run_spec(spec) for spec in specs]
    return load_recording([(NetworkJob.from_params(r.params), r.run_dir) for r in results]), results


def _networks(params: dict[str, Any], _profile: str) -> list[RunSpec]:
    return [spec for prob in params["random_label_probs"]
            for spec in network_specs(params["train_profile"], params["train_overrides"], params["models"],
                                      params["networks"], prob)]


SWEEPS = {"agreement": _networks}


def trained_network(run_dir: Path, params: dict[str, Any], data: ImageSet) -> TrainedModel:
    """An ``agreement_network`` run's final network as a :class:`~reprlab.models.trained.TrainedModel`."""
    job = NetworkJob.from_params(params)
    _, channels, size, _ = data.images.shape
    model = build_model(job.model, data.num_classes, channels, size)
    model.load_state_dict(load_checkpoint(Path(run_dir) / "checkpoints" / "last.pt")["model"])
    model, info = model.eval(), dataset_info(job.dataset)
    return TrainedModel(f"agreement_network {job.model} seed {job.seed}", "agreement_network", Path(run_dir),
                        features=PixelInput(model.backbone, info.mean, info.std),
                        outputs=PixelInput(model, info.mean, info.std), predict=argmax_classes,
                        loss=summed_cross_entropy, settings={"model": job.model, "seed": job.seed})
