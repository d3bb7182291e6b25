"""Per-image statistics of "When Deep Classifiers Agree", vectorised over whole datasets.

Images are uint8 (N, C, H, W). Gray is 0.2989 R + 0.5870 G + 0.1140 B (as float, not
re-quantised), or the single channel.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.fft
import scipy.ndimage
from numpy.lib.stride_tricks import sliding_window_view
from skimage.segmentation import felzenszwalb

from reprlab.io import atomic_write

GRAY_WEIGHTS = np.array([0.2989, 0.5870, 0.1140])


def to_gray(images: np.ndarray) -> np.ndarray:
    """uint8 (N, C, H, W) -> float64 gray (N, H, W) in uint8 units [0, 255]."""
    images = np.asarray(images, dtype=np.float64)
    return images[:, 0] if images.shape[1] == 1 else np.einsum("nchw,c->nhw", images, GRAY_WEIGHTS)


def local_entropy(gray: np.ndarray, window: int = 10, chunk: int = 256) -> np.ndarray:
    """Mean over all valid ``window`` x ``window`` windows (stride 1) of the Shannon entropy (bits)
    of the window's distinct gray values (upstream ``img_entropy``). gray: (N, H, W) -> (N,).

    Per window, H = log2(w²) - (1/w²) Σ_values c log2 c, and Σ_values c log2 c equals the sum over
    the window's pixels of log2(length of the run of equal values it sits in, once sorted).
    """
    out = np.empty(len(gray))
    size = window * window
    for start in range(0, len(gray), chunk):
        windows = sliding_window_view(gray[start:start + chunk], (window, window), axis=(1, 2))
        values = np.sort(windows.reshape(*windows.shape[:3], size), axis=-1)  # (n, h', w', size)
        new_run = np.ones(values.shape, dtype=bool)
        new_run[..., 1:] = values[..., 1:] != values[..., :-1]
        position = np.arange(size)
        run_start = np.maximum.accumulate(np.where(new_run, position, 0), axis=-1)
        run_end = np.flip(np.minimum.accumulate(np.flip(
            np.where(np.roll(new_run, -1, axis=-1) | (position == size - 1), position, size), -1), axis=-1), -1)
        run_length = run_end - run_start + 1
        entropy = np.log2(size) - np.log2(run_length).sum(-1) / size
        out[start:start + chunk] = entropy.mean(axis=(1, 2))
    return out


def dct_percentage(gray01: np.ndarray, ratio: float = 0.9998, upstream_off_by_one: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Percentage of 2-D DCT-II (orthonormal) coefficients needed to keep ``ratio`` of the L2 norm:
    the smallest n with ‖top-n |c|‖₂ / ‖c‖₂ >= ratio, reported as 100 n / (H W) (upstream reports
    100 (n - 1) / (H W); ``upstream_off_by_one=True`` reproduces that). gray01: (N, H, W) in [0, 1].
    Returns (percentage (N,), largest |coefficient| (N,)). An all-zero image needs 0 coefficients.
    """
    coefs = np.abs(scipy.fft.dctn(gray01, type=2, norm="ortho", axes=(1, 2))).reshape(len(gray01), -1)
    energy = np.cumsum(np.sort(coefs, axis=1)[:, ::-1] ** 2, axis=1)
    total = energy[:, -1:]
    needed = (np.sqrt(energy) < ratio * np.sqrt(total)).sum(1) + 1  # smallest n reaching the ratio
    needed = np.where(total[:, 0] > 0, needed, 0)
    if upstream_off_by_one:  # upstream counts from 1 (the largest alone), even for an all-zero image
        needed = np.maximum(needed, 1) - 1
    return 100.0 * needed / coefs.shape[1], coefs.max(1)


def segment_count(images: np.ndarray, scale: float = 500, sigma: float = 0.5, min_size: int = 20) -> np.ndarray:
    """Number of Felzenszwalb-Huttenlocher segments per image (scikit-image, upstream's
    ``segment 0.5 500 20``). images: uint8 (N, C, H, W) -> (N,) int."""
    counts = np.empty(len(images), dtype=np.int64)
    for i, image in enumerate(np.asarray(images)):
        hwc = np.moveaxis(image, 0, -1)
        labels = felzenszwalb(hwc if hwc.shape[-1] == 3 else hwc[..., 0], scale=scale, sigma=sigma,
                              min_size=min_size, channel_axis=-1 if hwc.shape[-1] == 3 else None)
        counts[i] = len(np.unique(labels))
    return counts


def edge_strength(gray01: np.ndarray) -> np.ndarray:
    """Sum of Sobel gradient magnitudes per image. A stated deviation: upstream used MATLAB
    crisp-boundaries, which has no Python port. gray01: (N, H, W) -> (N,)."""
    # Sobel = derivative along one spatial axis, [1, 2, 1] smoothing along the other; never along
    # the batch axis (scipy.ndimage.sobel would smooth across neighbouring images).
    derivative, smooth = [-1.0, 0.0, 1.0], [1.0, 2.0, 1.0]
    filt = scipy.ndimage.correlate1d
    gx = filt(filt(gray01, derivative, axis=2, mode="reflect"), smooth, axis=1, mode="reflect")
    gy = filt(filt(gray01, derivative, axis=1, mode="reflect"), smooth, axis=2, mode="reflect")
    return np.hypot(gx, gy).sum(axis=(1, 2))


def image_statistics(images: np.ndarray, indices: np.ndarray) -> pd.DataFrame:
    """Every statistic for uint8 images (N, C, H, W), one row per example index."""
    gray = to_gray(images)  # upstream's entropy works on floor(x * 255): the uint8 values themselves
    pct, biggest = dct_percentage(gray / 255.0)
    return pd.DataFrame({"entropy": local_entropy(gray), "dct_percentage": pct, "dct_biggest": biggest,
                         "segments": segment_count(images), "edge_strength": edge_strength(gray / 255.0)},
                        index=pd.Index(np.asarray(indices), name="index"))


def cached_image_statistics(images: np.ndarray, indices: np.ndarray, cache: str | Path) -> pd.DataFrame:
    """:func:`image_statistics` cached in a CSV (e.g. ``data/cache/fashionmnist_train.csv``) keyed
    by example index; only examples missing from the cache are computed."""
    cache = Path(cache)
    known = pd.read_csv(cache, index_col="index") if cache.exists() else None
    indices = np.asarray(indices)
    missing = indices if known is None else indices[~np.isin(indices, known.index)]
    if len(missing):
        order = {idx: i for i, idx in enumerate(indices)}
        fresh = image_statistics(np.asarray(images)[[order[i] for i in missing]], missing)
        known = fresh if known is None else pd.concat([known, fresh]).sort_index()
        atomic_write(cache, lambda p: known.to_csv(p))
    return known.loc[indices]
