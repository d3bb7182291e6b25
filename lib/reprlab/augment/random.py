"""Random augmentations: draw per-sample parameters from a CPU ``torch.Generator`` (so the
result does not depend on the device and the generator's state can be checkpointed) and apply
them with :mod:`reprlab.augment.ops`. Images are (B, C, H, W) float in [0, 1] on any device."""

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from reprlab.augment import ops


def random_crop_flip(images: torch.Tensor, padding: int, flip: bool, generator: torch.Generator) -> torch.Tensor:
    """Per-sample zero-padded random crop and horizontal flip, as torchvision's
    ``RandomCrop(size, padding)`` + ``RandomHorizontalFlip()`` on each image."""
    b, _, h, w = images.shape
    device = images.device
    if padding:
        padded = F.pad(images, (padding, padding, padding, padding))
        dy = torch.randint(0, 2 * padding + 1, (b,), generator=generator).to(device)
        dx = torch.randint(0, 2 * padding + 1, (b,), generator=generator).to(device)
        rows = (dy[:, None] + torch.arange(h, device=device))[:, :, None]  # (B, H, 1)
        cols = (dx[:, None] + torch.arange(w, device=device))[:, None, :]  # (B, 1, W)
        batch = torch.arange(b, device=device)[:, None, None]
        images = padded[batch, :, rows, cols].permute(0, 3, 1, 2)  # (B, H, W, C) -> (B, C, H, W)
    if flip:
        images = ops.flip(images, torch.rand(b, generator=generator) < 0.5, dim=3)
    return images


def sample_crop_boxes(b: int, height: int, width: int, generator: torch.Generator,
                      scale: tuple[float, float] = (0.08, 1.0), ratio: tuple[float, float] = (3 / 4, 4 / 3),
                      attempts: int = 10) -> torch.Tensor:
    """torchvision's ``RandomResizedCrop.get_params`` for ``b`` images at once: up to ``attempts``
    draws of an area fraction in ``scale`` and a log-uniform aspect ratio in ``ratio``, integer
    sides; the first box that fits wins, else the whole image clipped to ``ratio``.
    Returns (B, 4) ``(x, y, w, h)`` in input pixels, float."""
    area = height * width
    target = torch.empty(b, attempts).uniform_(*scale, generator=generator) * area
    log_ratio = torch.empty(b, attempts).uniform_(math.log(ratio[0]), math.log(ratio[1]), generator=generator)
    aspect = torch.exp(log_ratio)
    w = torch.round(torch.sqrt(target * aspect))
    h = torch.round(torch.sqrt(target / aspect))
    fits = (w > 0) & (h > 0) & (w <= width) & (h <= height)
    first = torch.where(fits.any(1), fits.float().argmax(1), torch.full((b,), -1))
    chosen = first.clamp(min=0)[:, None]
    w, h = w.gather(1, chosen).squeeze(1), h.gather(1, chosen).squeeze(1)
    # fallback: the central crop with the aspect ratio clipped to ``ratio``
    in_ratio = width / height
    fw, fh = ((width, round(width / ratio[0])) if in_ratio < ratio[0] else
              (round(height * ratio[1]), height) if in_ratio > ratio[1] else (width, height))
    fallback = first < 0
    w = torch.where(fallback, torch.tensor(float(fw)), w)
    h = torch.where(fallback, torch.tensor(float(fh)), h)
    x = torch.floor(torch.rand(b, generator=generator) * (width - w + 1))
    y = torch.floor(torch.rand(b, generator=generator) * (height - h + 1))
    x = torch.where(fallback, torch.round((width - w) / 2), x)
    y = torch.where(fallback, torch.round((height - h) / 2), y)
    return torch.stack([x, y, w, h], dim=1)


def random_resized_crop(images: torch.Tensor, generator: torch.Generator, scale: tuple[float, float] = (0.08, 1.0),
                        ratio: tuple[float, float] = (3 / 4, 4 / 3), flip: bool = True) -> torch.Tensor:
    """torchvision's ``RandomResizedCrop`` (bilinear, to the input size: a crop is never larger
    than its output, so antialiasing never applies) per sample, optionally followed by a random
    horizontal flip."""
    b, _, height, width = images.shape
    boxes = sample_crop_boxes(b, height, width, generator, scale, ratio)
    images = ops.crop_resize(images, boxes, height)
    if flip:
        images = ops.flip(images, torch.rand(b, generator=generator) < 0.5, dim=3)
    return images


@dataclass
class JitterDraw:
    """One batch's colour-jitter draw: ``applied`` (B,) bool; ``factors`` (B, 4) brightness,
    contrast, saturation (1 = unchanged) and hue shift (0 = unchanged), identity where not
    applied or where a component's strength is 0; ``order`` (4,) the order the components run in
    (one permutation per batch, as kornia)."""

    applied: torch.Tensor
    factors: torch.Tensor
    order: torch.Tensor


def sample_jitter(b: int, strengths: tuple[float, float, float, float], p: float,
                  generator: torch.Generator) -> JitterDraw:
    """Draw torchvision ``ColorJitter(*strengths)`` factors applied with probability ``p``:
    brightness, contrast and saturation uniform in [max(0, 1 - s), 1 + s], hue in [-s, s]."""
    low = torch.tensor([max(0.0, 1 - s) for s in strengths[:3]] + [-strengths[3]])
    high = torch.tensor([1 + s for s in strengths[:3]] + [strengths[3]])
    factors = low + (high - low) * torch.rand(b, 4, generator=generator)
    applied = torch.rand(b, generator=generator) < p
    identity = torch.tensor([1.0, 1.0, 1.0, 0.0])
    active = applied[:, None] & torch.tensor([s > 0 for s in strengths])[None]
    factors = torch.where(active, factors, identity)
    return JitterDraw(applied, factors, torch.randperm(4, generator=generator))


def apply_jitter(images: torch.Tensor, draw: JitterDraw) -> torch.Tensor:
    """Apply a :class:`JitterDraw`'s components in its order (a component that changes no image
    is skipped)."""
    adjust = (ops.adjust_brightness, ops.adjust_contrast, ops.adjust_saturation, ops.adjust_hue)
    identity = (1.0, 1.0, 1.0, 0.0)
    for component in draw.order.tolist():
        if (draw.factors[:, component] != identity[component]).any():
            images = adjust[component](images, draw.factors[:, component])
    return images


def color_jitter(images: torch.Tensor, generator: torch.Generator, strength: float = 0.4, p: float = 0.8,
                 grayscale_p: float = 0.2, hue: float = 0.1) -> torch.Tensor:
    """SimCLR's colour distortion: ``ColorJitter(strength, strength, strength, hue)`` with
    probability ``p``, then ``RandomGrayscale(grayscale_p)``."""
    b = images.shape[0]
    images = apply_jitter(images, sample_jitter(b, (strength, strength, strength, hue), p, generator))
    return ops.grayscale_where(images, torch.rand(b, generator=generator) < grayscale_p)
