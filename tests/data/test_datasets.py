import urllib.error

import numpy as np
import pytest
import torch
import torchvision

from reprlab.data import datasets as ds
from reprlab.data import load_dataset
from reprlab.data.fixtures import write_cifar, write_mnist_like, write_stl10
from tests.conftest import md5


def _trust_fixture_checksums(monkeypatch, cls, folder):
    """torchvision verifies the official md5s; point it at the fixture's own so the real
    integrity check still runs."""
    for attr in ("train_list", "test_list"):
        monkeypatch.setattr(cls, attr, [[name, md5(folder / name)] for name, _ in getattr(cls, attr)])
    if hasattr(cls, "meta"):
        monkeypatch.setattr(cls, "meta", {**cls.meta, "md5": md5(folder / cls.meta["filename"])})


def test_cifar10_pickles_load_in_torchvision_layout(tmp_path, monkeypatch):
    written = write_cifar(tmp_path, 10, per_batch=6, seed=0)
    _trust_fixture_checksums(monkeypatch, torchvision.datasets.CIFAR10, tmp_path / "cifar-10-batches-py")
    train = load_dataset("cifar10", "train", tmp_path, download=False)
    test = load_dataset("cifar10", "test", tmp_path, download=False)
    assert train.images.shape == (30, 3, 32, 32) and train.images.dtype == torch.uint8
    assert len(test) == 6 and train.classes[0] == "airplane" and len(train.classes) == 10
    # Row layout of the pickle: 1024 red values, then green, then blue, each row-major 32x32.
    row = written["data_batch_2"][1]
    np.testing.assert_array_equal(train.images[7].numpy(), row.reshape(3, 32, 32))
    assert train.targets[7] == written["data_batch_2_labels"][1]
    assert torch.equal(train.indices, torch.arange(30))


def test_cifar100_uses_fine_labels(tmp_path, monkeypatch):
    written = write_cifar(tmp_path, 100, per_batch=5, seed=1)
    _trust_fixture_checksums(monkeypatch, torchvision.datasets.CIFAR100, tmp_path / "cifar-100-python")
    train = load_dataset("cifar100", "train", tmp_path, download=False)
    assert train.num_classes == 100
    np.testing.assert_array_equal(train.targets.numpy(), written["train_labels"])


def test_stl10_binaries_are_transposed_to_chw(tmp_path, monkeypatch):
    written = write_stl10(tmp_path, n_train=4, n_test=3, seed=2)
    _trust_fixture_checksums(monkeypatch, torchvision.datasets.STL10, tmp_path / "stl10_binary")
    train = load_dataset("stl10", "train", tmp_path, download=False)
    assert train.images.shape == (4, 3, 96, 96)
    np.testing.assert_array_equal(train.images.numpy(), written["train"])
    np.testing.assert_array_equal(train.targets.numpy(), written["train_labels"] - 1)  # 1..10 -> 0..9


def test_mnist_idx_files(tmp_path):
    written = write_mnist_like(tmp_path / "MNIST" / "raw", 12, 5, seed=3, compress=False)
    train = load_dataset("mnist", "train", tmp_path, download=False)
    assert train.images.shape == (12, 1, 28, 28)
    np.testing.assert_array_equal(train.images[:, 0].numpy(), written["train-images"])
    np.testing.assert_array_equal(train.targets.numpy(), written["train-labels"])


def test_fashion_mnist_falls_back_to_debian_gz_files(tmp_path, monkeypatch):
    debian = tmp_path / "debian"
    written = write_mnist_like(debian, 8, 4, seed=4, compress=True)
    monkeypatch.setattr(ds, "DEBIAN_FASHION_MNIST", debian)
    test = load_dataset("fashionmnist", "test", tmp_path / "cache", download=False)
    np.testing.assert_array_equal(test.images[:, 0].numpy(), written["t10k-images"])
    assert (tmp_path / "cache" / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte").exists()


def test_a_cut_fashion_mnist_file_is_named_and_replaced_from_the_debian_copy(tmp_path, monkeypatch, capsys):
    debian = tmp_path / "debian"
    written = write_mnist_like(debian, 8, 4, seed=4, compress=True)
    monkeypatch.setattr(ds, "DEBIAN_FASHION_MNIST", debian)
    load_dataset("fashionmnist", "train", tmp_path / "data", download=False)
    images = tmp_path / "data" / "FashionMNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:1000])  # cut short, as an interrupted copy leaves it
    train = load_dataset("fashionmnist", "train", tmp_path / "data", download=False)
    np.testing.assert_array_equal(train.images[:, 0].numpy(), written["train-images"])
    assert f"{images} is damaged (it differs from the Debian copy" in capsys.readouterr().err


def test_a_damaged_dataset_file_is_named_not_reported_missing(tmp_path):
    write_mnist_like(tmp_path / "MNIST" / "raw", 12, 5, seed=3, compress=False)
    images = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:1000])
    with pytest.raises(ValueError, match=r"dataset 'mnist': the files under .*MNIST are damaged .*train-images"):
        load_dataset("mnist", "train", tmp_path, download=False)


def test_offline_download_fails_with_a_clear_message(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torchvision.datasets.cifar, "download_and_extract_archive", offline)
    with pytest.raises(FileNotFoundError, match=r"'cifar10' is not in .* could not be downloaded"):
        load_dataset("cifar10", "train", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"'cifar10' is not in .*download=True"):
        load_dataset("cifar10", "train", tmp_path, download=False)


def test_unknown_dataset_and_split_name_the_allowed_values(tmp_path):
    with pytest.raises(ValueError, match=r"dataset=.svhn. is unknown; allowed values: fashionmnist, mnist"):
        load_dataset("svhn", "train", tmp_path)
    with pytest.raises(ValueError, match=r"split=.val. is not available for digits; allowed values: train, test"):
        load_dataset("digits", "val", tmp_path)


def test_digits_split_is_fixed_and_stratified():
    train, test = load_dataset("digits", "train"), load_dataset("digits", "test")
    assert len(train) + len(test) == 1797 and len(test) == 450
    assert train.images.shape[1:] == (1, 8, 8) and int(train.images.max()) == 255
    counts = torch.bincount(test.targets, minlength=10)
    assert counts.min() >= 43 and counts.max() <= 46


@pytest.mark.skipif(not ds.DEBIAN_FASHION_MNIST.is_dir(), reason="apt-get install dataset-fashion-mnist")
def test_real_fashion_mnist(tmp_path):
    train = load_dataset("fashionmnist", "train", tmp_path)
    test = load_dataset("fashionmnist", "test", tmp_path)
    assert train.images.shape == (60000, 1, 28, 28) and len(test) == 10000
    assert torch.bincount(train.targets).tolist() == [6000] * 10
    assert train.classes[0] == "T-shirt/top" and train.classes[9] == "Ankle boot"
    mean = train.images.float().div(255).mean().item()
    std = train.images.float().div(255).std().item()
    assert mean == pytest.approx(ds.DATASETS["fashionmnist"].mean[0], abs=1e-3)
    assert std == pytest.approx(ds.DATASETS["fashionmnist"].std[0], abs=1e-3)
