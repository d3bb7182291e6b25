import numpy as np
import torch
import torch.nn.functional as F

from reprlab.data import DeviceLoader, ImageSet, load_dataset
from reprlab.data.loaders import random_crop_flip


def _toy(n=50, size=8, channels=3):
    images = torch.randint(0, 256, (n, channels, size, size), dtype=torch.uint8)
    return ImageSet("toy", images, torch.arange(n) % 5, [str(i) for i in range(5)], torch.arange(100, 100 + n))


def test_train_epoch_visits_each_example_at_most_once_and_reshuffles():
    data = _toy()
    loader = DeviceLoader(data, 8, train=True, mean=(0.5,) * 3, std=(0.25,) * 3, crop_padding=0, flip=False)
    assert len(loader) == 6  # drop_last
    epoch1 = torch.cat([idx for _, _, idx in loader])
    epoch2 = torch.cat([idx for _, _, idx in loader])
    assert len(set(epoch1.tolist())) == 48 and set(epoch1.tolist()) <= set(range(100, 150))
    assert not torch.equal(epoch1, epoch2)


def test_batches_are_normalised_and_aligned_with_targets_and_indices(device):
    data = _toy()
    loader = DeviceLoader(data, 16, train=False, mean=(0.5,) * 3, std=(0.25,) * 3, device=device)
    images, targets, indices = next(iter(loader))
    assert images.device.type == targets.device.type == device.type
    pos = indices.cpu() - 100
    expected = (data.images[pos].float() / 255 - 0.5) / 0.25
    torch.testing.assert_close(images.cpu(), expected)
    assert torch.equal(targets.cpu(), data.targets[pos])
    assert sum(len(b[0]) for b in loader) == 50  # evaluation keeps the last partial batch


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


def test_ddp_shards_are_disjoint_and_cover_the_epoch():
    data = _toy(n=40)
    shards = [torch.cat([idx for _, _, idx in DeviceLoader(data, 5, train=True, mean=(0,) * 3, std=(1,) * 3,
                                                            seed=3, rank=r, world_size=2)]) for r in (0, 1)]
    assert not set(shards[0].tolist()) & set(shards[1].tolist())
    assert len(shards[0]) == len(shards[1]) == 20


def test_loader_state_restores_the_same_next_epoch(device):
    data = _toy()
    a = DeviceLoader(data, 8, train=True, mean=(0,) * 3, std=(1,) * 3, crop_padding=1, flip=True, seed=5)
    list(a)
    state = a.state_dict()
    first = [b[0] for b in a]
    b = DeviceLoader(data, 8, train=True, mean=(0,) * 3, std=(1,) * 3, crop_padding=1, flip=True, seed=99,
                     device=device)
    b.load_state_dict(state)
    for x, y in zip(first, (batch[0].cpu() for batch in b), strict=True):
        # the CPU generator makes the crops and flips independent of the device; only the
        # normalisation's float rounding may differ on a GPU
        torch.testing.assert_close(x, y, atol=1e-6, rtol=0)


def test_registered_dataset_uses_its_constants():
    digits = load_dataset("digits", "train")
    images, _, _ = next(iter(DeviceLoader(digits, len(digits), train=False)))
    assert abs(images.mean().item()) < 0.01 and abs(images.std().item() - 1) < 0.01
    assert np.isclose(DeviceLoader(digits, 4, train=True).crop_padding, 0)
