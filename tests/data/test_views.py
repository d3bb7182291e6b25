import torch

from reprlab.data import ImageSet, load_dataset
from reprlab.data.views import MultiViewLoader, color_jitter, random_resized_crop


def test_full_crop_without_flip_is_the_identity():
    images = torch.rand(5, 3, 16, 16)
    g = torch.Generator().manual_seed(0)
    out = random_resized_crop(images, g, scale=(1.0, 1.0), ratio=(1.0, 1.0), flip=False)
    torch.testing.assert_close(out, images, atol=1e-5, rtol=0)
    assert torch.allclose(color_jitter(images, g, strength=0.0, grayscale_p=0.0), images)


def test_crops_zoom_in():
    # A small crop of a horizontal ramp covers a narrower range of values than the image.
    ramp = torch.linspace(0, 1, 32).view(1, 1, 1, 32).expand(8, 1, 32, 32).contiguous()
    out = random_resized_crop(ramp, torch.Generator().manual_seed(1), scale=(0.1, 0.1), ratio=(1.0, 1.0))
    spans = out.amax(dim=(1, 2, 3)) - out.amin(dim=(1, 2, 3))
    assert (spans < 0.5).all()


def test_multiview_batches():
    digits = load_dataset("digits", "train")
    loader = MultiViewLoader(digits, n_img=6, n_aug=4, seed=0)
    views, pseudo, indices = next(iter(loader))
    assert views.shape == (24, 1, 8, 8) and len(loader) == len(digits) // 6
    assert pseudo.tolist() == [i for i in range(6) for _ in range(4)]
    assert (indices.view(6, 4) == indices.view(6, 4)[:, :1]).all()  # 4 views of one image each
    normalised = (digits.images[indices[::4]].float() / 255 - loader.mean) / loader.std
    torch.testing.assert_close(views[::4], normalised)  # view 0 is the identity
    assert not torch.allclose(views[1::4], normalised)  # the other views are augmented


def test_upstream_fixed_order_repeats_groupings_default_reshuffles():
    data = ImageSet("digits", torch.zeros(30, 1, 8, 8, dtype=torch.uint8), torch.zeros(30, dtype=torch.long),
                    [str(i) for i in range(10)])

    def groupings(loader):
        return [tuple(idx[::2].tolist()) for _, _, idx in loader]

    fixed = MultiViewLoader(data, 5, 2, fixed_order=True)
    assert groupings(fixed) == groupings(fixed) == [tuple(range(i, i + 5)) for i in range(0, 30, 5)]
    shuffled = MultiViewLoader(data, 5, 2)
    assert groupings(shuffled) != groupings(shuffled)
