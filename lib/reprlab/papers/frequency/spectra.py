"""Image and gradient spectra of "Frequency bias in image classification" (Lin, Gao, Sang, IJCAI
2022): radial profiles of centred 2-D Fourier spectra, input-gradient spectra, spectral density and
the low/high frequency split. Every spectrum is one batched FFT on the tensor's device; every
function that bins a spectrum takes the same ``binning`` argument.

Binnings of an H x W spectrum after ``fftshift`` (DC at pixel (H//2, W//2)):

- ``"centered"`` (default): band k holds the pixels whose distance to the DC pixel has integer
  part k; all bands are kept, band 0 is the DC value (23 bands at 32 x 32, 20 at 28 x 28).
- ``"upstream"``: upstream's azimuthal average, centred at ((W-1)/2, (H-1)/2) between pixels,
  integer radii, and the cumulative-sum difference that drops band 0 and the outermost band
  (20 bands at 32 x 32, 18 at 28 x 28). The paper's figures use it.
"""

import functools
import math

import numpy as np
import torch

BINNINGS = ("centered", "upstream")
GRAY_WEIGHTS = (0.2989, 0.587, 0.114)


@functools.cache
def _band_matrix(height: int, width: int, binning: str) -> tuple[torch.Tensor, int]:
    """(H*W, bands) float64 matrix averaging the pixels of each band, and the number of bands."""
    if binning not in BINNINGS:
        raise ValueError(f"binning={binning!r}; allowed values: {', '.join(BINNINGS)}")
    y, x = torch.meshgrid(torch.arange(height, dtype=torch.float64), torch.arange(width, dtype=torch.float64),
                          indexing="ij")
    if binning == "centered":
        cy, cx = height // 2, width // 2
    else:
        if height != width:
            raise ValueError(f"binning='upstream' needs square images (upstream centres both axes at (W-1)/2); "
                             f"got {height}x{width}")
        cy, cx = (height - 1) / 2, (width - 1) / 2
    radius = torch.floor(torch.hypot(y - cy, x - cx)).long().flatten()
    bands = int(radius.max()) + 1
    onehot = torch.nn.functional.one_hot(radius, bands).double()
    if binning == "upstream":  # the cumulative-sum difference drops the first and the last radius
        onehot = onehot[:, 1:-1]
    counts = onehot.sum(0)
    if (counts == 0).any():
        raise ValueError(f"a {height}x{width} spectrum leaves a radius without pixels; use a larger image")
    return onehot / counts, onehot.shape[1]


def band_count(height: int, width: int, binning: str = "centered") -> int:
    """How many bands :func:`radial_profile` gives for an H x W spectrum."""
    return _band_matrix(height, width, binning)[1]


def radial_profile(x: torch.Tensor | np.ndarray, binning: str = "centered") -> torch.Tensor | np.ndarray:
    """Mean of the values of each radial band of a centred spectrum: (..., H, W) -> (..., bands).
    Differentiable for tensors; numpy in, numpy out."""
    if isinstance(x, np.ndarray):
        return radial_profile(torch.from_numpy(x), binning).numpy()
    matrix, _ = _band_matrix(x.shape[-2], x.shape[-1], binning)
    dtype = x.dtype if x.is_floating_point() else torch.float64
    return x.to(dtype).flatten(-2) @ matrix.to(device=x.device, dtype=dtype)


def centred_spectrum(x: torch.Tensor) -> torch.Tensor:
    """``fftshift(fft2(x))`` over the last two axes: complex, DC at (H//2, W//2)."""
    return torch.fft.fftshift(torch.fft.fft2(x), dim=(-2, -1))


def minmax(x: torch.Tensor, dim: int | tuple[int, ...] = -1) -> torch.Tensor:
    """Min-max scale to [0, 1] along ``dim``; a constant slice becomes 0."""
    low, high = x.amin(dim, keepdim=True), x.amax(dim, keepdim=True)
    return (x - low) / torch.where(high > low, high - low, torch.ones_like(high))


def gradient_spectrum(grads: torch.Tensor, binning: str = "centered", *, power: bool = False,
                      per_channel: bool = False) -> torch.Tensor:
    """Upstream's ``cal_power`` of input gradients (N, C, H, W) -> (N, bands): the channel sum,
    ``fftshift(fft2(.))``, its magnitude (``power=True``: squared), the radial profile and a
    per-image min-max. ``per_channel=True`` skips the channel sum: (N, C, bands)."""
    g = grads.float() if per_channel else grads.float().sum(1)
    magnitude = centred_spectrum(g).abs()
    if power:
        magnitude = magnitude.square()
    return minmax(radial_profile(magnitude, binning))


