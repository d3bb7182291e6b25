"""HARS: the high-frequency-aligned, low-frequency-shuffled training set of the frequency-bias
paper. Every image keeps its high frequencies and its label, and takes the low frequencies of a
donor of another class; every image donates exactly once."""

import numpy as np
import torch

from reprlab.papers.frequency.spectra import centred_spectrum, disk_mask, from_masked_spectrum, to_uint8_per_channel


def assign_donors(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """A permutation ``donors`` of 0..N-1 with ``labels[donors[i]] != labels[i]`` for every i:
    each image receives from, and donates to, exactly one image of another class. Seeded and always
    terminating (upstream's rejection loop hangs on about one seed in five): the examples are
    shuffled within their class, the classes laid out in a random order, and each example takes the
    one m places further on (m = the largest class size), which is of another class whenever no
    class holds more than half of the examples. Otherwise no assignment exists: ``ValueError``."""
    labels = np.asarray(labels)
    n = len(labels)
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2:
        raise ValueError(f"labels hold a single class ({classes.tolist()}); HARS needs donors of another class")
    largest = int(counts.max())
    if 2 * largest > n:
        big = classes[counts.argmax()]
        raise ValueError(f"labels: class {big} has {largest} of {n} examples, more than half, so some of them "
                         "cannot get a donor of another class")
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(np.flatnonzero(labels == c)) for c in rng.permutation(classes)])
    donors = np.empty(n, dtype=np.int64)
    donors[order] = np.roll(order, -largest)
    return donors


def hars_mix(images: np.ndarray, labels: np.ndarray, radius: float = 12, seed: int = 0, chunk: int = 2048
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mix uint8 images (N, H, W, C): image i keeps the frequencies at distance >= ``radius`` from
    the spectrum's centre and takes the lower ones from ``donors[i]`` (:func:`assign_donors`), per
    channel; inverse FFT, real part, per-channel min-max, floor(x · 255) as upstream. Returns
    (mixed uint8 (N, H, W, C), labels (the high-frequency source's, unchanged), donors (N,)),
    ``chunk`` images at a time."""
    labels, images = np.asarray(labels), np.asarray(images)
    donors = assign_donors(labels, seed)
    low = disk_mask(images.shape[1], images.shape[2], radius, torch.device("cpu"))
    mixed = np.empty_like(images)
    # in chunks: the complex128 spectra of a whole CIFAR training split take over 10 GiB
    for start in range(0, len(images), chunk):
        rows = slice(start, start + chunk)
        own, donor = (centred_spectrum(torch.as_tensor(x).permute(0, 3, 1, 2).double())
                      for x in (images[rows], images[donors[rows]]))
        mixed[rows] = to_uint8_per_channel(from_masked_spectrum(donor * low + own * ~low)).permute(0, 2, 3, 1).numpy()
    return mixed, labels.copy(), donors
