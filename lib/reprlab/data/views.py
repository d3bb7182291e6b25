"""Multi-view batches for self-supervised learning: ``n_img`` images x ``n_aug`` views, with
view 0 the identity (as MCR2's ``AugmentLoader``) and the others random augmentations done on
the device: random resized crop, horizontal flip, colour jitter, random grayscale."""

from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

from reprlab.data.datasets import ImageSet, dataset_info


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


class MultiViewLoader:
    """Yields (views (n_img * n_aug, C, H, W) normalised, pseudo-labels (n_img * n_aug,) = the
    image's slot 0..n_img-1 in the batch, dataset indices (n_img * n_aug,)).

    ``fixed_order=True`` reproduces upstream MCR2's sampler, which groups the same images in the
    same batches every epoch; by default every epoch draws a new permutation.
    """

    def __init__(self, data: ImageSet, n_img: int, n_aug: int, *, device: torch.device | str = "cpu", seed: int = 0,
                 fixed_order: bool = False, crop_scale: tuple[float, float] = (0.08, 1.0), jitter: float = 0.4) -> None:
        if n_aug < 1 or n_img < 1:
            raise ValueError(f"n_img={n_img!r} and n_aug={n_aug!r} must both be at least 1")
        info = dataset_info(data.name)
        self.data, self.n_img, self.n_aug, self.fixed_order = data, n_img, n_aug, fixed_order
        self.crop_scale, self.jitter, self.flip = crop_scale, jitter, info.flip
        self.device = torch.device(device)
        self.mean = torch.tensor(info.mean, device=self.device).view(1, -1, 1, 1)
        self.std = torch.tensor(info.std, device=self.device).view(1, -1, 1, 1)
        self.images = data.images.to(self.device)
        self.indices = data.indices.to(self.device)
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return len(self.data) // self.n_img

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        n = len(self.data)
        order = torch.arange(n) if self.fixed_order else torch.randperm(n, generator=self.generator)
        for start in range(0, len(self) * self.n_img, self.n_img):
            pos = order[start:start + self.n_img].to(self.device)
            originals = self.images[pos].float().div_(255)
            views = originals.repeat_interleave(self.n_aug, dim=0)
            augmented = torch.ones(len(views), dtype=torch.bool)
            augmented[::self.n_aug] = False  # view 0 of every image stays the identity
            aug = views[augmented.to(self.device)]
            aug = random_resized_crop(aug, self.generator, self.crop_scale, flip=self.flip)
            aug = color_jitter(aug, self.generator, self.jitter)
            views[augmented.to(self.device)] = aug
            pseudo = torch.arange(self.n_img, device=self.device).repeat_interleave(self.n_aug)
            yield (views - self.mean) / self.std, pseudo, self.indices[pos].repeat_interleave(self.n_aug)

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])
