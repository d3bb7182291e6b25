import numpy as np
import pytest
import torch

from reprlab.papers.frequency.spectra import (
    band_count,
    band_energy_fractions,
    double_density_target,
    frequency_split,
    gradient_spectrum,
    radial_profile,
    spectral_centroid,
    spectral_density,
)


def upstream_azimuthal_average(image: np.ndarray) -> np.ndarray:
    """The FreqBias repository's ``azimuthalAverage`` (grad.py L22-42), as the reference."""
    y, x = np.indices(image.shape)
    center = np.array([(x.max() - x.min()) / 2.0, (x.max() - x.min()) / 2.0])
    r = np.hypot(x - center[0], y - center[1])
    ind = np.argsort(r.flat)
    r_sorted, i_sorted = r.flat[ind], image.flat[ind]
    r_int = r_sorted.astype(int)
    rind = np.where(r_int[1:] - r_int[:-1])[0]
    nr = rind[1:] - rind[:-1]
    csim = np.cumsum(i_sorted, dtype=float)
    return (csim[rind[1:]] - csim[rind[:-1]]) / nr


@pytest.mark.parametrize("size", [32, 28])
def test_upstream_binning_equals_the_repository_code(size):
    images = np.random.default_rng(0).random((3, size, size))
    ours = radial_profile(images, binning="upstream")
    for image, profile in zip(images, ours, strict=True):
        np.testing.assert_allclose(profile, upstream_azimuthal_average(image), rtol=1e-12)
    assert ours.shape == (3, {32: 20, 28: 18}[size])


def test_band_counts_and_centres():
    assert (band_count(32, 32), band_count(32, 32, "upstream")) == (23, 20)
    assert (band_count(28, 28), band_count(28, 28, "upstream")) == (20, 18)
    distance = np.zeros((32, 32))
    distance[16, 16] = 1.0  # the DC pixel after fftshift
    assert radial_profile(distance)[0] == 1.0 and radial_profile(distance)[1:].sum() == 0
    with pytest.raises(ValueError, match="binning='upstream' needs square images"):
        radial_profile(np.zeros((32, 28)), binning="upstream")
    with pytest.raises(ValueError, match=r"binning='polar'; allowed values: centered, upstream"):
        radial_profile(np.zeros((8, 8)), binning="polar")


def test_a_constant_image_puts_everything_in_band_zero():
    images = torch.full((2, 3, 32, 32), 0.7)
    magnitude = torch.fft.fftshift(torch.fft.fft2(images.sum(1)), dim=(-2, -1)).abs()
    profile = radial_profile(magnitude)
    assert profile[:, 0].tolist() == pytest.approx([0.7 * 3 * 1024] * 2)
    assert profile[:, 1:].abs().max() < 1e-9
    density = spectral_density(images)
    assert density[:, 0].tolist() == [1.0, 1.0] and density[:, 1:].max() == 0  # per-image min-max


def test_gradient_spectrum_of_a_sinusoid_peaks_at_its_radius():
    y, x = torch.meshgrid(torch.arange(32.0), torch.arange(32.0), indexing="ij")
    for fy, fx in [(0, 5), (6, 8), (9, 0)]:
        wave = torch.cos(2 * torch.pi * (fy * y + fx * x) / 32)
        grads = wave.expand(4, 3, 32, 32)
        spectrum = gradient_spectrum(grads)
        assert int(spectrum[0].argmax()) == int(np.hypot(fy, fx)), (fy, fx)
        assert spectrum.max() == 1 and spectrum.min() == 0  # per-image min-max
    assert gradient_spectrum(grads, per_channel=True).shape == (4, 3, 23)
    assert gradient_spectrum(grads, "upstream").shape == (4, 20)


def test_spectral_density_is_differentiable():
    images = torch.rand(2, 3, 32, 32, requires_grad=True)
    spectral_density(images, "upstream")[:, 15].sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0


def test_double_density_target_as_upstream():
    target = double_density_target(20, 32).double()
    sigma = 3.2
    k = np.arange(20)
    raw = np.exp(-0.5 * (k / sigma) ** 2) + np.exp(-0.5 * ((k - 16) / sigma) ** 2)  # same σ: the constant cancels
    np.testing.assert_allclose(target.numpy(), (raw - raw.min()) / (raw.max() - raw.min()), atol=1e-6)
    assert target[0] == 1 and target[16] == pytest.approx(1.0, abs=1e-4) and target[8] == 0


def test_low_plus_high_is_the_original_spectrum():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    pixels = torch.as_tensor(images).permute(0, 3, 1, 2).double()
    from reprlab.papers.frequency.spectra import centred_spectrum, disk_mask, from_masked_spectrum

    spectrum = centred_spectrum(pixels)
    low_mask = disk_mask(32, 32, 12)
    low, high = from_masked_spectrum(spectrum * low_mask), from_masked_spectrum(spectrum * ~low_mask)
    torch.testing.assert_close(low + high, pixels)  # the masks partition the spectrum
    inverse = torch.fft.ifft2(torch.fft.ifftshift(spectrum * low_mask, dim=(-2, -1)))
    assert inverse.imag.abs().max() < 1e-9 * inverse.real.abs().max()  # conjugate-symmetric mask: a real image
    assert int(low_mask.sum()) == 437  # upstream's HARS disk at r = 12
    low8, high8 = frequency_split(images, 12)
    assert low8.dtype == np.uint8 and low8.shape == images.shape
    assert low8.max() == 255 and low8.min() == 0  # per-channel min-max
    # the low-pass image is smooth, the high-pass one holds the detail
    assert np.abs(np.diff(low8.astype(float), axis=1)).mean() < np.abs(np.diff(high8.astype(float), axis=1)).mean()


@pytest.mark.parametrize("radius", [0, -1, 23])
def test_radius_out_of_range_names_the_parameter(radius):
    with pytest.raises(ValueError, match=rf"radius={radius} is out of range; allowed range: \(0, 22\.63\]"):
        frequency_split(np.zeros((1, 32, 32, 3), np.uint8), radius)


def test_band_energy_and_centroid():
    profile = np.array([[1.0, 0, 0, 0, 0, 3.0], [0, 0, 2.0, 2.0, 0, 0]])
    np.testing.assert_allclose(band_energy_fractions(profile), [[0.25, 0, 0.75], [0, 1, 0]])
    np.testing.assert_allclose(spectral_centroid(profile), [15 / 4, 2.5])
