"""Batched image augmentations on the device. Every function takes (B, C, H, W) float images in
[0, 1] on any device and draws its random numbers from a CPU ``torch.Generator``, so the result
does not depend on the device and the generator's state can be checkpointed."""

import torch
import torch.nn.functional as F


def random_crop_flip(images: torch.Tensor, padding: int, flip: bool, generator: torch.Generator) -> torch.Tensor:
    """Per-sample zero-padded random crop and horizontal flip, as torchvision's
    ``RandomCrop(size, padding)`` + ``RandomHorizontalFlip()`` on each image.

    images: (B, C, H, W) float in [0, 1] on any device. Random numbers come from the CPU
    ``generator`` so the result does not depend on the device.
    """
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
        mask = (torch.rand(b, generator=generator) < 0.5).to(device)
        images = torch.where(mask[:, None, None, None], images.flip(3), images)
    return images


def random_resized_crop(images: torch.Tensor, generator: torch.Generator, scale: tuple[float, float] = (0.08, 1.0),
                        ratio: tuple[float, float] = (3 / 4, 4 / 3), flip: bool = True) -> torch.Tensor:
    """Per-sample random resized crop (area fraction in ``scale``, aspect ratio log-uniform in
    ``ratio``) resampled bilinearly to the input size, optionally mirrored. images: (B, C, H, W)."""
    b = images.shape[0]
    area = torch.empty(b).uniform_(*scale, generator=generator)
    log_ratio = torch.empty(b).uniform_(torch.log(torch.tensor(ratio[0])).item(),
                                        torch.log(torch.tensor(ratio[1])).item(), generator=generator)
    aspect = torch.exp(log_ratio)
    width = torch.sqrt(area * aspect).clamp(max=1.0)  # fractions of the image side
    height = torch.sqrt(area / aspect).clamp(max=1.0)
    cx = (torch.rand(b, generator=generator) * 2 - 1) * (1 - width)
    cy = (torch.rand(b, generator=generator) * 2 - 1) * (1 - height)
    mirror = torch.where(torch.rand(b, generator=generator) < 0.5, -1.0, 1.0) if flip else torch.ones(b)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2] = width * mirror, cx
    theta[:, 1, 1], theta[:, 1, 2] = height, cy
    grid = F.affine_grid(theta.to(images.device), list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def color_jitter(images: torch.Tensor, generator: torch.Generator, strength: float = 0.4, p: float = 0.8,
                 grayscale_p: float = 0.2) -> torch.Tensor:
    """With probability ``p`` scale brightness, contrast and (RGB) saturation by factors in
    [1 - strength, 1 + strength]; then with probability ``grayscale_p`` convert to grayscale.
    images: (B, C, H, W) in [0, 1]. (Hue jitter is not applied.)"""
    b, c = images.shape[:2]
    device = images.device

    def factors() -> torch.Tensor:
        f = torch.empty(b).uniform_(1 - strength, 1 + strength, generator=generator)
        keep = torch.rand(b, generator=generator) >= p
        return torch.where(keep, torch.ones(b), f).to(device).view(b, 1, 1, 1)

    def gray(x: torch.Tensor) -> torch.Tensor:
        if c == 1:
            return x
        weights = torch.tensor([0.299, 0.587, 0.114], device=device).view(1, 3, 1, 1)
        return (x * weights).sum(1, keepdim=True).expand_as(x)

    images = images * factors()
    mean = gray(images).mean(dim=(1, 2, 3), keepdim=True)
    images = (images - mean) * factors() + mean
    if c == 3:
        g = gray(images)
        images = (images - g) * factors() + g
        to_gray = (torch.rand(b, generator=generator) < grayscale_p).to(device).view(b, 1, 1, 1)
        images = torch.where(to_gray, gray(images), images)
    return images.clamp(0, 1)
