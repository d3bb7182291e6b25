"""Per-image statistics of "When Deep Classifiers Agree", vectorised over whole datasets.

Images are uint8 (N, C, H, W). Gray is 0.2989 R + 0.5870 G + 0.1140 B (as float, not
re-quantised), or the single channel.
"""

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.fft
import scipy.ndimage
from skimage.segmentation import felzenszwalb

from reprlab import paths
from reprlab.io import atomic_write

GRAY_WEIGHTS = np.array([0.2989, 0.5870, 0.1140])


def to_gray(images: np.ndarray) -> np.ndarray:
    """uint8 (N, C, H, W) -> float64 gray (N, H, W) in uint8 units [0, 255]."""
    images = np.asarray(images, dtype=np.float64)
    return images[:, 0] if images.shape[1] == 1 else np.einsum("nchw,c->nhw", images, GRAY_WEIGHTS)


def local_entropy(gray: np.ndarray, window: int = 10, chunk: int = 2048) -> np.ndarray:
    """Mean over all valid ``window`` x ``window`` windows (stride 1) of the Shannon entropy (bits)
    of the window's distinct gray values (upstream ``img_entropy``). gray: (N, H, W) -> (N,).

    Per window, H = log2(w²) - (1/w²) Σ_values c log2 c. Each image's gray values become ranks
    among its distinct values, and a histogram of them slides along every band of rows: moving
    right removes one column and adds the next, and Σ c log2 c changes by f(c ± 1) - f(c) for each
    pixel, so each window costs 2·``window`` updates instead of a sort (all images at once).
    """
    size = window * window
    out = np.empty(len(gray))
    for start in range(0, len(gray), chunk):
        ids, distinct = _value_ranks(gray[start:start + chunk])
        _, height, width = ids.shape
        windows = (height - window + 1) * (width - window + 1)
        out[start:start + chunk] = np.log2(size) - _summed_c_log_c(ids, distinct, window) / (size * windows)
    return out


def _summed_c_log_c(ids: np.ndarray, distinct: int, window: int) -> np.ndarray:
    """Σ over every window of Σ_values c log2 c, per image of ``ids`` (N, H, W) value ranks. The
    N histograms live in one flat array (image i's value v at i · distinct + v), so every update
    touches one entry per image with a single gather and scatter."""
    counts_range = np.arange(window * window + 1, dtype=np.float64)
    gain = np.diff(counts_range * np.log2(np.maximum(counts_range, 1)))  # f(c + 1) - f(c), f(c) = c log2 c
    n, height, width = ids.shape
    flat = (ids + (np.arange(n) * distinct)[:, None, None]).transpose(1, 2, 0).copy()  # (H, W, N)
    counts = np.zeros(n * distinct, dtype=np.int16)
    running, total = np.zeros(n), np.zeros(n)

    def add(index: np.ndarray) -> None:
        current = counts[index]
        running[:] += gain[current]
        counts[index] = current + 1

    def remove(index: np.ndarray) -> None:
        current = counts[index] - 1
        running[:] -= gain[current]
        counts[index] = current

    for top in range(height - window + 1):
        running[:] = 0
        counts[:] = 0
        for y in range(top, top + window):
            for x in range(window):
                add(flat[y, x])
        total += running
        for left in range(1, width - window + 1):
            for y in range(top, top + window):
                remove(flat[y, left - 1])
                add(flat[y, left + window - 1])
            total += running
    return total


