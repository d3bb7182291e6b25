"""DUET's transformation codes as one batched stack that records every sample's parameters.

A stack applies the codes in the order given, then ``Normalize(mean=0.5, std=1)`` (``x - 0.5``)
as upstream (apple/ml-duet ``augmentations.py``), and returns the per-sample raw parameters of
every code, from which :func:`equivariance_t` gives the scalar ``t`` DUET's structure loss uses.

| code | transformation (upstream's kornia module and settings) | raw parameters |
|---|---|---|
| sca | RandomResizedCrop(S, scale (0.2, 1), ratio (3/4, 4/3)), bilinear | box (B, 4) x, y, w, h; h; size |
| rot | RandomRotation(±180°), zero fill | degrees |
| ron | a rotation by 0, 90, 180 or 270°, exact | degrees |
| fli / flv | horizontal / vertical flip, p 0.5 | applied |
| blu | Gaussian blur 3x3, σ in (0.1, 2), p 0.5 | applied, sigma |
| gra | RandomGrayscale(p 0.2) | applied |
| jit | ColorJitter(0.4, 0.4, 0.4, 0.1), p 0.8 (upstream's is a no-op: spec bug 1) | applied, factors (B, 4), order |
| bri / con / sat / hue | one component of that jitter, p 0.8 | applied, factor, strength |
| res / ccr | Resize(S) / CenterCrop(S) | none |
"""

from collections.abc import Sequence
from typing import Any

import torch

from reprlab.augment import ops
from reprlab.augment.random import JitterDraw, apply_jitter, sample_crop_boxes, sample_jitter

TRANSFORMS = ("sca", "rot", "ron", "fli", "flv", "blu", "gra", "jit", "res", "ccr", "bri", "con", "sat", "hue")
COLOR_COMPONENTS = ("bri", "con", "sat", "hue")
JITTER_STRENGTHS = (0.4, 0.4, 0.4, 0.1)  # 0.5 x (0.8, 0.8, 0.8, 0.2), SimCLR's
#: codes whose parameter cannot be a DUET or ESSL target, and why
NOT_A_TARGET = {
    "res": "Resize has no random parameter",
    "ccr": "CenterCrop has no random parameter",
    "jit": "the jitter has four factors, not one scalar: use one component (bri, con, sat or hue)",
}
CROP_SCALE = (0.2, 1.0)
CROP_RATIO = (3 / 4, 4 / 3)
ROTATION_DEGREES = 180.0
BLUR_SIGMA = (0.1, 2.0)


def check_codes(codes: Sequence[str], parameter: str = "tx") -> None:
    """Raise ``ValueError`` naming ``parameter`` if a code is unknown."""
    unknown = [c for c in codes if c not in TRANSFORMS]
    if unknown:
        raise ValueError(f"{parameter}={list(codes)!r}: unknown transformation {', '.join(map(repr, unknown))}; "
                         f"allowed values: {', '.join(TRANSFORMS)}")


def check_target(code: str, parameter: str = "equi_tx") -> None:
    """Raise ``ValueError`` naming ``parameter`` if ``code`` cannot be an equivariance target."""
    check_codes([code], parameter)
    if code in NOT_A_TARGET:
        allowed = [c for c in TRANSFORMS if c not in NOT_A_TARGET]
        raise ValueError(f"{parameter}={code!r} cannot be an equivariance target ({NOT_A_TARGET[code]}); "
                         f"allowed values: {', '.join(allowed)}")


def equivariance_t(code: str, raw: dict[str, Any]) -> torch.Tensor:
    """The scalar ``t`` (B,) upstream records for ``code`` from its raw parameters.

    rot: (deg + 180) / 360 in [0, 1]; sca: 1 - (h - 1) / S with h the crop height in input
    pixels and S the output size (raw ``{"h": ..., "size": ...}``; not clamped: from a 36-pixel
    ``center_crop`` input t goes below 0, as upstream); ron: deg / 360 + 0.125 (the bin centres at
    G = 4); fli / flv: applied / 2 + 0.25; blu / gra: applied; bri / con / sat:
    (f - (1 - s)) / 2s; hue: (h + s) / 2s (0.5 = unchanged)."""
    check_target(code)
    if code == "rot":
        return (raw["degrees"].float() + 180) / 360
    if code == "sca":
        return 1 - (torch.as_tensor(raw["h"]).float() - 1) / raw["size"]
    if code == "ron":
        return raw["degrees"].float() / 360 + 0.125
    if code in ("fli", "flv"):
        return raw["applied"].float() / 2 + 0.25
    if code in ("blu", "gra"):
        return raw["applied"].float()
    s = raw["strength"]
    if code == "hue":
        return (raw["factor"].float() + s) / (2 * s)
    return (raw["factor"].float() - (1 - s)) / (2 * s)


