"""Deterministic batched image operations with explicit per-sample parameters.

Every function takes (B, C, H, W) float images in [0, 1] on any device and per-sample parameters
as (B,) or (B, k) tensors; the random layers (:mod:`reprlab.augment.random`,
:mod:`reprlab.augment.stack`) draw those parameters and call these. Colour operations follow
torchvision's definitions (``transforms.v2.functional``), with a factor per image.
"""

import math

import torch
import torch.nn.functional as F

GRAY_WEIGHTS = (0.2989, 0.587, 0.114)  # torchvision's


def crop_resize(images: torch.Tensor, boxes: torch.Tensor, size: int) -> torch.Tensor:
    """Crop each image to its box and resample it bilinearly to ``size`` x ``size``: torchvision's
    ``resized_crop(..., antialias=False)`` (its ``RandomResizedCrop`` on tensors without
    antialiasing), batched with a box per image. Only pixels inside the box are read, the edges
    included (sample points past the box's outer pixel centres take that pixel, as
    ``F.interpolate`` does at an image's edge).

    images: (B, C, H, W) float; boxes: (B, 4) ``(x, y, w, h)`` in input pixels (x, y: the
    top-left corner). A box that is the whole image returns the image (``size`` its size)."""
    height, width = images.shape[-2:]
    dtype = images.dtype if images.dtype.is_floating_point else torch.float32
    x, y, w, h = boxes.to(images.device, dtype).unbind(1)
    steps = torch.arange(size, device=images.device, dtype=dtype) + 0.5

    def centres(start: torch.Tensor, extent: torch.Tensor, full: int) -> torch.Tensor:
        # F.interpolate's source index (align_corners=False) inside the box, clamped to its pixels,
        # then as grid_sample's align_corners=True coordinate of the whole image
        inside = (steps * (extent / size)[:, None] - 0.5).clamp(min=0)
        inside = torch.minimum(inside, (extent - 1)[:, None])
        return 2 * (start[:, None] + inside) / max(full - 1, 1) - 1

    gx, gy = centres(x, w, width), centres(y, h, height)
    grid = torch.stack(torch.broadcast_tensors(gx[:, None, :], gy[:, :, None]), dim=-1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=True)


def center_crop(images: torch.Tensor, size: int) -> torch.Tensor:
    """The central ``size`` x ``size`` window (torchvision's ``CenterCrop`` rounding)."""
    height, width = images.shape[-2:]
    top, left = round((height - size) / 2), round((width - size) / 2)
    return images[..., top:top + size, left:left + size]