def _value_ranks(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """Each pixel's rank among the distinct values of its own image, (N, H, W) int64, and the
    largest number of distinct values in one image."""
    flat = gray.reshape(len(gray), -1)
    order = np.argsort(flat, axis=1, kind="stable")
    ordered = np.take_along_axis(flat, order, axis=1)
    new_value = np.ones(ordered.shape, dtype=bool)
    new_value[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ranks = np.cumsum(new_value, axis=1) - 1
    ids = np.empty_like(ranks)
    np.put_along_axis(ids, order, ranks, axis=1)
    return ids.reshape(gray.shape), int(ranks[:, -1].max()) + 1


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


#: The statistics, in the order of their columns.
COLUMNS = ("entropy", "dct_percentage", "dct_biggest", "segments", "edge_strength")


def image_statistics(images: np.ndarray, indices: np.ndarray) -> pd.DataFrame:
    """Every statistic for uint8 images (N, C, H, W), one row per example index."""
    gray = to_gray(images)  # upstream's entropy works on floor(x * 255): the uint8 values themselves
    pct, biggest = dct_percentage(gray / 255.0)
    return pd.DataFrame({"entropy": local_entropy(gray), "dct_percentage": pct, "dct_biggest": biggest,
                         "segments": segment_count(images), "edge_strength": edge_strength(gray / 255.0)},
                        index=pd.Index(np.asarray(indices), name="index"))


def cache_path(dataset: str, split: str) -> Path:
    """Where the statistics of a dataset split are cached: ``<data>/cache/image_stats_<dataset>_<split>.csv``."""
    return paths.data_dir() / "cache" / f"image_stats_{dataset}_{split}.csv"


def image_hashes(images: np.ndarray) -> np.ndarray:
    """A 16-hex-digit BLAKE2b digest of each uint8 image (N, C, H, W) -> (N,) str: what a cached row
    was computed from."""
    return np.array([hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=8).hexdigest()
                     for image in np.asarray(images)])


def read_cache(cache: Path, warn: Callable[[str], None] = print) -> pd.DataFrame | None:
    """The cached rows of ``cache`` (index, :data:`COLUMNS`, then ``image``: the digest of the image
    each row was computed from), or None when there is none or it cannot be read as such a table;
    a damaged file is named through ``warn`` (it is then rebuilt, never used)."""
    if not cache.exists():
        return None
    try:
        known = pd.read_csv(cache, index_col="index", dtype={"image": str})
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:  # EmptyDataError is a ValueError
        warn(f"warning: the image-statistics cache {cache} is damaged ({type(err).__name__}: {err}); rebuilding it")
        return None
    if list(known.columns) != [*COLUMNS, "image"]:
        warn(f"warning: the image-statistics cache {cache} has columns {', '.join(map(str, known.columns))}, not "
             f"{', '.join(COLUMNS)}, image (another version wrote it); rebuilding it")
        return None
    if not known.index.is_unique:
        warn(f"warning: the image-statistics cache {cache} has an example index twice; rebuilding it")
        return None
    return known


def cached_image_statistics(images: np.ndarray, indices: np.ndarray, cache: str | Path,
                            warn: Callable[[str], None] = print) -> pd.DataFrame:
    """:func:`image_statistics` cached in a CSV (e.g. ``data/cache/image_stats_fashionmnist_train.csv``)
    keyed by example index and by the image each row was computed from (its digest, the last
    column, so a row cut anywhere no longer matches). Only complete rows of the same images are
    reused; every other example is computed and the cache rewritten atomically. A damaged cache
    is named through ``warn`` and rebuilt. Returns one row per index of ``indices``, in order."""
    cache = Path(cache)
    indices = np.asarray(indices)
    digests = pd.Series(image_hashes(images), index=indices)
    known = read_cache(cache, warn)
    usable = pd.Index([]) if known is None else _usable_rows(known, digests)
    if known is not None:
        stale = known.index.intersection(indices).difference(usable)
        if len(stale):
            warn(f"warning: {len(stale)} rows of the image-statistics cache {cache} are incomplete or were "
                 "computed from other images; computing them again")
    missing = indices[~np.isin(indices, usable)]
    if len(missing):
        order = {idx: i for i, idx in enumerate(indices)}
        fresh = image_statistics(np.asarray(images)[[order[i] for i in missing]], missing)
        fresh["image"] = digests.loc[missing].to_numpy()
        latest = read_cache(cache, lambda _: None)  # another run (a concurrent worker) may have added rows
        kept = latest[latest.notna().all(axis=1) & ~latest.index.isin(fresh.index)] if latest is not None else None
        known = fresh if kept is None or kept.empty else pd.concat([kept, fresh]).sort_index()
        atomic_write(cache, lambda p: known.to_csv(p))
    return known.loc[indices, list(COLUMNS)]


def _usable_rows(known: pd.DataFrame, digests: pd.Series) -> pd.Index:
    """Indices of ``known`` rows with every value present and the digest of today's image."""
    shared = known.index.intersection(digests.index)
    rows = known.loc[shared]
    ok = rows.notna().all(axis=1) & (rows["image"] == digests.loc[shared])
    return shared[ok.to_numpy()]
