import numpy as np
import pytest
from scipy.stats import entropy

from reprlab.papers.agreement import image_stats as st


def test_entropy_of_constant_and_of_100_distinct_values():
    assert st.local_entropy(np.full((1, 10, 10), 7.0))[0] == pytest.approx(0.0, abs=1e-12)
    assert st.local_entropy(np.arange(100.0).reshape(1, 10, 10))[0] == pytest.approx(np.log2(100))


def test_entropy_equals_the_per_window_upstream_loop():
    gray = np.random.default_rng(0).integers(0, 5, (2, 13, 12)).astype(float)
    expected = []
    for image in gray:
        values = [entropy(np.unique(image[i:i + 10, j:j + 10], return_counts=True)[1], base=2)
                  for i in range(4) for j in range(3)]
        expected.append(np.mean(values))
    assert st.local_entropy(gray, chunk=1) == pytest.approx(expected)


def test_entropy_of_images_sharing_a_chunk_does_not_mix():
    # images with different numbers of distinct, non-integer gray values, in one chunk and one by one
    rng = np.random.default_rng(1)
    gray = np.stack([rng.integers(0, k, (12, 14)) * 0.37 for k in (2, 9, 60)])
    expected = [np.mean([entropy(np.unique(image[i:i + 10, j:j + 10], return_counts=True)[1], base=2)
                         for i in range(3) for j in range(5)]) for image in gray]
    assert st.local_entropy(gray) == pytest.approx(expected)
    assert st.local_entropy(gray, chunk=2) == pytest.approx(expected)


def test_gray_uses_float_luma_weights():
    rgb = np.zeros((1, 3, 2, 2), np.uint8)
    rgb[0, 0] = 255
    assert st.to_gray(rgb)[0, 0, 0] == pytest.approx(0.2989 * 255)


def test_dct_percentage_of_a_constant_image_is_its_single_coefficient():
    pct, biggest = st.dct_percentage(np.full((1, 32, 32), 0.5))
    assert pct[0] == pytest.approx(100 / 1024) and biggest[0] == pytest.approx(0.5 * 32)
    upstream, _ = st.dct_percentage(np.full((1, 32, 32), 0.5), upstream_off_by_one=True)
    assert upstream[0] == 0.0
    noise = np.random.default_rng(1).normal(size=(1, 32, 32))
    smooth = np.add.outer(np.linspace(0, 1, 32), np.linspace(0, 1, 32))[None] / 2
    assert st.dct_percentage(noise)[0][0] > 80  # white noise needs most coefficients
    assert st.dct_percentage(smooth)[0][0] < 10  # a smooth ramp needs few


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_segment_count_of_k_flat_regions(k):
    image = np.zeros((1, 3, 32, 64), np.uint8)
    for j in range(k):
        image[0, :, :, j * 64 // k:] = 60 * j  # vertical stripes of distinct gray
    # sigma=0: no pre-smoothing, which otherwise turns each boundary into a thin extra segment
    assert st.segment_count(image, sigma=0.0)[0] == k


def test_edge_strength_is_zero_on_flat_images_and_grows_with_contrast():
    flat = np.full((1, 16, 16), 0.3)
    step = np.zeros((2, 16, 16))
    step[0, :, 8:], step[1, :, 8:] = 0.5, 1.0
    assert st.edge_strength(flat)[0] == pytest.approx(0.0)
    strengths = st.edge_strength(step)
    assert strengths[1] == pytest.approx(2 * strengths[0]) and strengths[0] > 0
    # each image on its own gives the same values: images never leak into each other
    assert st.edge_strength(step[1:])[0] == pytest.approx(strengths[1])


def test_cache_computes_only_missing_examples(tmp_path):
    images = np.random.default_rng(2).integers(0, 256, (6, 1, 12, 12), dtype=np.uint8)
    cache = tmp_path / "stats.csv"
    first = st.cached_image_statistics(images[:4], np.arange(10, 14), cache)
    both = st.cached_image_statistics(images[2:], np.arange(12, 16), cache)
    assert list(both.index) == [12, 13, 14, 15]
    assert both.loc[12, "entropy"] == pytest.approx(first.loc[12, "entropy"])
    direct = st.image_statistics(images[2:], np.arange(12, 16))
    assert np.allclose(both.to_numpy(), direct.to_numpy())


def test_dct_percentage_of_constant_images_as_upstream():
    zero, grey = np.zeros((1, 32, 32)), np.full((1, 32, 32), 0.5)
    assert st.dct_percentage(grey)[0][0] == pytest.approx(100 / 1024)  # the DC coefficient alone
    assert st.dct_percentage(zero)[0][0] == 0  # nothing to keep
    # upstream reports (n - 1) / HW with n >= 1: 0 for both, never negative
    assert st.dct_percentage(grey, upstream_off_by_one=True)[0][0] == 0
    assert st.dct_percentage(zero, upstream_off_by_one=True)[0][0] == 0


@pytest.mark.parametrize("damage", ["row cut in the middle", "garbage", "old header", "other images"])
def test_a_damaged_cache_is_named_and_never_changes_the_statistics(tmp_path, damage):
    images = np.random.default_rng(3).integers(0, 256, (5, 1, 12, 12), dtype=np.uint8)
    indices = np.arange(20, 25)
    cache = tmp_path / "stats.csv"
    expected = st.cached_image_statistics(images, indices, cache, warn=lambda _: None)
    text = cache.read_text()
    if damage == "row cut in the middle":
        cache.write_text(text[: len(text) - 30])  # the last row loses its digest and part of its numbers
    elif damage == "garbage":
        cache.write_bytes(b"\x89\xff\x00garbage\n" * 3)
    elif damage == "old header":  # as written before the image digests
        cache.write_text("\n".join(line.rsplit(",", 1)[0] for line in text.splitlines()) + "\n")
    else:
        images = images.copy()
        images[1] = 255 - images[1]
        expected = st.image_statistics(images, indices)
    warnings = []
    again = st.cached_image_statistics(images, indices, cache, warn=warnings.append)
    assert len(warnings) == 1 and str(cache) in warnings[0], warnings
    np.testing.assert_allclose(again.to_numpy(), expected.to_numpy())
    assert st.read_cache(cache).notna().all().all()  # the cache was rebuilt whole
    silent = []
    st.cached_image_statistics(images, indices, cache, warn=silent.append)
    assert silent == []


def test_entropy_equals_scikit_images_rank_entropy_over_the_valid_windows():
    """A peer: ``skimage.filters.rank.entropy`` with a 10 x 10 footprint (centred at offset 5)
    gives each window's entropy in bits; their mean over the windows inside the image is ours."""
    from skimage.filters.rank import entropy as rank_entropy

    rng = np.random.default_rng(0)
    images = (rng.integers(0, 12, (3, 1, 28, 28)) * 20).astype(np.uint8)  # few values: windows repeat them
    ours = st.local_entropy(st.to_gray(images))
    for image, value in zip(images[:, 0], ours, strict=True):
        per_window = rank_entropy(image, np.ones((10, 10), dtype=np.uint8))[5:24, 5:24]  # the 19 x 19 inside
        assert value == pytest.approx(per_window.mean(), rel=1e-12)
