import numpy as np
import pytest
from scipy.stats import entropy

from reprlab.data.cifar10h import cifar10h_entropy, load_cifar10h


def test_cifar10h_alignment_by_example_index(tmp_path):
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(10) * 0.3, size=10000)
    folder = tmp_path / "cifar10h"
    folder.mkdir()
    np.save(folder / "cifar10h-probs.npy", probs)
    loaded = load_cifar10h(folder, download=False)
    entropies = cifar10h_entropy(loaded)
    indices = np.array([9999, 0, 4321])  # a shuffled subset: rows follow the example index
    for i in indices:
        assert entropies[i] == pytest.approx(entropy(probs[i], base=2), abs=1e-6)
    assert (folder / "cifar10h-probs.npy.sha256").exists()
    np.save(folder / "cifar10h-probs.npy", np.roll(probs, 1, axis=0))
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        load_cifar10h(folder, download=False)
    with pytest.raises(FileNotFoundError, match=r"cifar10h-probs\.npy is missing"):
        load_cifar10h(tmp_path / "empty", download=False)
