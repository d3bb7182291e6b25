import torch
import torch.nn.functional as F

from reprlab.augment.random import color_jitter, random_crop_flip, random_resized_crop


def test_crop_is_a_window_of_the_zero_padded_image_and_flip_mirrors(device):
    g = torch.Generator().manual_seed(0)
    images = torch.rand(64, 2, 6, 6)
    out = random_crop_flip(images.to(device), padding=2, flip=True, generator=g).cpu()
    padded = F.pad(images, (2, 2, 2, 2))
    offsets, flips = set(), 0
    for img, src in zip(out, padded, strict=True):
        windows = [(dy, dx, f) for dy in range(5) for dx in range(5) for f in (False, True)
                   if torch.equal(img, (src[:, dy:dy + 6, dx:dx + 6].flip(2) if f else src[:, dy:dy + 6, dx:dx + 6]))]
        assert windows, "output is not a (flipped) crop of the padded image"
        offsets.add(windows[0][:2])
        flips += windows[0][2]
    assert len(offsets) > 10 and 15 < flips < 49  # offsets and flips really vary


def test_full_crop_without_flip_is_the_identity():
    images = torch.rand(5, 3, 16, 16)
    g = torch.Generator().manual_seed(0)
    out = random_resized_crop(images, g, scale=(1.0, 1.0), ratio=(1.0, 1.0), flip=False)
    torch.testing.assert_close(out, images, atol=1e-5, rtol=0)
    assert torch.allclose(color_jitter(images, g, strength=0.0, grayscale_p=0.0, hue=0.0), images)


def test_crops_zoom_in():
    # A small crop of a horizontal ramp covers a narrower range of values than the image.
    ramp = torch.linspace(0, 1, 32).view(1, 1, 1, 32).expand(8, 1, 32, 32).contiguous()
    out = random_resized_crop(ramp, torch.Generator().manual_seed(1), scale=(0.1, 0.1), ratio=(1.0, 1.0))
    spans = out.amax(dim=(1, 2, 3)) - out.amin(dim=(1, 2, 3))
    assert (spans < 0.5).all()
