import numpy as np
import pytest

from reprlab.papers.labels import recipes

# label statistics of the stored upstream files (spec §1): (mean pairwise distance, entropy)
UPSTREAM_STATS = {
    ("uniform", 10): (0.407, 0.00), ("uniform", 100): (0.340, 0.00),
    ("random", 10): (0.334, 12.00), ("random", 100): (0.334, 12.00),
    ("lowdim", 10): (0.341, 3.32),
    ("composite", 10): (0.244, 12.00), ("composite", 100): (0.256, 12.00),
}
RECIPES = {"uniform": recipes.uniform_labels, "random": recipes.random_labels, "lowdim": recipes.lowdim_labels,
           "composite": recipes.composite_labels}


@pytest.mark.parametrize(("kind", "k"), list(UPSTREAM_STATS))
def test_recipes_reproduce_the_upstream_label_statistics(kind, k):
    bank = RECIPES[kind](k)
    stats = recipes.label_statistics(bank)
    distance, entropy = UPSTREAM_STATS[(kind, k)]
    assert stats["distance"] == pytest.approx(distance, abs=0.0015)
    assert stats["entropy"] == pytest.approx(entropy, abs=0.005)


def test_shapes_ranges_and_seeds():
    uniform = recipes.uniform_labels(10)
    assert uniform.shape == (10, 64, 64) and uniform.dtype == np.float32
    assert uniform[:, 0, 0].tolist() == pytest.approx([i * 80 / 9 for i in range(10)])
    random10, random100 = recipes.random_labels(10), recipes.random_labels(100)
    assert np.array_equal(random10, random100[:10])  # CIFAR-10 = CIFAR-100[:10]
    assert 0 <= random100.min() and random100.max() <= 80  # [0, 80) in float64, rounded to float32
    lowdim = recipes.lowdim_labels(10)
    assert lowdim.shape == (10, 10) and np.array_equal(lowdim[0], random10[0, 0, :10])  # the same stream
    assert recipes.lowdim_labels(100).shape == (100, 100)
    composite = recipes.composite_labels(12)
    assert composite.shape == (12, 64, 64) and 0 <= composite.min() < 1 and composite.max() <= 80 + 1e-4
    assert np.array_equal(composite[:10], recipes.composite_labels(10))


def test_shuffle_permutes_time_columns_and_never_keeps_the_order():
    speech = np.random.default_rng(0).normal(size=(5, 64, 64)).astype(np.float32)
    shuffled = recipes.shuffle_labels(speech)
    for original, permuted in zip(speech, shuffled, strict=True):
        assert not np.array_equal(original, permuted)
        assert sorted(map(tuple, permuted.T)) == sorted(map(tuple, original.T))
    assert np.array_equal(shuffled, recipes.shuffle_labels(speech))
