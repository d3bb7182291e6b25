"""Seeded train/validation splits, reduced-data ``level`` and label corruption.

All randomness comes from ``numpy.random.default_rng(seed)`` so a split depends only on its
arguments, never on global RNG state.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from reprlab.data.datasets import ImageSet, load_dataset


def train_val_split(n: int, val_size: int | float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split positions ``0..n-1`` into (train, validation).

    val_size: a count (int) or a fraction of ``n`` in [0, 1) (float).
    """
    n_val = round(val_size * n) if isinstance(val_size, float) else int(val_size)
    if not 0 <= n_val < n:
        raise ValueError(f"val_size={val_size!r} must leave at least one training example out of {n}")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def keep_level(positions: np.ndarray, targets: np.ndarray, level: float, seed: int,
               stratified: bool = False) -> np.ndarray:
    """Keep ``level`` percent of ``positions`` (0 < level <= 100), at least one example.

    With ``stratified`` every class keeps ``level`` percent of its own examples (at least one),
    so class proportions are preserved. Returns sorted positions.
    """
    if not 0 < level <= 100:
        raise ValueError(f"level={level!r} must be a percentage in (0, 100]")
    positions = np.asarray(positions)
    if level == 100:
        return np.sort(positions)
    rng = np.random.default_rng(seed)
    if not stratified:
        n_keep = max(1, round(len(positions) * level / 100))
        return np.sort(rng.permutation(positions)[:n_keep])
    targets = np.asarray(targets)[positions]
    kept = []
    for c in np.unique(targets):
        members = positions[targets == c]
        n_keep = max(1, round(len(members) * level / 100))
        kept.append(rng.permutation(members)[:n_keep])
    return np.sort(np.concatenate(kept))


def corrupt_labels(targets: torch.Tensor | np.ndarray, ratio: float, num_classes: int, seed: int,
                   include_true: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric label noise: ``int(N * ratio)`` examples, chosen without replacement, get a new
    label drawn uniformly.

    By default the new label is drawn from the *other* K-1 classes, so exactly a fraction ``ratio``
    of labels is wrong. ``include_true=True`` draws from all K classes as the MCR2 upstream
    (``default_corrupt``) does, which leaves the true label in place with probability 1/K
    (an effective noise rate of ``ratio * (1 - 1/K)``).

    Returns (new targets (N,) int64, mask (N,) bool of the examples that were resampled).
    """
    if not 0 <= ratio <= 1:
        raise ValueError(f"ratio={ratio!r} must be in [0, 1]")
    targets = torch.as_tensor(np.asarray(targets), dtype=torch.long)
    rng = np.random.default_rng(seed)
    n = len(targets)
    chosen = rng.choice(n, size=int(n * ratio), replace=False)
    new = targets.clone()
    if include_true:
        new[chosen] = torch.from_numpy(rng.integers(0, num_classes, size=len(chosen))).long()
    else:
        shift = torch.from_numpy(rng.integers(1, num_classes, size=len(chosen))).long()
        new[chosen] = (targets[chosen] + shift) % num_classes
    mask = torch.zeros(n, dtype=torch.bool)
    mask[chosen] = True
    return new, mask


@dataclass
class Splits:
    """Train / validation / test :class:`ImageSet` s of one dataset (validation may be empty)."""

    train: ImageSet
    val: ImageSet
    test: ImageSet

    def as_dict(self) -> dict[str, ImageSet]:
        return {"train": self.train, "val": self.val, "test": self.test}


def load_splits(dataset: str, *, val_size: int | float = 0, split_seed: int = 0, level: float = 100,
                stratified: bool = False, corruption: float = 0.0, corruption_seed: int = 0,
                corruption_include_true: bool = False, subset: int = 0, level_of: str = "train",
                root: str | Path | None = None) -> Splits:
    """The three splits used by every experiment.

    The training split is divided into train/validation (``val_size``, ``split_seed``); then the
    training part keeps ``level`` percent of itself (``level_of="train"``) or as many images as
    ``level`` percent of the whole training split (``level_of="all"``, upstream "Beyond categorical
    labels"; capped at the training part), ``stratified`` optional; then its labels are corrupted
    (``corruption`` ratio, ``corruption_seed``). Validation and test labels stay clean.
    ``subset > 0`` first keeps a seeded, class-stratified ``subset`` of the training split (for
    quick runs on a real data subset); the test split always stays whole.
    """
    if level_of not in ("train", "all"):
        raise ValueError(f"level_of={level_of!r}; allowed values: train, all")
    full_train = load_dataset(dataset, "train", root)
    test = load_dataset(dataset, "test", root)
    if subset:
        full_train = stratified_subset(full_train, subset, split_seed)
    train_pos, val_pos = train_val_split(len(full_train), val_size, split_seed)
    if level_of == "all":
        level = min(100.0, level * len(full_train) / len(train_pos))
    train_pos = keep_level(train_pos, full_train.targets.numpy(), level, split_seed, stratified)
    train, val = full_train.subset(train_pos), full_train.subset(val_pos)
    if corruption > 0:
        noisy, _ = corrupt_labels(train.targets, corruption, train.num_classes, corruption_seed,
                                  corruption_include_true)
        train = train.with_targets(noisy)
    return Splits(train, val, test)


def stratified_subset(data: ImageSet, size: int, seed: int) -> ImageSet:
    """A seeded, class-stratified subset of about ``size`` examples (all of them if fewer)."""
    if size >= len(data):
        return data
    level = 100 * size / len(data)
    return data.subset(keep_level(np.arange(len(data)), data.targets.numpy(), level, seed, stratified=True))
