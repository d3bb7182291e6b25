"""Every paper's instrument, applied to any trained model (:class:`~reprlab.models.trained.TrainedModel`).

A lens is a function ``lens(model, data, heads) -> {metric: number}`` registered with
:func:`lens`; :func:`lens_matrix` applies every registered lens (or those named) to every model,
so a lens added as a new function appears in the matrix without the notebook changing. A lens
that needs class predictions from an encoder without a head asks :meth:`Heads.of`, which fits the
frozen-feature linear probe once per model (:func:`reprlab.evaluation.fit_linear_probe`, as
a differentiable module, so attacks and input gradients reach the pixels through it).

- ``coding_rate`` (MCR²): R, Rc and ΔR of the unit-norm test features (ε² = 0.5).
- ``frequency`` (frequency bias): accuracy on the low- and high-pass test images at three radii,
  and the centroid (in bands) of the mean input-gradient spectrum.
- ``robustness`` (label representations): accuracy under FGSM and BIM at ε in pixel units,
  ascending the model's own training loss (a probe: cross-entropy).
- ``equivariance`` (DUET): a linear probe's accuracy for the rotation's bin (of ``bins``) from the
  representation of rotated test images, trained on rotated training images; chance 1 / bins.
- ``agreement`` (when deep classifiers agree): accuracy, and the Spearman ρ between an example's
  correctness and its local image entropy; :func:`agreement_matrix` gives the pairwise
  true-positive agreement between models.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from scipy.stats import spearmanr

from reprlab.data import ImageSet
from reprlab.evaluation import accuracy, encode, fit_linear_probe, input_gradient, linear_probe_accuracy
from reprlab.evaluation.attacks import attack
from reprlab.losses.mcr2 import coding_rates
from reprlab.models.trained import TrainedModel, argmax_classes, summed_cross_entropy
from reprlab.papers.agreement.image_stats import local_entropy, to_gray
from reprlab.papers.duet.evaluation import transformed, true_bins
from reprlab.papers.frequency.spectra import frequency_split, gradient_spectrum, spectral_centroid


@dataclass
class LensData:
    """The images every model is looked at through, uint8 ImageSets of one dataset: ``train`` (for
    the probes) and ``test``; ``seed`` seeds the random transformations."""

    train: ImageSet
    test: ImageSet
    seed: int = 0

    def pixels(self, split: str = "test") -> torch.Tensor:
        """(N, C, H, W) float32 in [0, 1]."""
        return getattr(self, split).images.float() / 255


@dataclass
class Classifier:
    """What a lens needs to classify: ``outputs`` (pixels -> outputs), ``predict`` (outputs ->
    classes) and the summed ``loss`` an attack ascends; ``probe``: fitted by the lens, not trained
    with the model."""

    outputs: nn.Module
    predict: Callable[[torch.Tensor], torch.Tensor]
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    probe: bool


class ProbeHead(nn.Module):
    """The fitted linear probe (standardisation, then logistic regression) as a module on features:
    (B, d) -> (B, ``num_classes``) logits. A class the probe never saw (a few training images) gets
    a logit far below the others: never predicted, and a valid target for a loss."""

    def __init__(self, pipeline, num_classes: int) -> None:
        super().__init__()
        scaler, logistic = pipeline[0], pipeline[-1]
        self.register_buffer("mean", torch.tensor(scaler.mean_, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scaler.scale_, dtype=torch.float32))
        self.linear = nn.Linear(len(scaler.mean_), num_classes)
        coef, intercept = logistic.coef_, logistic.intercept_
        if len(logistic.classes_) == 2:  # scikit-learn keeps one row for two classes: logit of the second
            coef, intercept = np.concatenate([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
        seen = torch.as_tensor(logistic.classes_, dtype=torch.long)
        with torch.no_grad():
            self.linear.weight.zero_()
            self.linear.bias.fill_(-1e4)
            self.linear.weight[seen] = torch.from_numpy(coef).float()
            self.linear.bias[seen] = torch.from_numpy(intercept).float()

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear((features - self.mean) / self.scale)


@dataclass
class Heads:
    """Each model's :class:`Classifier`, made once: its own head, or a probe fit on ``data.train``."""

    data: LensData
    made: dict[str, Classifier] = field(default_factory=dict)
    correct: dict[str, np.ndarray] = field(default_factory=dict)

    def of(self, model: TrainedModel) -> Classifier:
        if model.name not in self.made:
            if model.has_head:
                self.made[model.name] = Classifier(model.outputs, model.predict, model.loss, probe=False)
            else:
                probe = fit_linear_probe(encode(model.features, self.data.pixels("train")), self.data.train.targets,
                                         seed=self.data.seed)
                head = ProbeHead(probe, self.data.test.num_classes)
                self.made[model.name] = Classifier(nn.Sequential(model.features, head).eval(),
                                                   argmax_classes, summed_cross_entropy, probe=True)
        return self.made[model.name]

    def predictions(self, model: TrainedModel, pixels: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
        """Predicted classes (N,) of pixels (N, C, H, W)."""
        head = self.of(model)
        with torch.inference_mode():
            return torch.cat([head.predict(head.outputs(pixels[i:i + batch_size]))
                              for i in range(0, len(pixels), batch_size)])


Lens = Callable[[TrainedModel, LensData, Heads], dict[str, float]]
#: name -> lens, in the order they were registered (the matrix's column order)
LENSES: dict[str, Lens] = {}


def lens(name: str) -> Callable[[Lens], Lens]:
    """Register ``function`` as the lens ``name`` (a decorator)."""

    def register(function: Lens) -> Lens:
        LENSES[name] = function
        return function

    return register


@lens("coding_rate")
def coding_rate(model: TrainedModel, data: LensData, heads: Heads, eps: float = 0.5) -> dict[str, float]:
    """R, Rc and ΔR (nats) of the test features, each row scaled to unit norm (MCR²'s sphere)."""
    z = nn.functional.normalize(encode(model.features, data.pixels()), dim=1)
    rates = coding_rates(z, data.test.targets, num_classes=data.test.num_classes, eps=eps)
    return {"R": float(rates.expansion_theoretical), "Rc": float(rates.compression),
            "delta_R": float(rates.rate_reduction)}


@lens("frequency")
def frequency(model: TrainedModel, data: LensData, heads: Heads, radii: tuple[float, ...] | None = None,
              gradient_images: int = 200) -> dict[str, float]:
    """Accuracy on the low- and high-pass test images at each radius (pixels from the centre of the
    spectrum; default: 0.2, 0.4 and 0.6 of the half-diagonal, 4, 8 and 12 pixels at 28 x 28), and
    the centroid (bands) of the mean min-max input-gradient spectrum."""
    out = {}
    images = data.test.images.permute(0, 2, 3, 1).numpy()
    if radii is None:
        half_diagonal = math.hypot(images.shape[1] / 2, images.shape[2] / 2)
        radii = tuple(round(f * half_diagonal) for f in (0.2, 0.4, 0.6))
    for radius in radii:
        for part, filtered in zip(("low", "high"), frequency_split(images, radius), strict=True):
            pixels = torch.from_numpy(filtered).permute(0, 3, 1, 2).float() / 255
            out[f"{part}_pass_accuracy_r{radius:g}"] = accuracy(heads.predictions(model, pixels), data.test.targets)
    head = heads.of(model)
    pixels, labels = data.pixels()[:gradient_images], data.test.targets[:gradient_images]
    grads = input_gradient(head.outputs, pixels, labels, head.loss)
    out["gradient_centroid"] = float(spectral_centroid(gradient_spectrum(grads).mean(0).numpy()))
    return out


@lens("robustness")
def robustness(model: TrainedModel, data: LensData, heads: Heads, eps: float = 0.05, steps: int = 5,
               batch_size: int = 250) -> dict[str, float]:
    """Accuracy under FGSM and BIM (``steps`` steps) at ``eps`` in pixel units, untargeted."""
    head = heads.of(model)
    pixels, labels = data.pixels(), data.test.targets
    channels = pixels.shape[1]
    out = {}
    for method in ("fgsm", "bim"):
        predicted = []
        for i in range(0, len(pixels), batch_size):
            adversarial = attack(head.outputs, pixels[i:i + batch_size], labels[i:i + batch_size], eps, method=method,
                                 loss_fn=head.loss, mean=(0.0,) * channels, std=(1.0,) * channels, steps=steps)
            with torch.inference_mode():
                predicted.append(head.predict(head.outputs(adversarial)))
        out[f"{method}_accuracy"] = accuracy(torch.cat(predicted), labels)
    return out


@lens("equivariance")
def equivariance(model: TrainedModel, data: LensData, heads: Heads, bins: int = 8) -> dict[str, float]:
    """A linear probe's accuracy for the bin of a uniform rotation (±180°) from the features of
    rotated images: fit on rotated ``train``, scored on rotated ``test`` (chance 1 / bins)."""
    size = data.test.images.shape[-1]
    moved = {split: transformed(getattr(data, split), "rot", data.seed + offset, image_size=size)
             for offset, split in ((1, "train"), (2, "test"))}
    z = {split: encode(model.features, m.pixels) for split, m in moved.items()}
    return {"rotation_probe_accuracy": linear_probe_accuracy(
        z["train"], true_bins(moved["train"].t, bins), z["test"], true_bins(moved["test"].t, bins), seed=data.seed)}


def correct_examples(model: TrainedModel, data: LensData, heads: Heads) -> np.ndarray:
    """Whether the model classifies each test example correctly: (N,) bool (computed once per
    model: the agreement lens and :func:`agreement_matrix` both read it)."""
    if model.name not in heads.correct:
        heads.correct[model.name] = (heads.predictions(model, data.pixels()) == data.test.targets).numpy()
    return heads.correct[model.name]


@lens("agreement")
def agreement(model: TrainedModel, data: LensData, heads: Heads, window: int = 10) -> dict[str, float]:
    """Test accuracy, and the Spearman ρ between each example's correctness and its local entropy
    (``window`` x ``window``; the agreement paper finds hard examples busier)."""
    correct = correct_examples(model, data, heads)
    entropy = local_entropy(to_gray(data.test.images.numpy()), window)
    rho = spearmanr(correct, entropy).statistic if 0 < correct.sum() < len(correct) else float("nan")
    return {"accuracy": float(correct.mean()), "entropy_spearman": float(rho)}


def agreement_matrix(models: list[TrainedModel], data: LensData, heads: Heads) -> pd.DataFrame:
    """Pairwise true-positive agreement |C_a ∩ C_b| / |C_a ∪ C_b| of the test examples each pair of
    models gets right: (models x models), 1 on the diagonal."""
    correct = {m.name: correct_examples(m, data, heads) for m in models}
    names = list(correct)
    values = [[float((correct[a] & correct[b]).sum() / max(1, (correct[a] | correct[b]).sum())) for b in names]
              for a in names]
    return pd.DataFrame(values, index=names, columns=names)


def lens_matrix(models: list[TrainedModel], data: LensData, lenses: list[str] | None = None,
                heads: Heads | None = None, log: Callable[[str], None] = print) -> pd.DataFrame:
    """Every lens (all registered, or those named) on every model: one row per model, one column
    per ``lens/metric``; a lens that fails on a model leaves NaN there and says why in ``log``."""
    chosen = list(LENSES) if lenses is None else lenses
    unknown = [name for name in chosen if name not in LENSES]
    if unknown:
        raise ValueError(f"lenses={unknown} are unknown; allowed values: {', '.join(LENSES)}")
    heads = heads or Heads(data)
    rows = {}
    for model in models:
        row = {}
        for name in chosen:
            try:
                row |= {f"{name}/{metric}": value for metric, value in LENSES[name](model, data, heads).items()}
            except Exception as err:  # one lens failing on one model leaves the rest of the matrix
                log(f"lens {name} on {model.name}: {type(err).__name__}: {err}")
        rows[model.name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


#: The questions the matrix asks across papers, as (x, y) columns: does compressing the classes more
#: (ΔR) go with resisting BIM, and does relying on lower frequencies (the gradient's centroid)?
QUESTIONS = (("coding_rate/delta_R", "robustness/bim_accuracy"),
             ("frequency/gradient_centroid", "robustness/bim_accuracy"))


def rank_correlation(matrix: pd.DataFrame, x: str, y: str) -> tuple[float, int]:
    """Spearman ρ between columns ``x`` and ``y`` over the models that have both, and their number
    (ρ is NaN under three models or for a constant column)."""
    both = matrix[[x, y]].dropna()
    if len(both) < 3 or both[x].nunique() < 2 or both[y].nunique() < 2:
        return math.nan, len(both)
    return float(spearmanr(both[x], both[y]).statistic), len(both)


def across_papers(matrix: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, float]:
    """The matrix's answers across papers, as numbers: the Spearman ρ of each of :data:`QUESTIONS`
    the matrix has columns for (``spearman_<x metric>_vs_<y metric>``), and the mean pairwise
    true-positive agreement of distinct models (``mean_pairwise_agreement``)."""
    out = {f"spearman_{x.split('/')[1]}_vs_{y.split('/')[1]}": rank_correlation(matrix, x, y)[0]
           for x, y in QUESTIONS if {x, y} <= set(matrix.columns)}
    off_diagonal = pairs.to_numpy()[~np.eye(len(pairs), dtype=bool)]
    out["mean_pairwise_agreement"] = float(off_diagonal.mean()) if off_diagonal.size else math.nan
    return out


def matrix_metrics(matrix: pd.DataFrame, pairs: pd.DataFrame, provenance: dict[str, dict]) -> dict[str, Any]:
    """What ``metrics.json`` keeps of a :func:`lens_matrix` and its :func:`agreement_matrix`
    ``pairs``: ``across`` (:func:`across_papers`, first: the report's headline), ``matrix`` nested
    as ``{model: {lens: {metric: value}}}`` (what the claims read), ``pairwise_agreement``, and
    ``tables`` (what the report draws): the matrix with each model's notebook and run directory."""
    nested: dict[str, dict[str, dict[str, float]]] = {}
    for model, row in matrix.iterrows():
        for column, value in row.items():
            lens_name, metric = column.split("/", 1)
            nested.setdefault(model, {}).setdefault(lens_name, {})[metric] = value
    shown = {model: {"notebook": provenance[model]["notebook"], "run": Path(provenance[model]["run"]).name,
                     **row.to_dict()} for model, row in matrix.iterrows()}
    return {"across": across_papers(matrix, pairs), "matrix": nested, "pairwise_agreement": pairs.to_dict(),
            "tables": {"the lens matrix: one row per model, one column per lens/metric": shown}}
