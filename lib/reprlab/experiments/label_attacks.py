"""Attacks on, and less-data sweeps of, label-representation models: every model is a
``label_training`` run obtained (executed or reused) through the runner."""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from reprlab import paths
from reprlab.attacks import attack, evaluate_attack
from reprlab.data import DeviceLoader, ImageSet, dataset_info, load_dataset
from reprlab.data.splits import stratified_subset
from reprlab.experiments.label_training import LabelJob, LabelTask, build_label_model
from reprlab.models import Classifier
from reprlab.nb import resolve_device
from reprlab.training.checkpoint import load_checkpoint

HIGH_DIMENSIONAL = ("speech", "shuffle", "composite", "random", "bert")


def _label_training_run(label: str, profile: str, overrides: dict[str, Any] | None = None):
    """The ``label_training`` run for ``label`` under ``profile`` (executed, or reused when complete)."""
    from reprlab import runner

    values = {"label": label, **(overrides or {})}
    result = runner.run_notebook("label_training", profile, values)
    if result.status == "failed":
        raise RuntimeError(f"label_training failed for {values}: {result.error} (see {result.run_dir})")
    return result, LabelJob.from_params(runner.resolve_parameters("label_training", profile, values))


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
    return {label: _label_training_run(label, profile)[0].metrics["test_accuracy"] for label in labels}


def attack_label_types(labels: list[str], profile: str, eps: list[float], methods: list[str],
                       targeted: list[bool], *, steps: int = 5, test_images: int = 0, upstream_quirks: bool = False,
                       batch_size: int = 500, examples: int = 4) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Accuracy under attack for every label type x method x (un)targeted x eps, one row each
    (columns label, method, targeted, eps, accuracy, target_hit_rate), and adversarial examples
    (BIM, untargeted, largest eps) of the first ``examples`` test images for a figure."""
    rows, gallery, test_sets = [], {}, {}
    for label in labels:
        run, job = _label_training_run(label, profile)
        if job.dataset not in test_sets:  # every label of a profile shares it: load it once
            test = load_dataset(job.dataset, "test")
            test_sets[job.dataset] = stratified_subset(test, test_images, seed=0) if test_images else test
        test = test_sets[job.dataset]
        model, task = load_label_model(job, run.run_dir, test)
        device = next(model.parameters()).device
        info = dataset_info(job.dataset)
        loader = DeviceLoader(test, batch_size, train=False, device=device)
        for method in methods:
            for is_targeted in targeted:
                result = evaluate_attack(model, loader, eps, method=method, loss_fn=task.attack_loss,
                                         predict=task.predict, mean=info.mean, std=info.std,
                                         num_classes=test.num_classes, targeted=is_targeted, steps=steps,
                                         upstream_quirks=upstream_quirks)
                for i, e in enumerate(eps):
                    rows.append({"label": label, "method": method, "targeted": is_targeted, "eps": e,
                                 "accuracy": result.accuracy[i],
                                 "target_hit_rate": result.target_hit_rate[i] if is_targeted else np.nan})
        images, targets, _ = next(iter(loader))
        images, targets = images[:examples], targets[:examples]
        adv = attack(model, images, targets, max(eps), method="bim", loss_fn=task.attack_loss, mean=info.mean,
                     std=info.std, steps=steps, upstream_quirks=upstream_quirks)
        with torch.no_grad():
            gallery[label] = {"clean": _to_pixels(images, info), "adversarial": _to_pixels(adv, info),
                              "clean_pred": task.predict(model(images)).cpu().numpy(),
                              "adv_pred": task.predict(model(adv)).cpu().numpy(),
                              "targets": targets.cpu().numpy(), "classes": test.classes, "eps": max(eps)}
    return pd.DataFrame(rows), gallery


def _to_pixels(images: torch.Tensor, info) -> np.ndarray:
    mean = torch.tensor(info.mean, device=images.device).view(1, -1, 1, 1)
    std = torch.tensor(info.std, device=images.device).view(1, -1, 1, 1)
    return (images * std + mean).clamp(0, 1).permute(0, 2, 3, 1).cpu().numpy()


def summary(table: pd.DataFrame, test_accuracy: dict[str, float] | None = None) -> dict[str, Any]:
    """The paper's two claims in numbers. Clean accuracy per label on the attacked images; with
    ``test_accuracy`` (label -> whole-test-set accuracy) the largest shortfall of a high-dimensional
    label against ``category``; and per untargeted method at the middle eps, each label's accuracy
    and the smallest advantage of a high-dimensional label over ``category``."""
    out: dict[str, Any] = {}
    eps_values = sorted(table["eps"].unique())
    middle = eps_values[len(eps_values) // 2]
    clean = table[table["eps"] == 0].groupby("label")["accuracy"].first()
    out["clean_accuracy"] = clean.to_dict()
    if test_accuracy:
        out["test_accuracy"] = dict(test_accuracy)
        high = [test_accuracy[label] for label in HIGH_DIMENSIONAL if label in test_accuracy]
        if "category" in test_accuracy and high:
            out["max_test_accuracy_gap_to_category"] = float(test_accuracy["category"] - min(high))
    out["reference_eps"] = float(middle)
    for method, frame in table[(table["eps"] == middle) & (~table["targeted"])].groupby("method"):
        accuracy = frame.set_index("label")["accuracy"]
        out[f"{method}_accuracy"] = accuracy.to_dict()
        high = [label for label in HIGH_DIMENSIONAL if label in accuracy.index]
        if "category" in accuracy.index and high:
            out[f"{method}_min_advantage_over_category"] = float(accuracy[high].min() - accuracy["category"])
    return out


def less_data_sweep(labels: list[str], levels: list[float], seeds: list[int], profile: str) -> pd.DataFrame:
    """Test accuracy mean and std over ``seeds`` for every label type and data level (percent),
    each point a ``label_training`` run through the runner. Index (label, level)."""
    rows = []
    for label in labels:
        for level in levels:
            for seed in seeds:
                result, _ = _label_training_run(label, profile, {"level": level, "seed": seed})
                rows.append({"label": label, "level": level, "seed": seed,
                             "test_accuracy": result.metrics["test_accuracy"]})
    frame = pd.DataFrame(rows)
    return frame.groupby(["label", "level"])["test_accuracy"].agg(["mean", "std", "count"])
