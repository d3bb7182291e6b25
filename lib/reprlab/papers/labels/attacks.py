"""Attacks on label-representation models (FGSM, BIM, PGD; untargeted and targeted) and the
paper's two claims in numbers. Every model is a ``label_training`` run through the runner."""

from typing import Any

import numpy as np
import pandas as pd
import torch

from reprlab.data import DeviceLoader, Normalizer, dataset_info, load_dataset
from reprlab.data.splits import stratified_subset
from reprlab.evaluation.attacks import attack, evaluate_attack
from reprlab.papers.labels.runs import label_training_run, load_label_model
from reprlab.papers.labels.training import LabelJob

HIGH_DIMENSIONAL = ("speech", "shuffle", "composite", "random", "bert")


def attack_label_types(labels: list[str], profile: str, eps: list[float], methods: list[str],
                       targeted: list[bool], *, steps: int = 5, test_images: int = 0, upstream_quirks: bool = False,
                       batch_size: int = 500, examples: int = 4) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Accuracy under attack for every label type x method x (un)targeted x eps, one row each
    (columns label, method, targeted, eps, accuracy, target_hit_rate), and adversarial examples
    (BIM, untargeted, largest eps) of the first ``examples`` test images for a figure."""
    rows, gallery, test_sets = [], {}, {}
    for label in labels:
        run = label_training_run(label, profile)
        job = LabelJob.from_params(run.params)
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
        first = next(iter(loader))
        images, targets = first.images[:examples], first.targets[:examples]
        normalizer = Normalizer(info.mean, info.std, device)
        adv = attack(model, images, targets, max(eps), method="bim", loss_fn=task.attack_loss, mean=info.mean,
                     std=info.std, steps=steps, upstream_quirks=upstream_quirks)
        with torch.no_grad():
            gallery[label] = {"clean": _pixels(normalizer, images), "adversarial": _pixels(normalizer, adv),
                              "clean_pred": task.predict(model(images)).cpu().numpy(),
                              "adv_pred": task.predict(model(adv)).cpu().numpy(),
                              "targets": targets.cpu().numpy(), "classes": test.classes, "eps": max(eps)}
    return pd.DataFrame(rows), gallery


def _pixels(normalizer: Normalizer, images: torch.Tensor) -> np.ndarray:
    """Normalised (B, C, H, W) -> displayable (B, H, W, C) pixels in [0, 1] on the CPU."""
    return normalizer.to_pixels(images).clamp(0, 1).permute(0, 2, 3, 1).cpu().numpy()


def summary(table: pd.DataFrame, test_accuracy: dict[str, float] | None = None) -> dict[str, Any]:
    """The numbers the paper's two claims are decided on (by ``reprlab.papers.labels.claims``):
    clean accuracy per label on the attacked images, ``test_accuracy`` (label -> whole-test-set
    accuracy) when given, and per untargeted method each label's accuracy at the middle eps
    (``reference_eps``)."""
    out: dict[str, Any] = {}
    eps_values = sorted(table["eps"].unique())
    middle = eps_values[len(eps_values) // 2]
    clean = table[table["eps"] == 0].groupby("label")["accuracy"].first()
    out["clean_accuracy"] = clean.to_dict()
    if test_accuracy:
        out["test_accuracy"] = dict(test_accuracy)
    out["reference_eps"] = float(middle)
    for method, frame in table[(table["eps"] == middle) & (~table["targeted"])].groupby("method"):
        out[f"{method}_accuracy"] = frame.set_index("label")["accuracy"].to_dict()
    return out
