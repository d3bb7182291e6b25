"""Datasets by name. Small datasets are held as one uint8 tensor (:class:`ImageSet`); folder
datasets stay on disk and go through torchvision's ``ImageFolder``.

Downloads use torchvision's own download path (with its checksums). Offline, a missing dataset
raises a :class:`FileNotFoundError` that says where to put the files.
"""

import gzip
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torchvision

from reprlab import paths
from reprlab.io import atomic_write
from reprlab.rehearsal import trusted_checksums

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


@dataclass
class ImageSet:
    """A whole dataset split in memory.

    images: (N, C, H, W) uint8; targets: (N,) int64; indices: (N,) int64 position of each
    example in the original split, kept through subsetting so examples can be followed.
    """

    name: str
    images: torch.Tensor
    targets: torch.Tensor
    classes: list[str]
    indices: torch.Tensor = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.indices is None:
            self.indices = torch.arange(len(self.images))
        if not (len(self.images) == len(self.targets) == len(self.indices)):
            raise ValueError("images, targets and indices must have the same length")

    def __len__(self) -> int:
        return len(self.images)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def subset(self, positions: torch.Tensor | np.ndarray) -> "ImageSet":
        """The examples at ``positions`` (positions in this set, not original indices)."""
        positions = torch.as_tensor(positions, dtype=torch.long)
        return ImageSet(self.name, self.images[positions], self.targets[positions], self.classes,
                        self.indices[positions])

    def with_targets(self, targets: torch.Tensor) -> "ImageSet":
        """The same images with other targets (e.g. corrupted labels)."""
        return ImageSet(self.name, self.images, torch.as_tensor(targets, dtype=torch.long),
                        self.classes, self.indices)


@dataclass(frozen=True)
class DatasetInfo:
    """Per-dataset constants: normalisation (per channel, in [0, 1] pixel units) and the
    standard training augmentation (zero-padded random crop and horizontal flip)."""

    load: Callable[[str, Path, bool], ImageSet] | None
    mean: tuple[float, ...]
    std: tuple[float, ...]
    crop_padding: int
    flip: bool
    splits: tuple[str, ...] = ("train", "test")


def _offline_hint(name: str, root: Path, err: Exception, tried_download: bool) -> FileNotFoundError:
    why = "could not be downloaded" if tried_download else "download=True was not given"
    return FileNotFoundError(
        f"dataset {name!r} is not in {root} and {why} ({type(err).__name__}: {err}). "
        f"Download it on a machine with internet access, or place torchvision's files under {root}."
    )


def _torchvision(cls: type, name: str, root: Path, download: bool, **kwargs):
    try:
        with trusted_checksums(cls, root):  # a rehearsal's fixture: its own md5 sums
            return cls(root=str(root), download=False, **kwargs)
    except RuntimeError as err:  # torchvision: "Dataset not found or corrupted", or a file it cannot parse
        if "not found" not in str(err).lower():
            raise _damaged(name, root / cls.__name__ if (root / cls.__name__).is_dir() else root, err) from err
        if not download:
            raise _offline_hint(name, root, err, tried_download=False) from err
    try:
        return cls(root=str(root), download=True, **kwargs)
    except Exception as err:
        raise _offline_hint(name, root, err, tried_download=True) from err


def _from_hwc(name: str, data: np.ndarray, targets, classes: list[str]) -> ImageSet:
    images = torch.from_numpy(np.ascontiguousarray(data)).permute(0, 3, 1, 2).contiguous()
    return ImageSet(name, images, torch.as_tensor(np.asarray(targets), dtype=torch.long), list(classes))


def _install_debian_fashion_mnist(root: Path) -> None:
    """Unpack the Debian package's IDX gz files where torchvision looks for them; a file already
    there that differs from the Debian copy (cut short, damaged) is named on stderr and replaced."""
    raw = root / "FashionMNIST" / "raw"
    for gz in sorted(DEBIAN_FASHION_MNIST.glob("*-ubyte.gz")):
        target = raw / gz.name[:-3]
        with gzip.open(gz, "rb") as src:
            content = src.read()
        if target.exists() and target.read_bytes() == content:
            continue
        if target.exists():
            print(f"warning: {target} is damaged (it differs from the Debian copy {gz}); replacing it",
                  file=sys.stderr)
        atomic_write(target, lambda tmp, content=content: tmp.write_bytes(content))