class AugStack:
    """The codes ``codes`` in order, then ``x - 0.5``; ``size`` is the output side S of ``sca``,
    ``res`` and ``ccr`` (other codes keep the input size, as upstream).

    ``stack(images, generator) -> (views, params)``: images (B, C, H, W) in [0, 1]; views the
    same shape (or S x S), normalised; params ``{code: {name: (B, ...) CPU tensor}}``.
    ``stack.test(images)``: upstream's test stack, CenterCrop(S) then ``x - 0.5``.
    ``upstream_resize``: ``res`` as upstream's kornia 0.6.12 (``align_corners=True``, no
    antialiasing: :func:`~reprlab.augment.ops.resize_corners`) instead of torchvision's."""

    def __init__(self, codes: Sequence[str], size: int, parameter: str = "tx", upstream_resize: bool = False) -> None:
        check_codes(codes, parameter)
        self.codes, self.size, self.upstream_resize = tuple(codes), size, upstream_resize

    def __call__(self, images: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, dict[str, dict]]:
        params: dict[str, dict[str, Any]] = {}
        for code in self.codes:
            images, params[code] = self.apply(code, images, generator)
        return normalize(images), params

    def test(self, images: torch.Tensor) -> torch.Tensor:
        return normalize(ops.center_crop(images, self.size))

    def apply(self, code: str, images: torch.Tensor, generator: torch.Generator
              ) -> tuple[torch.Tensor, dict[str, Any]]:
        """One random transformation of the batch and its raw parameters."""
        b, _, height, width = images.shape
        if code == "sca":
            boxes = sample_crop_boxes(b, height, width, generator, CROP_SCALE, CROP_RATIO)
            return ops.crop_resize(images, boxes, self.size), {"box": boxes, "h": boxes[:, 3], "size": self.size}
        if code == "rot":
            degrees = (torch.rand(b, generator=generator) * 2 - 1) * ROTATION_DEGREES
            return ops.rotate(images, degrees), {"degrees": degrees}
        if code == "ron":
            turns = torch.randint(0, 4, (b,), generator=generator)
            return ops.rotate90(images, turns), {"degrees": turns.float() * 90}
        if code in ("fli", "flv"):
            applied = torch.rand(b, generator=generator) < 0.5
            return ops.flip(images, applied, 3 if code == "fli" else 2), {"applied": applied}
        if code == "blu":
            sigma = BLUR_SIGMA[0] + (BLUR_SIGMA[1] - BLUR_SIGMA[0]) * torch.rand(b, generator=generator)
            applied = torch.rand(b, generator=generator) < 0.5
            sigma = torch.where(applied, sigma, torch.zeros(b))
            return ops.gaussian_blur(images, sigma), {"applied": applied, "sigma": sigma}
        if code == "gra":
            applied = torch.rand(b, generator=generator) < 0.2
            return ops.grayscale_where(images, applied), {"applied": applied}
        if code == "jit":
            draw = sample_jitter(b, JITTER_STRENGTHS, 0.8, generator)
            return apply_jitter(images, draw), {"applied": draw.applied, "factors": draw.factors,
                                                "order": draw.order.expand(b, 4)}
        if code in COLOR_COMPONENTS:
            component = COLOR_COMPONENTS.index(code)
            strengths = tuple(s if i == component else 0.0 for i, s in enumerate(JITTER_STRENGTHS))
            draw = sample_jitter(b, strengths, 0.8, generator)  # type: ignore[arg-type]
            draw = JitterDraw(draw.applied, draw.factors, torch.tensor([component]))
            return apply_jitter(images, draw), {"applied": draw.applied, "factor": draw.factors[:, component],
                                                "strength": JITTER_STRENGTHS[component]}
        if code == "res":
            resize = ops.resize_corners if self.upstream_resize else ops.resize
            return resize(images, self.size), {}
        return ops.center_crop(images, self.size), {}  # ccr


def normalize(images: torch.Tensor) -> torch.Tensor:
    """Upstream's trailing ``Normalize(mean=0.5, std=1.0)``: pixels in [0, 1] -> ``x - 0.5``."""
    return images - 0.5


def denormalize(images: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`normalize`."""
    return images + 0.5
