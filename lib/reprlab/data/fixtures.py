"""Datasets that cannot be downloaded here, written in torchvision's exact on-disk layout with
random pixels and labels: for the loader tests and for the CPU rehearsal of the ``paper``
profile (:mod:`reprlab.rehearsal`), which writes them with the real split sizes."""

import gzip
import hashlib
import pickle
import struct
from pathlib import Path

import numpy as np

from reprlab.io import read_json, write_json
from reprlab.rehearsal import FIXTURE_CHECKSUMS

#: The datasets a fixture can stand in for, and the folder under the data root each one fills.
FOLDERS = {"cifar10": "cifar-10-batches-py", "cifar100": "cifar-100-python", "mnist": "MNIST/raw",
           "stl10": "stl10_binary"}

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR100_CLASSES = (
    "apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can "
    "castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin "
    "elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster "
    "man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck "
    "pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk "
    "skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television tiger "
    "tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm").split()
CIFAR100_COARSE = (
    "aquatic_mammals fish flowers food_containers fruit_and_vegetables household_electrical_devices "
    "household_furniture insects large_carnivores large_man-made_outdoor_things large_natural_outdoor_scenes "
    "large_omnivores_and_herbivores medium_mammals non-insect_invertebrates people reptiles small_mammals trees "
    "vehicles_1 vehicles_2").split()


def write_idx(path: Path, array: np.ndarray, compress: bool) -> None:
    """IDX format (big-endian magic: 0x0000, type 0x08 = uint8, ndim; then dims; then data)."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def write_mnist_like(root: Path, n_train: int, n_test: int, seed: int, compress: bool) -> dict[str, np.ndarray]:
    """The four MNIST/Fashion-MNIST IDX files (``.gz`` when ``compress``) in ``root``."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        arrays[f"{prefix}-images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{prefix}-labels"] = rng.integers(0, 10, n, dtype=np.uint8)
        suffix = ".gz" if compress else ""
        write_idx(root / f"{prefix}-images-idx3-ubyte{suffix}", arrays[f"{prefix}-images"], compress)
        write_idx(root / f"{prefix}-labels-idx1-ubyte{suffix}", arrays[f"{prefix}-labels"], compress)
    return arrays


def write_cifar(root: Path, num_classes: int, per_batch: int, seed: int) -> dict[str, np.ndarray]:
    """CIFAR-10/100 python-pickle batches exactly as the official tarball unpacks them, with the
    real class names: CIFAR-10's five training batches and its test batch hold ``per_batch``
    images each; CIFAR-100's ``train`` file holds ``5 * per_batch`` and ``test`` ``per_batch``
    (``per_batch=10000``: the real sizes)."""
    rng = np.random.default_rng(seed)
    label_key = "labels" if num_classes == 10 else "fine_labels"
    if num_classes == 10:
        folder = root / FOLDERS["cifar10"]
        batches = {f"data_batch_{i}": per_batch for i in range(1, 6)} | {"test_batch": per_batch}
        meta_name, meta = "batches.meta", {"label_names": CIFAR10_CLASSES}
    else:
        folder = root / FOLDERS["cifar100"]
        batches = {"train": 5 * per_batch, "test": per_batch}
        meta_name, meta = "meta", {"fine_label_names": CIFAR100_CLASSES, "coarse_label_names": CIFAR100_COARSE}
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, n in batches.items():
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)  # rows: R plane, G plane, B plane
        labels = rng.integers(0, num_classes, n).tolist()
        entry = {"batch_label": name, "data": data, label_key: labels, "filenames": [f"{i}.png" for i in labels]}
        if num_classes == 100:
            entry["coarse_labels"] = [label // 5 for label in labels]
        with open(folder / name, "wb") as f:
            pickle.dump(entry, f)
        written[name] = data
        written[name + "_labels"] = np.array(labels)
    with open(folder / meta_name, "wb") as f:
        pickle.dump(meta, f)
    return written


def write_cifar10h(root: Path, seed: int) -> np.ndarray:
    """CIFAR-10H's ``cifar10h/cifar10h-probs.npy``: (10000, 10) float32 human-label probabilities
    (Dirichlet draws here), one row per CIFAR-10 test image."""
    probs = np.random.default_rng(seed).dirichlet(np.ones(10), 10000).astype(np.float32)
    (root / "cifar10h").mkdir(parents=True, exist_ok=True)
    np.save(root / "cifar10h" / "cifar10h-probs.npy", probs)
    return probs


def write_stl10(root: Path, n_train: int, n_test: int, seed: int) -> dict[str, np.ndarray]:
    """STL-10 binaries: uint8 images stored column-major (3, 96, 96) per image, labels 1..10 (two
    unlabeled images stand in for the 100,000)."""
    rng = np.random.default_rng(seed)
    folder = root / FOLDERS["stl10"]
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for split, n in (("train", n_train), ("test", n_test), ("unlabeled", 2)):
        images = rng.integers(0, 256, (n, 3, 96, 96), dtype=np.uint8)
        images.transpose(0, 1, 3, 2).tofile(folder / f"{split}_X.bin")
        written[split] = images
        if split != "unlabeled":
            labels = rng.integers(1, 11, n, dtype=np.uint8)
            labels.tofile(folder / f"{split}_y.bin")
            written[f"{split}_labels"] = labels
    names = ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"]
    (folder / "class_names.txt").write_text("\n".join(names) + "\n")
    (folder / "fold_indices.txt").write_text("0 1\n" * 10)
    return written


def write_fixture(name: str, root: Path, seed: int = 0) -> list[Path]:
    """Write dataset ``name`` (``cifar10`` with its CIFAR-10H human labels, ``cifar100``, ``mnist``,
    ``stl10``) under ``root`` in torchvision's exact on-disk layout, with the real number of
    examples per split, image size and class count but random pixels and labels, and record the
    files' md5 sums for :func:`reprlab.rehearsal.trusted_checksums`. Returns the files written
    (none when the fixture is already there)."""
    writers = {"cifar10": lambda: (write_cifar(root, 10, 10000, seed), write_cifar10h(root, seed)),
               "cifar100": lambda: write_cifar(root, 100, 10000, seed),
               "mnist": lambda: write_mnist_like(root / "MNIST" / "raw", 60000, 10000, seed, compress=False),
               "stl10": lambda: write_stl10(root, 5000, 8000, seed)}
    if name not in writers:
        raise ValueError(f"no fixture for dataset {name!r}; allowed values: {', '.join(writers)}")
    sums_path = root / FIXTURE_CHECKSUMS
    sums = read_json(sums_path) if sums_path.exists() else {}
    if name in sums:
        return []
    writers[name]()
    files = sorted(p for p in (root / FOLDERS[name]).iterdir() if p.is_file())
    sums[name] = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in files}
    write_json(sums_path, sums)
    return files
