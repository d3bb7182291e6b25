import numpy as np
import pytest
import torch

from reprlab.data import corrupt_labels, keep_level, load_splits, train_val_split


def test_train_val_split_is_a_seeded_partition():
    train, val = train_val_split(100, 20, seed=3)
    assert len(val) == 20 and len(train) == 80
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(100))
    again, _ = train_val_split(100, 20, seed=3)
    other, _ = train_val_split(100, 20, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)
    assert len(train_val_split(100, 0.25, seed=0)[1]) == 25


def test_level_keeps_that_percentage_of_the_given_positions():
    positions = np.arange(10, 210)  # 200 training positions (e.g. after the validation split)
    targets = np.repeat(np.arange(4), 60)[:210]
    kept = keep_level(positions, targets, 10, seed=0)
    assert len(kept) == 20 and set(kept) <= set(positions)
    assert np.array_equal(kept, keep_level(positions, targets, 10, seed=0))
    assert np.array_equal(keep_level(positions, targets, 100, seed=0), positions)


def test_stratified_level_keeps_every_class_proportion():
    targets = np.array([0] * 100 + [1] * 50 + [2] * 10)
    kept = keep_level(np.arange(160), targets, 20, seed=1, stratified=True)
    assert np.bincount(targets[kept]).tolist() == [20, 10, 2]
    rare = keep_level(np.arange(160), targets, 1, seed=1, stratified=True)
    assert np.bincount(targets[rare]).tolist() == [1, 1, 1]  # at least one per class


@pytest.mark.parametrize("level", [0, -5, 100.5])
def test_level_out_of_range_names_the_parameter(level):
    with pytest.raises(ValueError, match="level="):
        keep_level(np.arange(10), np.zeros(10), level, seed=0)


def test_corruption_flips_exactly_the_ratio_to_other_classes():
    targets = torch.arange(1000) % 10
    noisy, mask = corrupt_labels(targets, 0.4, 10, seed=7)
    assert int(mask.sum()) == 400
    assert bool((noisy[mask] != targets[mask]).all()) and bool((noisy[~mask] == targets[~mask]).all())
    assert int(noisy.max()) < 10 and int(noisy.min()) >= 0
    assert torch.equal(noisy, corrupt_labels(targets, 0.4, 10, seed=7)[0])


def test_corruption_upstream_mode_may_keep_the_true_label():
    targets = torch.arange(20000) % 10
    noisy, mask = corrupt_labels(targets, 0.5, 10, seed=0, include_true=True)
    wrong = float((noisy != targets).float().mean())
    assert int(mask.sum()) == 10000
    assert wrong == pytest.approx(0.5 * 0.9, abs=0.01)  # effective rate ratio * (1 - 1/K)


def test_load_splits_corrupts_only_training_labels():
    clean = load_splits("digits", val_size=100, split_seed=0)
    noisy = load_splits("digits", val_size=100, split_seed=0, corruption=0.3, corruption_seed=1)
    assert torch.equal(clean.train.indices, noisy.train.indices)
    assert float((clean.train.targets != noisy.train.targets).float().mean()) == pytest.approx(0.3, abs=0.002)
    assert torch.equal(clean.val.targets, noisy.val.targets) and torch.equal(clean.test.targets, noisy.test.targets)
    assert len(clean.val) == 100 and not set(clean.val.indices.tolist()) & set(clean.train.indices.tolist())


def test_load_splits_level_and_subset():
    half = load_splits("digits", level=50, split_seed=0)
    full = load_splits("digits", split_seed=0)
    assert len(half.train) == round(len(full.train) / 2)
    assert set(half.train.indices.tolist()) <= set(full.train.indices.tolist())
    small = load_splits("digits", subset=200, split_seed=0)
    assert len(small.train) == pytest.approx(200, abs=5) and len(small.test) == len(full.test)


@pytest.mark.parametrize(("level_of", "expected"), [("train", 0.25 * 1147), ("all", 0.25 * 1347), ("all", None)])
def test_level_of_all_counts_the_percentage_of_the_whole_training_split(level_of, expected):
    """digits: 1347 training images, 200 of them held out; ``level_of="all"`` keeps as many images
    as ``level`` percent of all 1347 (upstream), capped at the 1147 left for training."""
    level = 25.0 if expected else 90.0
    splits = load_splits("digits", val_size=200, split_seed=7, level=level, level_of=level_of)
    assert len(splits.train) == (round(expected) if expected else 1147) and len(splits.val) == 200
    with pytest.raises(ValueError, match=r"level_of='val'; allowed values: train, all"):
        load_splits("digits", level_of="val")
