import torch

from reprlab.augment import ops


def test_rotation_by_90_degrees_is_rot90_and_ron_is_exact(device):
    images = torch.rand(6, 3, 16, 16, device=device)
    rotated = ops.rotate(images, torch.full((6,), 90.0))
    torch.testing.assert_close(rotated, torch.rot90(images, 1, dims=(2, 3)), atol=1e-5, rtol=0)
    turns = torch.tensor([0, 1, 2, 3, 1, 2])
    exact = ops.rotate90(images, turns)
    for img, out, k in zip(images, exact, turns, strict=True):
        assert torch.equal(out, torch.rot90(img, int(k), dims=(1, 2)))


def test_full_box_is_identity_and_a_box_is_that_window():
    images = torch.rand(3, 1, 12, 12)
    full = torch.tensor([[0.0, 0.0, 12.0, 12.0]]).expand(3, 4)
    torch.testing.assert_close(ops.crop_resize(images, full, 12), images, atol=1e-5, rtol=0)
    window = torch.tensor([[2.0, 3.0, 6.0, 6.0]]).expand(3, 4)
    torch.testing.assert_close(ops.crop_resize(images, window, 6), images[:, :, 3:9, 2:8], atol=1e-5, rtol=0)


def test_crop_resize_equals_torchvisions_resized_crop_edges_included():
    """A batch of boxes, up- and down-scaling: torchvision's resized_crop (antialias off) of
    each image to 1e-5 everywhere, the outer ring too (only pixels inside the box are read)."""
    from torchvision.transforms.v2 import functional as TF

    ramp = torch.arange(64.0).view(1, 1, 8, 8)  # the minimal case: row 0 starts at 18, not 15.75
    out = ops.crop_resize(ramp, torch.tensor([[2, 2, 4, 4]]), 8)
    assert out[0, 0, 0, :3].tolist() == [18.0, 18.25, 18.75]
    generator = torch.Generator().manual_seed(0)
    for height, width, size in ((32, 32, 32), (32, 24, 12), (20, 28, 48), (9, 9, 3)):
        images = torch.rand(6, 3, height, width, generator=generator)
        w = torch.randint(1, width + 1, (6,), generator=generator)
        h = torch.randint(1, height + 1, (6,), generator=generator)
        x = (torch.rand(6, generator=generator) * (width - w + 1)).long()
        y = (torch.rand(6, generator=generator) * (height - h + 1)).long()
        out = ops.crop_resize(images, torch.stack([x, y, w, h], 1), size)
        for i in range(6):
            expected = TF.resized_crop(images[i], int(y[i]), int(x[i]), int(h[i]), int(w[i]), [size, size],
                                       antialias=False)
            torch.testing.assert_close(out[i], expected, atol=1e-5, rtol=0)


def test_colour_operations_match_torchvision():
    from torchvision.transforms.v2 import functional as TF

    images = torch.rand(4, 3, 8, 8)
    factors = torch.tensor([0.6, 1.0, 1.3, 0.9])
    shifts = torch.tensor([-0.1, 0.0, 0.05, 0.1])
    for i in range(4):
        one = images[i:i + 1]
        torch.testing.assert_close(ops.adjust_brightness(images, factors)[i:i + 1],
                                   TF.adjust_brightness(one, float(factors[i])))
        torch.testing.assert_close(ops.adjust_contrast(images, factors)[i:i + 1],
                                   TF.adjust_contrast(one, float(factors[i])), atol=1e-6, rtol=0)
        torch.testing.assert_close(ops.adjust_saturation(images, factors)[i:i + 1],
                                   TF.adjust_saturation(one, float(factors[i])), atol=1e-6, rtol=0)
        torch.testing.assert_close(ops.adjust_hue(images, shifts)[i:i + 1],
                                   TF.adjust_hue(one, float(shifts[i])), atol=1e-5, rtol=0)
        torch.testing.assert_close(ops.grayscale(one), TF.rgb_to_grayscale(one, 3), atol=1e-6, rtol=0)


def test_blur_matches_torchvision_and_zero_sigma_is_identity():
    from torchvision.transforms.v2 import functional as TF

    images = torch.rand(2, 3, 10, 10)
    out = ops.gaussian_blur(images, torch.tensor([0.8, 0.0]))
    torch.testing.assert_close(out[:1], TF.gaussian_blur(images[:1], [3, 3], [0.8, 0.8]), atol=1e-6, rtol=0)
    torch.testing.assert_close(out[1], images[1])
