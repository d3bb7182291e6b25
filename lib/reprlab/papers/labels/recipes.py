"""The deterministic label recipes of "Beyond Categorical Label Representations" (Chen et al.,
ICLR 2021): uniform, random, lowdim, composite, shuffle; and label statistics. Every bank is float32
(K, ...) with row i the label of class i. Seeded recipes draw from their own generator
(``np.random.RandomState(seed)``, the same stream as upstream's ``np.random.seed``) and leave the
caller's global RNG alone.
"""

import random

import numpy as np
from PIL import Image
from skimage.measure import shannon_entropy


def uniform_labels(num_classes: int, size: int = 64) -> np.ndarray:
    """Constant matrices: class i is filled with i * 80 / (K - 1). (K, size, size) in [0, 80]."""
    values = np.arange(num_classes) * 80.0 / (num_classes - 1)
    return np.broadcast_to(values[:, None, None], (num_classes, size, size)).astype(np.float32)


def random_labels(num_classes: int, size: int = 64, seed: int = 48) -> np.ndarray:
    """``np.random.seed(48); np.random.uniform(0, 80, (K, 64, 64))`` (the seed recovered from the
    stored upstream arrays). (K, size, size) in [0, 80)."""
    return np.random.RandomState(seed).uniform(0, 80, (num_classes, size, size)).astype(np.float32)


def lowdim_labels(num_classes: int, seed: int = 48) -> np.ndarray:
    """``np.random.seed(48); np.random.uniform(0, 80, (K, K))``: a K-dimensional label per class (for
    K = 10 exactly upstream's file; upstream has none for CIFAR-100). (K, K) in [0, 80)."""
    return np.random.RandomState(seed).uniform(0, 80, (num_classes, num_classes)).astype(np.float32)


def composite_labels(num_classes: int, size: int = 64, generators: int = 10, render: int = 256) -> np.ndarray:
    """Sums of ``generators`` anisotropic Gaussians (imagen ``Composite`` of ``Gaussian(size=0.15,
    aspect_ratio=1/0.31)``) re-derived in numpy: generator i draws x, y and orientation from
    ``random.Random`` streams seeded i+1, i+2, i+3 (imagen reads x and y twice per pattern). Each
    pattern is rendered at 256x256 on [-0.5, 0.5]², min-max scaled to 0..255, resized to 64x64 with
    nearest-neighbour sampling and mapped to [0, 80]. (K, size, size); upstream's first 100 patterns."""
    streams = [[random.Random(i + 1), random.Random(i + 2), random.Random(i + 3)] for i in range(generators)]
    xs = -0.5 + (np.arange(render) + 0.5) / render
    ys = 0.5 - (np.arange(render) + 0.5) / render
    grid_x, grid_y = np.meshgrid(xs, ys)
    sigma_y = 0.075
    sigma_x = sigma_y / 0.31
    bank = np.empty((num_classes, size, size), np.float32)
    for label in range(num_classes):
        pattern = np.zeros((render, render))
        for rx, ry, rt in streams:
            x0 = rx.random() - 0.5
            rx.random()  # imagen reads x twice per call; the second value is unused
            ry.random()
            y0 = ry.random() - 0.5
            theta = np.pi * rt.random()
            px = np.sin(theta) * (grid_y - y0) + np.cos(theta) * (grid_x - x0)
            py = np.cos(theta) * (grid_y - y0) - np.sin(theta) * (grid_x - x0)
            pattern += np.exp(-0.5 * (px / sigma_x) ** 2 - 0.5 * (py / sigma_y) ** 2)
        scaled = (pattern - pattern.min()) / (pattern.max() - pattern.min()) * 255
        small = np.asarray(Image.fromarray(scaled.astype(np.float32), mode="F").resize((size, size), Image.NEAREST))
        bank[label] = small / 255 * 80
    return bank


def shuffle_labels(speech: np.ndarray, seed: int = 8) -> np.ndarray:
    """Shuffled speech: ``np.random.seed(8)`` once, then per class a random non-identity permutation
    of the time columns of that class's mel spectrogram. speech: (K, mels, frames)."""
    rng = np.random.RandomState(seed)
    out = np.empty_like(speech)
    for k, mel in enumerate(speech):
        order = np.arange(mel.shape[1])
        while (order == np.arange(mel.shape[1])).all():
            order = rng.permutation(mel.shape[1])
        out[k] = mel[:, order]
    return out


def label_statistics(bank: np.ndarray) -> dict[str, float]:
    """Mean Shannon entropy (bits, ``skimage.measure.shannon_entropy``) of the labels and their mean
    pairwise L1 distance (mean |a - b| over elements, over pairs i < j) after a global min-max
    scaling to [0, 1], as upstream's ``get_distances.py``."""
    bank = np.asarray(bank, np.float64)
    flat = bank.reshape(len(bank), -1)
    scaled = (flat - flat.min()) / max(flat.max() - flat.min(), 1e-12)
    rows, cols = np.triu_indices(len(bank), k=1)
    distance = np.mean([np.abs(scaled[i] - scaled[j]).mean() for i, j in zip(rows, cols, strict=True)])
    return {"entropy": float(np.mean([shannon_entropy(label) for label in bank])), "distance": float(distance)}
