import pytest
import torch

from reprlab.data import ImageSet
from reprlab.papers.frequency.cdes import (
    KernelBank,
    KernelConfig,
    cdes_loss,
    class_kernels,
    restructure,
    restructure_dataset,
    train_kernels,
    upstream_cdes_masks,
)
from reprlab.papers.frequency.spectra import band_count, double_density_target, spectral_density


def _fixture(n=40, size=16):
    g = torch.Generator().manual_seed(0)
    y, x = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    blobs = torch.exp(-((x - size / 2) ** 2 + (y - size / 2) ** 2) / (2 * (size / 5) ** 2))  # low frequencies only
    images = (blobs * 200 + torch.rand(n, 3, size, size, generator=g) * 30).clamp(0, 255).to(torch.uint8)
    return ImageSet("toy", images, torch.arange(n) % 2, ["a", "b"])


def test_a_kernel_bank_lowers_its_loss_towards_the_double_density_target():
    data = _fixture()
    config = KernelConfig(number=4, kernel_size=3, epochs=10, lr=0.2, batch_size=20, binning="centered")
    bank, history = train_kernels(data, config, log=lambda _: None)
    assert history[-1]["train_loss"] < 0.8 * history[0]["train_loss"]
    pixels = data.images.float() / 255
    target = double_density_target(band_count(16, 16), 16)
    before, _ = cdes_loss(pixels, pixels, target, "centered")
    with torch.no_grad():
        after_density = torch.nn.functional.mse_loss(spectral_density(bank(pixels), "centered"),
                                                     target.expand(len(pixels), -1))
    assert after_density < before  # closer to the target spectrum than the images themselves


def test_scr_trains_a_fresh_bank_per_class_and_keeps_every_label():
    data = _fixture()
    config = KernelConfig(number=2, kernel_size=3, epochs=1, batch_size=20, binning="centered")
    banks = class_kernels(data, config, log=lambda _: None)
    assert sorted(banks) == [0, 1] and not torch.equal(banks[0].expand.weight, banks[1].expand.weight)
    warm = class_kernels(data, config, warm_start=True, log=lambda _: None)
    assert not torch.equal(warm[1].expand.weight, banks[1].expand.weight)  # class 1 started from class 0's
    scr = restructure_dataset(data, banks, radius=4)
    wcr = restructure_dataset(data, banks[0], radius=4)
    for out in (scr, wcr):  # upstream loses the WCR labels; here both keep them
        assert torch.equal(out.targets, data.targets) and out.images.dtype == torch.uint8


def test_restructured_images_keep_the_originals_low_frequencies():
    data = _fixture(n=4)
    bank, _ = train_kernels(data, KernelConfig(number=2, kernel_size=3, epochs=1, binning="centered"),
                            log=lambda _: None)
    pixels = data.images.float() / 255
    out = restructure(pixels, bank, radius=4).double()
    spectrum = torch.fft.fftshift(torch.fft.fft2(out), dim=(-2, -1))
    original = torch.fft.fftshift(torch.fft.fft2(pixels.double()), dim=(-2, -1))
    inner = (slice(None), slice(None), slice(6, 11), slice(6, 11))  # well inside the r = 4 disk, without DC
    corr = torch.nn.functional.cosine_similarity(spectrum[inner].abs().flatten(1), original[inner].abs().flatten(1))
    assert corr.min() > 0.99


def test_upstream_masks_leave_56_bins_in_neither_and_are_not_symmetric():
    low, high = upstream_cdes_masks(32, 10)
    assert int((~low & ~high).sum()) == 56 and not (low & high).any()
    flipped = torch.roll(torch.flip(low, (0, 1)), (1, 1), (0, 1))  # conjugate position of every bin
    assert not torch.equal(low, flipped)


def test_cdes_rejects_even_kernels_and_non_square_images():
    with pytest.raises(ValueError, match="kernel_size=4 must be odd"):
        KernelBank(kernel_size=4)
    rect = ImageSet("toy", torch.zeros(4, 3, 16, 12, dtype=torch.uint8), torch.zeros(4, dtype=torch.long), ["a"])
    with pytest.raises(ValueError, match="CDES needs square images; got 16x12"):
        train_kernels(rect, KernelConfig())
