import gzip
import hashlib
import os
import pickle
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

torch.set_num_threads(2)


@pytest.fixture(scope="session")
def device() -> torch.device:
    """Where device-agnostic tests put models and data: the CPU, or ``REPRLAB_TEST_DEVICE``
    (e.g. ``cuda``) to run the same science checks on a GPU machine. CI runs them on the CPU."""
    chosen = torch.device(os.environ.get("REPRLAB_TEST_DEVICE", "cpu"))
    if chosen.type == "cuda" and not torch.cuda.is_available():
        pytest.fail("REPRLAB_TEST_DEVICE asks for CUDA but torch.cuda.is_available() is False")
    return chosen


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Runs, reports and label banks of a test go to its own temporary directory, never the repo."""
    monkeypatch.setenv("REPRLAB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("REPRLAB_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("REPRLAB_LABELS", str(tmp_path / "labels"))


@dataclass
class Workbook:
    """A whole profile, run once: its folders, each notebook's result, the lines ``run-all``
    printed (ending with its timing table), and the directories of every run it started."""

    runs: Path
    labels: Path
    results: dict
    log: list
    started: set

    def __getitem__(self, notebook: str):
        return self.results[notebook]

    def use(self, monkeypatch) -> None:
        """Point this test's runs and labels folders at the workbook's (to reuse its runs)."""
        monkeypatch.setenv("REPRLAB_RUNS", str(self.runs))
        monkeypatch.setenv("REPRLAB_LABELS", str(self.labels))


@pytest.fixture(scope="session")
def smoke_workbook(tmp_path_factory) -> Workbook:
    """The whole ``smoke`` profile, run once per session as ``make run`` runs ``quick`` (the local
    pool, two workers, the profile as one graph). Tests that check a notebook's wiring read its run
    here instead of executing it again."""
    from reprlab.workbench.executors import LocalExecutor
    from reprlab.workbench.runner import run_all

    root = tmp_path_factory.mktemp("smoke-workbook")
    with pytest.MonkeyPatch.context() as mp:
        for name, folder in (("RUNS", "runs"), ("LABELS", "labels"), ("REPORTS", "reports")):
            mp.setenv(f"REPRLAB_{name}", str(root / folder))
        lines: list[str] = []
        results = run_all("smoke", executor=LocalExecutor(jobs=2), log=lines.append)
    failed = [f"{r.notebook}: {r.error} ({r.run_dir})" for r in results if r.status != "completed"]
    assert not failed, failed
    started = {p.parent for p in (root / "runs").glob("*/*/status.json")}
    return Workbook(root / "runs", root / "labels", {r.notebook: r for r in results}, lines, started)


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now (for a gloo process group)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


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
    """CIFAR-10/100 python-pickle batches exactly as the official tarball unpacks them."""
    rng = np.random.default_rng(seed)
    label_key = "labels" if num_classes == 10 else "fine_labels"
    if num_classes == 10:
        folder = root / "cifar-10-batches-py"
        batches = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        meta_name, meta = "batches.meta", {"label_names": [f"class{i}" for i in range(10)]}
    else:
        folder = root / "cifar-100-python"
        batches = ["train", "test"]
        meta_name, meta = "meta", {"fine_label_names": [f"fine{i}" for i in range(100)],
                                   "coarse_label_names": [f"coarse{i}" for i in range(20)]}
    folder.mkdir(parents=True)
    written = {}
    for name in batches:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)  # rows: R plane, G plane, B plane
        labels = rng.integers(0, num_classes, per_batch).tolist()
        entry = {"batch_label": name, "data": data, label_key: labels, "filenames": [f"{i}.png" for i in labels]}
        with open(folder / name, "wb") as f:
            pickle.dump(entry, f)
        written[name] = data
        written[name + "_labels"] = np.array(labels)
    with open(folder / meta_name, "wb") as f:
        pickle.dump(meta, f)
    return written


def write_stl10(root: Path, n_train: int, n_test: int, seed: int) -> dict[str, np.ndarray]:
    """STL-10 binaries: uint8 images stored column-major (3, 96, 96) per image, labels 1..10."""
    rng = np.random.default_rng(seed)
    folder = root / "stl10_binary"
    folder.mkdir(parents=True)
    written = {}
    for split, n in (("train", n_train), ("test", n_test), ("unlabeled", 2)):
        images = rng.integers(0, 256, (n, 3, 96, 96), dtype=np.uint8)
        images.transpose(0, 1, 3, 2).tofile(folder / f"{split}_X.bin")
        written[split] = images
        if split != "unlabeled":
            labels = rng.integers(1, 11, n, dtype=np.uint8)
            labels.tofile(folder / f"{split}_y.bin")
            written[f"{split}_labels"] = labels
    (folder / "class_names.txt").write_text("\n".join(f"c{i}" for i in range(10)) + "\n")
    (folder / "fold_indices.txt").write_text("0 1\n" * 10)
    return written
