"""CDES (class-dependent enhancement of spectral density), the frequency-bias paper's toy
experiment: a linear kernel bank learns to push an image's spectral density towards a target with
a second peak at high frequencies while keeping the image; restructured images then keep the
original's low frequencies and take the filtered image's high ones. Trained per class (SCR: the
enhancement is class-related) or once for all classes (WCR: class-agnostic)."""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from reprlab.data import DeviceLoader, ImageSet
from reprlab.papers.frequency.spectra import (
    band_count,
    centred_spectrum,
    disk_mask,
    double_density_target,
    from_masked_spectrum,
    minmax,
    spectral_density,
    to_uint8_per_channel,
)
from reprlab.training import Batch, StepOutput, TrainConfig, fit


class KernelBank(nn.Module):
    """Upstream's toy model: Conv(C -> number, k) then Conv(number -> C, k), both 'same' padded,
    linear (no activation). (N, C, H, W) -> (N, C, H, W)."""

    def __init__(self, channels: int = 3, number: int = 16, kernel_size: int = 7) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size={kernel_size} must be odd ('same' padding)")
        self.expand = nn.Conv2d(channels, number, kernel_size, padding=kernel_size // 2)
        self.merge = nn.Conv2d(number, channels, kernel_size, padding=kernel_size // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.merge(self.expand(x))


def with_noise(images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Upstream's kernel input: x + minmax(U(0, 1)) · mean(x) / 10, the noise over the whole batch."""
    noise = torch.rand(images.shape, generator=generator).to(images.device)
    return images + minmax(noise.flatten()).view_as(images) * images.mean() / 10


def cdes_loss(filtered: torch.Tensor, images: torch.Tensor, target: torch.Tensor, binning: str = "upstream"
              ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """MSE(spectral density of the filtered images, target) + MSE(filtered images, images), the two
    terms unweighted as upstream. target: (bands,)."""
    density = F.mse_loss(spectral_density(filtered, binning), target.expand(len(filtered), -1))
    fidelity = F.mse_loss(filtered, images)
    return density + fidelity, {"density": density.detach(), "fidelity": fidelity.detach()}


@dataclass
class KernelConfig:
    """Upstream's CDES settings: 16 kernels of 7 x 7, 20 epochs of SGD 0.01 (momentum 0.9, weight
    decay 1e-4), lr / 10 every 5 epochs, batch 100, the double-density target and upstream's
    binning."""

    number: int = 16
    kernel_size: int = 7
    epochs: int = 20
    lr: float = 0.01
    batch_size: int = 100
    binning: str = "upstream"
    seed: int = 0


def train_kernels(data: ImageSet, config: KernelConfig, *, device: torch.device | str = "cpu",
                  init: KernelBank | None = None, log=print) -> tuple[KernelBank, list[dict[str, float]]]:
    """Train a :class:`KernelBank` on ``data`` (images as pixels in [0, 1]) through the engine;
    ``init`` warm-starts from another bank (upstream's SCR loop does so by accident). Returns the
    bank and its history (``train_density``, ``train_fidelity`` per epoch)."""
    channels, height, width = data.images.shape[1:]
    if height != width:
        raise ValueError(f"CDES needs square images; got {height}x{width}")
    torch.manual_seed(config.seed)
    bank = KernelBank(channels, config.number, config.kernel_size)
    if init is not None:
        bank.load_state_dict(init.state_dict())
    bank = bank.to(device)
    target = double_density_target(band_count(height, width, config.binning), height).to(device)
    loader = DeviceLoader(data, min(config.batch_size, len(data)), train=True, device=device, seed=config.seed,
                          mean=(0.0,) * channels, std=(1.0,) * channels, crop_padding=0, flip=False, drop_last=False)

    def step(model: nn.Module, batch: Batch) -> StepOutput:
        loss, terms = cdes_loss(model(with_noise(batch.images)), batch.images, target, config.binning)
        return StepOutput(loss, None, terms)

    every_five = tuple(e / config.epochs for e in range(5, config.epochs, 5))  # StepLR(5, 0.1)
    train = TrainConfig(epochs=config.epochs, lr=config.lr, momentum=0.9, weight_decay=1e-4, schedule="multistep",
                        milestones=every_five, amp=False, channels_last=True)  # 2x faster 7x7 convolutions on CPU
    history = fit(bank, loader, train, step=step, predict=None, log=log)
    return bank.eval(), history


def class_kernels(data: ImageSet, config: KernelConfig, *, warm_start: bool = False,
                  device: torch.device | str = "cpu", log=print) -> dict[int, KernelBank]:
    """SCR: one bank per class, trained on that class's images only; a fresh bank per class by
    default, ``warm_start=True`` starts each from the previous class's (upstream's loop)."""
    banks: dict[int, KernelBank] = {}
    previous = None
    for c in range(data.num_classes):
        members = data.subset(torch.nonzero(data.targets == c).flatten())
        if not len(members):
            continue
        log(f"SCR kernels of class {c} ({data.classes[c]}, {len(members)} images)")
        banks[c], _ = train_kernels(members, config, device=device, init=previous if warm_start else None,
                                    log=lambda _: None)
        previous = banks[c]
    return banks


def upstream_cdes_masks(size: int, radius: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    """Upstream's restructuring masks (low, high) of a size x size spectrum: drawn in the
    upper-left quadrant around (size/2, size/2) (low: distance <= radius, high: >= radius + 1) and
    mirrored about (size-1)/2. They are not conjugate-symmetric and leave bins in neither."""
    half = size // 2
    y, x = torch.meshgrid(torch.arange(half), torch.arange(half), indexing="ij")
    distance = torch.hypot((y - half).double(), (x - half).double())
    quadrant_low, quadrant_high = distance <= radius, distance >= radius + 1
    idx = torch.minimum(torch.arange(size), size - 1 - torch.arange(size))
    return quadrant_low[idx][:, idx], quadrant_high[idx][:, idx]


@torch.no_grad()
def restructure(images: torch.Tensor, bank: KernelBank, radius: float = 10, *, upstream_masks: bool = False,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """CDES images: the original's low frequencies (distance < ``radius`` from the spectrum's
    centre) plus the filtered image's high frequencies (the rest), per channel; inverse FFT, real
    part, per-channel min-max, floor(x · 255). images: (N, C, H, W) pixels in [0, 1] -> uint8
    (N, C, H, W). ``upstream_masks=True`` uses :func:`upstream_cdes_masks` instead of the
    partition."""
    device = next(bank.parameters()).device
    images = images.to(device)
    filtered = bank(with_noise(images, generator)).double()
    height, width = images.shape[-2:]
    if upstream_masks:
        low, high = (m.to(device) for m in upstream_cdes_masks(height, int(radius)))
    else:
        low = disk_mask(height, width, radius, device)
        high = ~low
    mixed = centred_spectrum(images.double()) * low + centred_spectrum(filtered) * high
    return to_uint8_per_channel(from_masked_spectrum(mixed))


def restructure_dataset(data: ImageSet, banks: dict[int, KernelBank] | KernelBank, radius: float = 10, *,
                        upstream_masks: bool = False, seed: int = 0, batch_size: int = 500) -> ImageSet:
    """The SCR dataset (``banks`` per class: each image through its own class's bank) or the WCR
    dataset (one bank for all). Labels are kept in both (upstream loses the WCR labels)."""
    generator = torch.Generator().manual_seed(seed)
    out = torch.empty_like(data.images)
    pixels = data.images.float() / 255
    for start in range(0, len(data), batch_size):
        part = slice(start, start + batch_size)
        if isinstance(banks, dict):
            for c, bank in banks.items():
                rows = torch.nonzero(data.targets[part] == c).flatten() + start
                if len(rows):
                    out[rows] = restructure(pixels[rows], bank, radius, upstream_masks=upstream_masks,
                                            generator=generator).cpu()
        else:
            out[part] = restructure(pixels[part], banks, radius, upstream_masks=upstream_masks,
                                    generator=generator).cpu()
    return ImageSet(data.name, out, data.targets.clone(), data.classes, data.indices.clone())


def mean_density(images: torch.Tensor | np.ndarray, binning: str = "upstream") -> np.ndarray:
    """Mean spectral density (bands,) of uint8 images (N, C, H, W)."""
    pixels = torch.as_tensor(np.asarray(images)).float() / 255
    return spectral_density(pixels, binning).mean(0).numpy()
