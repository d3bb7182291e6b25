"""Every evaluation protocol of DUET, SimCLR and ESSL on a frozen encoder.

Upstream's only number is the online probe (the engine's ``test_accuracy``, per example here).
Beyond it, one function per protocol: a frozen linear probe on clean images, weighted kNN
(k = 200, cosine, temperature 0.1, as ESSL's monitor), the group axis's equivariance (DUET: the
argmax bin of softmax(group logits) against the true bin of t, and the mean circular bin error), a
linear probe that predicts the transformation bin from the representation (all three models: how
much transformation information survives), accuracy on a transformed test set, and transfer (a
frozen linear probe on a second dataset).
"""

from dataclasses import dataclass

import numpy as np
import torch

from reprlab.augment import AugStack, equivariance_t
from reprlab.augment.ops import GRAY_WEIGHTS, center_crop
from reprlab.augment.stack import denormalize
from reprlab.data import ImageSet, Splits
from reprlab.data.splits import stratified_subset
from reprlab.data.views import resize_set
from reprlab.evaluation import knn_predict, linear_probe
from reprlab.papers.duet.models import SSLModel
from reprlab.papers.duet.training import DuetJob
from reprlab.rehearsal import cap_examples


@dataclass
class TransformedImages:
    """Images transformed by one code: ``views`` (N, C, S, S) normalised model inputs, ``t`` (N,)
    the code's parameter, ``targets`` (N,) classes, ``pixels`` (N, C, S, S) the views in [0, 1]."""

    views: torch.Tensor
    t: torch.Tensor
    targets: torch.Tensor

    @property
    def pixels(self) -> torch.Tensor:
        return denormalize(self.views)


def transformed(data: ImageSet, job: DuetJob, code: str, seed: int, images: int = 0) -> TransformedImages:
    """The first ``images`` (0: all) of ``data`` (preprocessed to ``job.input_size``), each
    transformed by ``code`` with a parameter drawn from ``seed``: ``sca`` crops the preprocessed
    image, every other code acts on its centre S x S crop."""
    pixels = data.images[:images or len(data)].float() / 255
    if code != "sca":
        pixels = center_crop(pixels, job.image_size)
    views, params = AugStack([code], job.image_size, upstream_resize=job.upstream_resize)(
        pixels, torch.Generator().manual_seed(seed))
    return TransformedImages(views, equivariance_t(code, params[code]), data.targets[:len(views)])


def clean_views(data: ImageSet, job: DuetJob) -> torch.Tensor:
    """The test stack's views of every image: centre S x S crop, normalised (N, C, S, S)."""
    return AugStack((), job.image_size).test(data.images.float() / 255)


