"""Every evaluation protocol of DUET, SimCLR and ESSL on a frozen encoder.

Upstream's only number is the online probe (the engine's ``test_accuracy``, per example here).
Beyond it: the frozen linear probe on clean images and weighted kNN (k = 200, cosine, temperature
0.1, as ESSL's monitor), both :mod:`reprlab.evaluation.protocols`; the group axis's equivariance
(a method with one, DUET: the argmax bin of softmax(group logits) against the true bin of t, and
the mean circular bin error); a linear probe that predicts the transformation bin from the
representation (every method: how much transformation information survives); accuracy on a
transformed test set; and transfer (a frozen linear probe on a second dataset).
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
from reprlab.evaluation import accuracy, encode, fit_linear_probe, knn_accuracy, linear_probe_accuracy
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


def transformed(data: ImageSet, code: str, seed: int, *, image_size: int, upstream_resize: bool = False,
                images: int = 0) -> TransformedImages:
    """The first ``images`` (0: all) of ``data`` (preprocessed), each transformed by ``code`` with
    a parameter drawn from ``seed`` into S = ``image_size`` pixel views: ``sca`` crops the
    preprocessed image, every other code acts on its centre S x S crop."""
    pixels = data.images[:images or len(data)].float() / 255
    if code != "sca":
        pixels = center_crop(pixels, image_size)
    views, params = AugStack([code], image_size, upstream_resize=upstream_resize)(
        pixels, torch.Generator().manual_seed(seed))
    return TransformedImages(views, equivariance_t(code, params[code]), data.targets[:len(views)])


def clean_views(data: ImageSet, image_size: int) -> torch.Tensor:
    """The test stack's views of every image: centre S x S crop, normalised (N, C, S, S)."""
    return AugStack((), image_size).test(data.images.float() / 255)


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
    shown = transformed(cap_examples(data), job.equi_tx, seed, image_size=job.image_size,
                        upstream_resize=job.upstream_resize, images=images)
    probs = model.method.group_probabilities(encode(model.encoder, shown.views))
    order = torch.argsort(shown.t)
    return GroupDistribution(probs[order].numpy(), shown.t[order].numpy(), job.equi_tx)


def evaluate_ssl(model: SSLModel, train: ImageSet, test: ImageSet, *, image_size: int, equi_tx: str, bins: int,
                 upstream_resize: bool = False, knn_k: int = 200, knn_temperature: float = 0.1,
                 seed: int = 0) -> dict[str, float]:
    """Every frozen-encoder protocol on ``train`` / ``test`` (preprocessed ImageSets) with
    ``image_size`` pixel views: ``linear_probe_accuracy`` and ``knn_accuracy`` on clean views;
    ``transform_probe_accuracy`` (a linear probe predicting the bin (of ``bins``) of
    ``equi_tx``'s t, trained on transformed training images, tested on transformed test images;
    chance 1 / G for a uniform parameter); ``transformed_accuracy`` (the clean linear probe on
    transformed test images); for a method with a group axis also ``group_bin_accuracy`` and
    ``group_bin_error`` on the transformed test images."""
    train, test = cap_examples(train), cap_examples(test)  # a rehearsal encodes a few batches
    train_z, test_z = (encode(model.encoder, clean_views(s, image_size)) for s in (train, test))
    probe = fit_linear_probe(train_z, train.targets, seed=seed)
    scores = {"linear_probe_accuracy": accuracy(probe.predict(test_z.numpy()), test.targets),
              "knn_accuracy": knn_accuracy(train_z, train.targets, test_z, test.targets, k=knn_k,
                                           temperature=knn_temperature)}
    moved_train, moved_test = (transformed(s, equi_tx, seed + i, image_size=image_size, upstream_resize=upstream_resize)
                               for i, s in ((1, train), (2, test)))
    moved_train_z, moved_test_z = encode(model.encoder, moved_train.views), encode(model.encoder, moved_test.views)
    scores["transform_probe_accuracy"] = linear_probe_accuracy(
        moved_train_z, true_bins(moved_train.t, bins), moved_test_z, true_bins(moved_test.t, bins), seed=seed)
    scores["transformed_accuracy"] = accuracy(probe.predict(moved_test_z.numpy()), test.targets)
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


def transfer_accuracy(model: SSLModel, second: Splits, *, image_size: int, input_size: int, seed: int = 0) -> float:
    """A frozen linear probe on a second dataset (its train and test splits as loaded), its images
    resized to ``input_size`` (as the training data was preprocessed) and given the encoder's
    number of channels, clean ``image_size`` views."""
    channels = model.encoder.conv1.in_channels
    train, test = (match_channels(resize_set(cap_examples(s), input_size), channels)
                   for s in (second.train, second.test))
    train_z, test_z = (encode(model.encoder, clean_views(s, image_size)) for s in (train, test))
    return linear_probe_accuracy(train_z, train.targets, test_z, test.targets, seed=seed)


def stratified(data: ImageSet, images: int, seed: int) -> ImageSet:
    """A seeded class-stratified subset of about ``images`` examples (0: all); in a rehearsal, a few
    batches' worth."""
    return cap_examples(stratified_subset(data, images, seed) if images else data)
