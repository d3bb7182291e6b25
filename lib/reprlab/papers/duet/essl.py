"""ESSL's equivariance branch (Dangovski et al., 2022, as upstream DUET's ``models/essl.py``): a
third view at half resolution from its own augmentor, transformed by ``equi_tx`` after
un-normalising, with the target the predictor must recover."""

from collections.abc import Callable

import torch

from reprlab.augment import AugStack, ops
from reprlab.augment.stack import JITTER_STRENGTHS, denormalize, normalize

#: equi_tx -> predictor outputs: classes for cross-entropy, 1 for a regressed (MSE) parameter
ESSL_OUTPUTS = {"ron": 4, "fli": 2, "flv": 2, "gra": 2, "blu": 2, "rot": 1, "bri": 1, "con": 1, "sat": 1, "hue": 1}


def check_essl_target(equi_tx: str) -> None:
    if equi_tx not in ESSL_OUTPUTS:
        raise ValueError(f"equi_tx={equi_tx!r} is not an ESSL target; allowed values: {', '.join(ESSL_OUTPUTS)}")


def transform_for_target(pixels: torch.Tensor, equi_tx: str, generator: torch.Generator
                         ) -> tuple[torch.Tensor, torch.Tensor]:
    """(images, targets) for ESSL's predictor from ``pixels`` (B, C, h, w) in [0, 1].

    ron: the 4 rotations of every image (4B images, class 0..3); fli / flv / gra / blu: every
    image and its transformed copy (2B images, class 0 / 1); rot: a rotation uniform in ±90°,
    target deg / 180 in [-0.5, 0.5]; bri / con / sat / hue: that jitter component always applied,
    target its factor (brightness ... 1 = unchanged, hue shift 0 = unchanged). Targets are (n,)
    int64 classes or (n, 1) float32."""
    check_essl_target(equi_tx)
    b = len(pixels)
    if equi_tx == "ron":
        turns = torch.arange(4).repeat_interleave(b)
        return ops.rotate90(pixels.repeat(4, 1, 1, 1), turns), turns
    if equi_tx in ("fli", "flv", "gra", "blu"):
        yes = torch.ones(b, dtype=torch.bool)
        changed = {"fli": lambda x: ops.flip(x, yes, 3), "flv": lambda x: ops.flip(x, yes, 2),
                   "gra": ops.grayscale,
                   "blu": lambda x: ops.gaussian_blur(x, 0.1 + 1.9 * torch.rand(b, generator=generator))}[equi_tx]
        return torch.cat([pixels, changed(pixels)]), torch.arange(2).repeat_interleave(b)
    if equi_tx == "rot":
        degrees = (torch.rand(b, generator=generator) * 2 - 1) * 90
        return ops.rotate(pixels, degrees), (degrees / 180).view(-1, 1)
    component = ("bri", "con", "sat", "hue").index(equi_tx)
    s = JITTER_STRENGTHS[component]
    low = -s if equi_tx == "hue" else max(0.0, 1 - s)
    high = s if equi_tx == "hue" else 1 + s
    factor = low + (high - low) * torch.rand(b, generator=generator)
    adjust = (ops.adjust_brightness, ops.adjust_contrast, ops.adjust_saturation, ops.adjust_hue)[component]
    return adjust(pixels, factor), factor.view(-1, 1)


def essl_branch(codes: tuple[str, ...], equi_tx: str, size: int
                ) -> Callable[[torch.Tensor, torch.Generator], dict[str, torch.Tensor]]:
    """The loader's extra view for ESSL: its own :class:`AugStack` of ``codes`` at ``size // 2``
    pixels, un-normalised, transformed by :func:`transform_for_target`, re-normalised.
    Returns ``branch(pixels, generator) -> {"extra_images", "extra_targets"}`` on the device."""
    stack = AugStack(codes, size // 2)

    def branch(pixels: torch.Tensor, generator: torch.Generator) -> dict[str, torch.Tensor]:
        views, _ = stack(pixels, generator)
        small = denormalize(ops.resize(views, size // 2))
        images, targets = transform_for_target(small, equi_tx, generator)
        return {"extra_images": normalize(images), "extra_targets": targets.to(pixels.device)}

    return branch