@torch.inference_mode()
def encode(model: SSLModel, views: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """The representation z (N, D) float32 on the CPU of normalised ``views`` (N, C, S, S)."""
    device = next(model.parameters()).device
    model.eval()
    return torch.cat([model.encoder(views[i:i + batch_size].to(device)).float().cpu()
                      for i in range(0, len(views), batch_size)])


def true_bins(t: torch.Tensor, bins: int) -> torch.Tensor:
    """The bin of each t (N,): floor(t G), wrapped into 0..G-1 (the target histogram's peak)."""
    return torch.floor(t * bins).long() % bins


def group_equivariance(probs: torch.Tensor, t: torch.Tensor) -> dict[str, float]:
    """Argmax-bin accuracy and mean circular |Δbin| of ``probs`` (N, G) against the true bins of
    t (N,); chance is 1 / G and about G / 4."""
    bins = probs.shape[1]
    error = (probs.argmax(1) - true_bins(t, bins)).abs()
    error = torch.minimum(error, bins - error)
    return {"group_bin_accuracy": float((error == 0).float().mean()),
            "group_bin_error": float(error.float().mean())}


@dataclass
class GroupDistribution:
    """softmax over G of test images sorted by their parameter: ``probs`` (N, G), ``t`` (N,)."""

    probs: np.ndarray
    t: np.ndarray
    code: str


def group_distribution(model: SSLModel, job: DuetJob, data: ImageSet, images: int = 512,
                       seed: int = 0) -> GroupDistribution:
    """DUET's group distribution for ``images`` test images transformed by ``job.equi_tx``, sorted by t."""
    shown = transformed(cap_examples(data), job, job.equi_tx, seed, images)
    probs = model.method.group_probabilities(encode(model, shown.views))
    order = torch.argsort(shown.t)
    return GroupDistribution(probs[order].numpy(), shown.t[order].numpy(), job.equi_tx)


def evaluate_ssl(model: SSLModel, job: DuetJob, train: ImageSet, test: ImageSet, *, knn_k: int = 200,
                 knn_temperature: float = 0.1, seed: int = 0) -> dict[str, float]:
    """Every frozen-encoder protocol on ``train`` / ``test`` (preprocessed ImageSets):
    ``linear_probe_accuracy`` and ``knn_accuracy`` on clean views; ``transform_probe_accuracy``
    (a linear probe predicting the bin of ``equi_tx``'s t, trained on transformed training
    images, tested on transformed test images; chance 1 / G for a uniform parameter);
    ``transformed_accuracy`` (the clean linear probe on transformed test images); for DUET also
    ``group_bin_accuracy`` and ``group_bin_error`` of its group axis on the transformed test images."""
    train, test = cap_examples(train), cap_examples(test)  # a rehearsal encodes a few batches
    train_z, test_z = encode(model, clean_views(train, job)), encode(model, clean_views(test, job))
    probe = linear_probe(train_z.numpy(), train.targets.numpy(), seed=seed)
    scores = {
        "linear_probe_accuracy": float((probe.predict(test_z.numpy()) == test.targets.numpy()).mean()),
        "knn_accuracy": float((knn_predict(train_z.numpy(), train.targets.numpy(), test_z.numpy(), k=knn_k,
                                           temperature=knn_temperature) == test.targets.numpy()).mean()),
    }
    bins = job.duet_bins
    moved_train = transformed(train, job, job.equi_tx, seed + 1)
    moved_test = transformed(test, job, job.equi_tx, seed + 2)
    moved_train_z, moved_test_z = encode(model, moved_train.views), encode(model, moved_test.views)
    bin_probe = linear_probe(moved_train_z.numpy(), true_bins(moved_train.t, bins).numpy(), seed=seed)
    scores["transform_probe_accuracy"] = float(
        (bin_probe.predict(moved_test_z.numpy()) == true_bins(moved_test.t, bins).numpy()).mean())
    scores["transformed_accuracy"] = float((probe.predict(moved_test_z.numpy()) == test.targets.numpy()).mean())
    if model.method.group_axis:
        scores |= group_equivariance(model.method.group_probabilities(moved_test_z), moved_test.t)
    return scores


def match_channels(data: ImageSet, channels: int) -> ImageSet:
    """``data`` with ``channels`` channels: grey images repeated to RGB, or RGB reduced to luma."""
    have = data.images.shape[1]
    if have == channels:
        return data
    if have == 1:
        images = data.images.expand(-1, channels, -1, -1).contiguous()
    elif channels == 1:
        weights = torch.tensor(GRAY_WEIGHTS).view(1, 3, 1, 1)
        images = (data.images.float() * weights).sum(1, keepdim=True).round().clamp(0, 255).to(torch.uint8)
    else:
        raise ValueError(f"cannot map {have}-channel images to {channels} channels")
    return ImageSet(data.name, images, data.targets, data.classes, data.indices)


def transfer_accuracy(model: SSLModel, job: DuetJob, second: Splits, seed: int = 0) -> float:
    """A frozen linear probe on a second dataset (its train and test splits as loaded), its images
    resized like the job's and given the encoder's number of channels, clean views."""
    channels = model.encoder.conv1.in_channels
    train, test = (match_channels(resize_set(cap_examples(s), job.input_size), channels)
                   for s in (second.train, second.test))
    probe = linear_probe(encode(model, clean_views(train, job)).numpy(), train.targets.numpy(), seed=seed)
    return float((probe.predict(encode(model, clean_views(test, job)).numpy()) == test.targets.numpy()).mean())


def stratified(data: ImageSet, images: int, seed: int) -> ImageSet:
    """A seeded class-stratified subset of about ``images`` examples (0: all); in a rehearsal, a few
    batches' worth."""
    return cap_examples(stratified_subset(data, images, seed) if images else data)
