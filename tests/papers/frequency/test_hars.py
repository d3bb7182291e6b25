import numpy as np
import pytest
import torch

from reprlab.papers.frequency.hars import assign_donors, hars_mix
from reprlab.papers.frequency.spectra import centred_spectrum, disk_mask


@pytest.mark.parametrize("seed", range(10))
def test_every_image_gets_a_donor_of_another_class_and_donates_once(seed):
    labels = np.random.default_rng(seed).integers(0, 10, 500)
    donors = assign_donors(labels, seed)
    assert sorted(donors.tolist()) == list(range(500))  # a permutation: each donates exactly once
    assert (labels[donors] != labels).all()
    assert not np.array_equal(donors, assign_donors(labels, seed + 1))  # seeded


def test_skewed_labels_terminate_or_say_why():
    skewed = np.array([0] * 50 + [1] * 30 + [2] * 20)  # exactly half in one class: still possible
    donors = assign_donors(skewed, 3)
    assert (skewed[donors] != skewed).all()
    with pytest.raises(ValueError, match="class 0 has 51 of 100 examples, more than half"):
        assign_donors(np.array([0] * 51 + [1] * 49))
    with pytest.raises(ValueError, match="single class"):
        assign_donors(np.zeros(10, int))


def test_mixed_images_keep_their_high_frequencies_and_take_the_donors_low_ones():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(40) % 4
    mixed, mixed_labels, donors = hars_mix(images, labels, radius=12, seed=1)
    assert mixed.dtype == np.uint8 and mixed.shape == images.shape
    assert np.array_equal(mixed_labels, labels) and (labels[donors] != labels).all()
    spectrum = centred_spectrum(torch.as_tensor(images).permute(0, 3, 1, 2).double())
    out = centred_spectrum(torch.as_tensor(mixed).permute(0, 3, 1, 2).double())
    low = disk_mask(32, 32, 12)
    high_corr = torch.nn.functional.cosine_similarity((out * ~low).abs().flatten(1), (spectrum * ~low).abs().flatten(1))
    donor_corr = torch.nn.functional.cosine_similarity(
        (out * low)[:, :, 1:].abs().flatten(1), (spectrum[torch.as_tensor(donors)] * low)[:, :, 1:].abs().flatten(1))
    assert high_corr.min() > 0.95 and donor_corr.min() > 0.95


def test_mixing_in_chunks_gives_the_same_images_as_in_one_go():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (11, 8, 8, 3), dtype=np.uint8)
    labels = np.arange(11) % 3
    whole, _, donors = hars_mix(images, labels, radius=2.5, seed=1, chunk=100)
    chunked, _, same_donors = hars_mix(images, labels, radius=2.5, seed=1, chunk=4)
    np.testing.assert_array_equal(whole, chunked)
    np.testing.assert_array_equal(donors, same_donors)
