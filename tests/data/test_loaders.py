import pytest
import torch

from reprlab.data import DeviceLoader, ImageSet, dataset_info


def _toy(n=50, size=8, channels=3):
    images = torch.randint(0, 256, (n, channels, size, size), dtype=torch.uint8)
    return ImageSet("toy", images, torch.arange(n) % 5, [str(i) for i in range(5)], torch.arange(100, 100 + n))


def test_train_epoch_visits_each_example_at_most_once_and_reshuffles():
    data = _toy()
    loader = DeviceLoader(data, 8, train=True, mean=(0.5,) * 3, std=(0.25,) * 3, crop_padding=0, flip=False)
    assert len(loader) == 6  # drop_last
    epoch1 = torch.cat([b.indices for b in loader])
    epoch2 = torch.cat([b.indices for b in loader])
    assert len(set(epoch1.tolist())) == 48 and set(epoch1.tolist()) <= set(range(100, 150))
    assert not torch.equal(epoch1, epoch2)


def test_batches_are_normalised_and_aligned_with_targets_and_indices(device):
    data = _toy()
    loader = DeviceLoader(data, 16, train=False, mean=(0.5,) * 3, std=(0.25,) * 3, device=device)
    batch = next(iter(loader))
    images, targets, indices = batch.images, batch.targets, batch.indices
    assert images.device.type == targets.device.type == device.type
    pos = indices.cpu() - 100
    expected = (data.images[pos].float() / 255 - 0.5) / 0.25
    torch.testing.assert_close(images.cpu(), expected)
    assert torch.equal(targets.cpu(), data.targets[pos])
    assert sum(len(b.images) for b in loader) == 50  # evaluation keeps the last partial batch


def test_ddp_shards_are_disjoint_and_cover_the_epoch():
    data = _toy(n=40)
    shards = [torch.cat([b.indices for b in DeviceLoader(data, 5, train=True, mean=(0,) * 3, std=(1,) * 3,
                                                            seed=3, rank=r, world_size=2)]) for r in (0, 1)]
    assert not set(shards[0].tolist()) & set(shards[1].tolist())
    assert len(shards[0]) == len(shards[1]) == 20


def test_loader_state_restores_the_same_next_epoch(device):
    data = _toy()
    a = DeviceLoader(data, 8, train=True, mean=(0,) * 3, std=(1,) * 3, crop_padding=1, flip=True, seed=5)
    list(a)
    state = a.state_dict()
    first = [b.images for b in a]
    b = DeviceLoader(data, 8, train=True, mean=(0,) * 3, std=(1,) * 3, crop_padding=1, flip=True, seed=99,
                     device=device)
    b.load_state_dict(state)
    for x, y in zip(first, (batch.images.cpu() for batch in b), strict=True):
        # the CPU generator makes the crops and flips independent of the device; only the
        # normalisation's float rounding may differ on a GPU
        torch.testing.assert_close(x, y, atol=1e-6, rtol=0)


def test_registered_dataset_uses_its_constants():
    # a toy set named like a registered dataset takes the registry's normalisation and augmentation
    info = dataset_info("fashionmnist")
    toy = ImageSet("fashionmnist", torch.full((4, 1, 8, 8), 255, dtype=torch.uint8), torch.zeros(4, dtype=torch.long),
                   ["a"])
    loader = DeviceLoader(toy, 4, train=True)
    assert (loader.crop_padding, loader.flip) == (info.crop_padding, info.flip) == (2, True)
    plain = next(iter(DeviceLoader(toy, 4, train=False))).images
    torch.testing.assert_close(plain, torch.full_like(plain, (1 - info.mean[0]) / info.std[0]))
    assert DeviceLoader(toy, 4, train=False).crop_padding == 0  # evaluation never augments
    with pytest.raises(ValueError, match="no registered dataset; pass mean and std"):
        DeviceLoader(ImageSet("mine", toy.images, toy.targets, ["a"]), 4, train=False)


def test_without_drop_last_every_example_is_in_every_epoch():
    data = _toy(n=50)
    loader = DeviceLoader(data, 8, train=True, mean=(0,) * 3, std=(1,) * 3, drop_last=False)
    sizes = [len(b) for b in loader]
    assert sizes == [8] * 6 + [2] and len(loader) == 7
    assert sorted(torch.cat([b.indices for b in loader]).tolist()) == list(range(100, 150))
    # a last batch of one example joins the one before it: BatchNorm cannot train on one
    single = DeviceLoader(_toy(n=49), 8, train=True, mean=(0,) * 3, std=(1,) * 3, drop_last=False)
    assert [len(b) for b in single] == [8] * 5 + [9] and len(single) == 6