def resize(images: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize to ``size`` x ``size`` with antialiasing (torchvision's ``Resize``)."""
    if images.shape[-2:] == (size, size):
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False, antialias=True)


def resize_corners(images: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize to ``size`` x ``size`` with the corner pixels' centres kept in place
    (``align_corners=True``) and no antialiasing: upstream DUET's kornia 0.6.12 ``Resize``."""
    if images.shape[-2:] == (size, size):
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=True)


def rotate(images: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Rotate each image counter-clockwise by ``degrees`` (B,) about its centre, bilinear, zero
    fill (kornia's ``RandomRotation``). 90 degrees on a square image equals ``torch.rot90``."""
    b = images.shape[0]
    rad = degrees.to(images.device, torch.float64) * (math.pi / 180)
    cos, sin = torch.cos(rad).float(), torch.sin(rad).float()
    theta = torch.zeros(b, 2, 3, device=images.device)
    theta[:, 0, 0], theta[:, 0, 1] = cos, -sin
    theta[:, 1, 0], theta[:, 1, 1] = sin, cos
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def rotate90(images: torch.Tensor, quarter_turns: torch.Tensor) -> torch.Tensor:
    """Rotate each image counter-clockwise by ``quarter_turns`` (B,) int x 90 degrees, exactly
    (``torch.rot90`` per sample; square images)."""
    k = quarter_turns.to(images.device).view(-1, 1, 1, 1) % 4
    out = images
    for turns in (1, 2, 3):
        out = torch.where(k == turns, torch.rot90(images, turns, dims=(2, 3)), out)
    return out


def flip(images: torch.Tensor, applied: torch.Tensor, dim: int) -> torch.Tensor:
    """Mirror the images where ``applied`` (B,) bool: ``dim=3`` horizontally, ``dim=2`` vertically."""
    return torch.where(applied.to(images.device).view(-1, 1, 1, 1), images.flip(dim), images)


def gaussian_blur(images: torch.Tensor, sigma: torch.Tensor, kernel_size: int = 3) -> torch.Tensor:
    """Blur each image with a ``kernel_size`` square Gaussian of its own ``sigma`` (B,) pixels,
    reflecting at the border. sigma <= 0 leaves an image unchanged."""
    radius = kernel_size // 2
    offsets = torch.arange(-radius, radius + 1, device=images.device, dtype=torch.float32)
    sigma = sigma.to(images.device, torch.float32).view(-1, 1)
    weights = torch.exp(-offsets**2 / (2 * sigma.clamp(min=1e-6) ** 2))
    weights = torch.where(sigma > 0, weights / weights.sum(1, keepdim=True), (offsets == 0).float())
    padded = F.pad(images, (radius, radius, radius, radius), mode="reflect")
    height, width = images.shape[-2:]
    out = torch.zeros_like(images)
    for i in range(kernel_size):
        for j in range(kernel_size):
            w = (weights[:, i] * weights[:, j]).view(-1, 1, 1, 1)
            out = out + w * padded[..., i:i + height, j:j + width]
    return out


def grayscale(images: torch.Tensor) -> torch.Tensor:
    """Luma (0.2989 R + 0.587 G + 0.114 B) repeated over the channels; 1-channel images unchanged."""
    if images.shape[1] == 1:
        return images
    weights = torch.tensor(GRAY_WEIGHTS, device=images.device, dtype=images.dtype).view(1, 3, 1, 1)
    return (images * weights).sum(1, keepdim=True).expand_as(images)


def grayscale_where(images: torch.Tensor, applied: torch.Tensor) -> torch.Tensor:
    """Grayscale the images where ``applied`` (B,) bool."""
    return torch.where(applied.to(images.device).view(-1, 1, 1, 1), grayscale(images), images)


def _per_image(factor: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    return factor.to(images.device, images.dtype).view(-1, 1, 1, 1)


def adjust_brightness(images: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """``images * factor`` (B,), clamped to [0, 1]."""
    return (images * _per_image(factor, images)).clamp(0, 1)


def adjust_contrast(images: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Blend each image with the mean of its grayscale: ``factor * x + (1 - factor) * mean``."""
    mean = grayscale(images).mean(dim=(1, 2, 3), keepdim=True)
    f = _per_image(factor, images)
    return (f * images + (1 - f) * mean).clamp(0, 1)


def adjust_saturation(images: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Blend each image with its grayscale; 1-channel images are unchanged."""
    if images.shape[1] == 1:
        return images
    f = _per_image(factor, images)
    return (f * images + (1 - f) * grayscale(images)).clamp(0, 1)


def adjust_hue(images: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Rotate each image's hue by ``shift`` (B,) in [-0.5, 0.5] of a full turn (torchvision's
    ``adjust_hue``); 1-channel images are unchanged."""
    if images.shape[1] == 1:
        return images
    hsv = rgb_to_hsv(images)
    hue = (hsv[:, :1] + _per_image(shift, images)) % 1.0
    return hsv_to_rgb(torch.cat([hue, hsv[:, 1:]], dim=1))


def rgb_to_hsv(images: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) RGB in [0, 1] -> HSV with every channel in [0, 1]."""
    r, g, b = images.unbind(1)
    maxc, minc = images.amax(1), images.amin(1)
    delta = maxc - minc
    safe = torch.where(delta > 0, delta, torch.ones_like(delta))
    sat = delta / torch.where(maxc > 0, maxc, torch.ones_like(maxc))
    rc, gc, bc = (maxc - r) / safe, (maxc - g) / safe, (maxc - b) / safe
    hue = torch.where(maxc == r, bc - gc, torch.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    hue = torch.where(delta > 0, (hue / 6.0) % 1.0, torch.zeros_like(hue))
    return torch.stack([hue, sat, maxc], dim=1)


def hsv_to_rgb(images: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`rgb_to_hsv`."""
    h, s, v = images.unbind(1)
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.long() % 6
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    choices = torch.stack([torch.stack(c, 1) for c in ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v),
                                                         (v, p, q))], 0)  # (6, B, 3, H, W)
    index = i.unsqueeze(0).unsqueeze(2).expand(1, -1, 3, -1, -1)
    return choices.gather(0, index).squeeze(0)