def _damaged(name: str, root: Path, err: Exception) -> ValueError:
    """Files are there but torchvision cannot read them: name them (those under ``root``), and how
    to get good ones."""
    files = sorted(str(p) for p in root.rglob("*") if p.is_file() and "cache" not in p.parts)
    shown = ", ".join(files[:6]) + (", ..." if len(files) > 6 else "")
    return ValueError(f"dataset {name!r}: the files under {root} are damaged ({err}): {shown}. Delete the damaged "
                      "ones to download them again, or copy good ones there.")


def _load_mnist_like(cls: type, name: str) -> Callable[[str, Path, bool], ImageSet]:
    def load(split: str, root: Path, download: bool) -> ImageSet:
        if name == "fashionmnist" and DEBIAN_FASHION_MNIST.is_dir():
            try:
                ds = cls(root=str(root), train=split == "train", download=False)
            except RuntimeError:
                _install_debian_fashion_mnist(root)
        ds = _torchvision(cls, name, root, download, train=split == "train")
        return ImageSet(name, ds.data.unsqueeze(1).contiguous(), ds.targets.long(), list(ds.classes))

    return load


def _load_cifar(cls: type, name: str) -> Callable[[str, Path, bool], ImageSet]:
    def load(split: str, root: Path, download: bool) -> ImageSet:
        ds = _torchvision(cls, name, root, download, train=split == "train")
        return _from_hwc(name, ds.data, ds.targets, ds.classes)

    return load


def _load_stl10(split: str, root: Path, download: bool) -> ImageSet:
    ds = _torchvision(torchvision.datasets.STL10, "stl10", root, download, split=split)
    return ImageSet("stl10", torch.from_numpy(ds.data).contiguous(),
                    torch.as_tensor(ds.labels, dtype=torch.long), list(ds.classes))


def _load_digits(split: str, root: Path, download: bool) -> ImageSet:
    """scikit-learn's 8x8 digits (1797 images, 0..16 intensities) with a fixed stratified
    75/25 train/test split (seed 0), scaled to uint8."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)[:, None]
    positions = np.arange(len(images))
    train, test = train_test_split(positions, test_size=0.25, random_state=0, stratify=bunch.target)
    chosen = train if split == "train" else test
    return ImageSet("digits", torch.from_numpy(images[chosen]), torch.from_numpy(bunch.target[chosen]).long(),
                    [str(d) for d in range(10)])


DATASETS: dict[str, DatasetInfo] = {
    "fashionmnist": DatasetInfo(_load_mnist_like(torchvision.datasets.FashionMNIST, "fashionmnist"),
                                (0.2860,), (0.3530,), crop_padding=2, flip=True),
    "mnist": DatasetInfo(_load_mnist_like(torchvision.datasets.MNIST, "mnist"),
                         (0.1307,), (0.3081,), crop_padding=2, flip=False),
    "cifar10": DatasetInfo(_load_cifar(torchvision.datasets.CIFAR10, "cifar10"),
                           (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616), crop_padding=4, flip=True),
    "cifar100": DatasetInfo(_load_cifar(torchvision.datasets.CIFAR100, "cifar100"),
                            (0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762), crop_padding=4, flip=True),
    "stl10": DatasetInfo(_load_stl10, (0.4467, 0.4398, 0.4066), (0.2603, 0.2566, 0.2713),
                         crop_padding=12, flip=True),
    "digits": DatasetInfo(_load_digits, (0.3053,), (0.3758,), crop_padding=0, flip=False),
    # Folder datasets stay on disk: ImageNet statistics, torchvision transforms (see loaders).
    "imagefolder": DatasetInfo(None, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), crop_padding=4, flip=True,
                               splits=("train", "val", "test")),
}


def dataset_info(name: str) -> DatasetInfo:
    """Constants of dataset ``name``; raises ``ValueError`` naming the allowed names."""
    if name not in DATASETS:
        raise ValueError(f"dataset={name!r} is unknown; allowed values: {', '.join(DATASETS)}")
    return DATASETS[name]


def load_dataset(name: str, split: str = "train", root: str | Path | None = None,
                 download: bool = True) -> ImageSet:
    """Load split ``split`` of dataset ``name`` into memory as an :class:`ImageSet`.

    root: dataset cache (default :func:`reprlab.paths.data_dir`). Folder datasets are not loaded
    into memory; use :class:`reprlab.data.FolderLoader` for ``imagefolder``.
    """
    info = dataset_info(name)
    if info.load is None:
        raise ValueError(f"dataset={name!r} stays on disk; build a FolderLoader for it instead of load_dataset")
    if split not in info.splits:
        raise ValueError(f"split={split!r} is not available for {name}; allowed values: {', '.join(info.splits)}")
    root = Path(root) if root is not None else paths.data_dir()
    root.mkdir(parents=True, exist_ok=True)
    return info.load(split, root, download)
