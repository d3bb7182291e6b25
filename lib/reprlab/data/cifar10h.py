"""CIFAR-10H (Peterson et al., 2019): human label distributions of the CIFAR-10 test set, and the
human predictive entropy per image."""

import hashlib
import urllib.request
from pathlib import Path

import numpy as np

from reprlab import paths
from reprlab.io import atomic_write

CIFAR10H_URL = "https://github.com/jcpeterson/cifar-10h/raw/master/data/cifar10h-probs.npy"


def cifar10h_entropy(probs: np.ndarray) -> np.ndarray:
    """Human predictive entropy (bits) per CIFAR-10 test image from CIFAR-10H soft labels
    (10000, 10), row i = test image i in torchvision's order: H = -Σ p log2(min(p + 1e-11, 1)).
    Index the result with an ImageSet's ``indices`` (not loader positions: upstream's bug)."""
    probs = np.asarray(probs, dtype=np.float64)
    return -(probs * np.log2(np.minimum(probs + 1e-11, 1))).sum(1)


def load_cifar10h(root: str | Path | None = None, download: bool = True) -> np.ndarray:
    """CIFAR-10H probabilities (10000, 10) from ``<data>/cifar10h/cifar10h-probs.npy``, downloaded
    on first use. No published checksum exists, so the file is validated by content (shape, rows
    summing to 1) and its SHA-256 is recorded beside it on first use and verified on every later
    load (trust on first use)."""
    folder = Path(root) if root is not None else paths.data_dir() / "cifar10h"
    path, digest_path = folder / "cifar10h-probs.npy", folder / "cifar10h-probs.npy.sha256"
    if not path.exists():
        if not download:
            raise FileNotFoundError(f"{path} is missing; download it from {CIFAR10H_URL}")
        try:
            with urllib.request.urlopen(CIFAR10H_URL, timeout=60) as response:
                payload = response.read()
        except OSError as err:
            raise FileNotFoundError(f"could not download CIFAR-10H from {CIFAR10H_URL} ({err}); "
                                    f"place cifar10h-probs.npy in {folder}") from err
        atomic_write(path, lambda p: p.write_bytes(payload))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest_path.exists() and digest_path.read_text().strip() != digest:
        raise ValueError(f"{path} changed since it was first used (SHA-256 mismatch); delete it to fetch it again")
    probs = np.load(path)
    if probs.shape != (10000, 10) or not np.allclose(probs.sum(1), 1, atol=1e-4):
        raise ValueError(f"{path} is not CIFAR-10H: expected (10000, 10) probabilities, got {probs.shape}")
    if not digest_path.exists():
        atomic_write(digest_path, lambda p: p.write_text(digest + "\n"))
    return probs
