"""Per-channel normalisation of images in [0, 1], and the way back to pixels."""

from collections.abc import Sequence

import torch


class Normalizer:
    """``(x - mean) / std`` per channel, and its inverse. mean, std: per-channel values in pixel
    units ([0, 1]); images are (B, C, H, W) on ``device``."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], device: torch.device | str = "cpu",
                 dtype: torch.dtype = torch.float32) -> None:
        self.mean = torch.tensor(tuple(mean), dtype=dtype, device=device).view(1, -1, 1, 1)
        self.std = torch.tensor(tuple(std), dtype=dtype, device=device).view(1, -1, 1, 1)

    @classmethod
    def for_dataset(cls, name: str, device: torch.device | str = "cpu") -> "Normalizer":
        """The registered normalisation of dataset ``name``."""
        from reprlab.data.datasets import dataset_info

        info = dataset_info(name)
        return cls(info.mean, info.std, device)

    def __call__(self, pixels: torch.Tensor) -> torch.Tensor:
        """Pixels in [0, 1] -> the model's normalised input."""
        return (pixels - self.mean) / self.std

    def to_pixels(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised images -> pixels (not clamped)."""
        return images * self.std + self.mean

    def pixel_bounds(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The normalised values of pixel 0 and pixel 1, per channel (1, C, 1, 1)."""
        return (0 - self.mean) / self.std, (1 - self.mean) / self.std

    def pixel_radius(self, eps: float | torch.Tensor) -> torch.Tensor:
        """A radius of ``eps`` in pixel units, in normalised units per channel (1, C, 1, 1); a
        tensor of radii per image (B, 1, 1, 1) gives (B, C, 1, 1)."""
        return eps / self.std