def to_gray(images: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) -> (N, H, W) with upstream's weights 0.2989 / 0.587 / 0.114 (one channel: itself)."""
    if images.shape[1] == 1:
        return images[:, 0]
    weights = torch.tensor(GRAY_WEIGHTS, dtype=images.dtype, device=images.device)
    return torch.einsum("nchw,c->nhw", images, weights)


def spectral_density(images: torch.Tensor, binning: str = "centered") -> torch.Tensor:
    """Upstream CDES's spectral density of images (N, C, H, W) in [0, 1] -> (N, bands): gray,
    ``fftshift(fft2(.))``, 20·log(1 + |F|), the radial profile and a per-image min-max.
    Differentiable: CDES trains its kernels through it."""
    return minmax(radial_profile(20 * torch.log1p(centred_spectrum(to_gray(images)).abs()), binning))


def double_density_target(bands: int = 20, height: int = 32) -> torch.Tensor:
    """Upstream's ``doubledensity`` target over bands 0..bands-1: N(0, σ) + N(height/2, σ) with
    σ = height/10 (3.2 at 32), min-max normalised: energy at DC and a second peak at height/2."""
    sigma = height / 10
    k = torch.arange(bands, dtype=torch.float64)

    def normal(mean: float) -> torch.Tensor:
        return torch.exp(-0.5 * ((k - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))

    return minmax(normal(0.0) + normal(height / 2)).float()


def max_radius(height: int, width: int) -> float:
    """The largest distance from the DC pixel (H/2, W/2) of a centred spectrum to any pixel."""
    return math.hypot(height / 2, width / 2)


def disk_mask(height: int, width: int, radius: float, device: torch.device | str = "cpu") -> torch.Tensor:
    """Low-frequency mask (H, W) bool of a centred spectrum: distance to (H/2, W/2) < ``radius``.
    For even sizes it is conjugate-symmetric, so low- and high-pass images are real."""
    if not 0 < radius <= max_radius(height, width):
        raise ValueError(f"radius={radius!r} is out of range; allowed range: (0, {max_radius(height, width):.4g}] "
                         f"for {height}x{width} images")
    y, x = torch.meshgrid(torch.arange(height, device=device), torch.arange(width, device=device), indexing="ij")
    return torch.hypot((y - height / 2).double(), (x - width / 2).double()) < radius


def from_masked_spectrum(spectrum: torch.Tensor) -> torch.Tensor:
    """``real(ifft2(ifftshift(.)))`` of a centred spectrum (..., H, W)."""
    return torch.fft.ifft2(torch.fft.ifftshift(spectrum, dim=(-2, -1))).real


def to_uint8_per_channel(images: torch.Tensor) -> torch.Tensor:
    """Upstream's last step: per-image, per-channel min-max of (N, C, H, W), then floor(x · 255)."""
    return torch.floor(minmax(images, dim=(-2, -1)) * 255).to(torch.uint8)


def frequency_split(images: np.ndarray | torch.Tensor, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """The low- and high-pass test sets X_l^(r), X_h^(r) of uint8 images (N, H, W, C): per channel
    ``fftshift(fft2(.))``, low = the disk at distance < ``radius`` from (H/2, W/2), high = the rest,
    ``ifft2(ifftshift(.))``, real part, per-channel min-max, floor(x · 255). Returns (low, high),
    uint8 (N, H, W, C)."""
    pixels = torch.as_tensor(np.asarray(images)).permute(0, 3, 1, 2).double()
    _, _, height, width = pixels.shape
    low_mask = disk_mask(height, width, radius, pixels.device)
    spectrum = centred_spectrum(pixels)
    low = from_masked_spectrum(spectrum * low_mask)
    high = from_masked_spectrum(spectrum * ~low_mask)
    return tuple(to_uint8_per_channel(x).permute(0, 2, 3, 1).numpy() for x in (low, high))  # type: ignore[return-value]


def band_energy_fractions(profile: np.ndarray, groups: int = 3) -> np.ndarray:
    """Share of a spectrum's total in ``groups`` equal slices of its bands (low, mid, high):
    (..., bands) -> (..., groups), rows sum to 1."""
    profile = np.asarray(profile, dtype=np.float64)
    parts = np.array_split(np.arange(profile.shape[-1]), groups)
    sums = np.stack([profile[..., p].sum(-1) for p in parts], -1)
    return sums / np.maximum(sums.sum(-1, keepdims=True), 1e-12)


def spectral_centroid(profile: np.ndarray) -> np.ndarray:
    """Centre of mass of a radial profile in band units: (..., bands) -> (...)."""
    profile = np.asarray(profile, dtype=np.float64)
    bands = np.arange(profile.shape[-1])
    return (profile * bands).sum(-1) / np.maximum(profile.sum(-1), 1e-12)

