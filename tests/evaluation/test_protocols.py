import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from reprlab.evaluation import accuracy, encode, knn_accuracy, linear_probe_accuracy


def _blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[4.0, 0, 0, 0], [0, 4.0, 0, 0], [0, 0, 4.0, 0]])
    return (centres[y] + rng.normal(size=(n, 4))).astype(np.float32), y


def test_accuracy_counts_matches_on_arrays_and_tensors_and_refuses_a_shape_mismatch():
    assert accuracy(np.array([1, 2, 3, 4]), torch.tensor([1, 0, 3, 0])) == 0.5
    assert np.isnan(accuracy([], []))
    with pytest.raises(ValueError, match="differ in shape"):
        accuracy(np.zeros(3), np.zeros(4))


def test_probe_and_majority_knn_equal_scikit_learns_on_the_same_features():
    train_x, train_y = _blobs(seed=0)
    test_x, test_y = _blobs(seed=1)
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
    expected = (reference.fit(train_x, train_y).predict(test_x) == test_y).mean()
    assert linear_probe_accuracy(torch.from_numpy(train_x), train_y, test_x, test_y) == expected > 0.9
    # cosine majority kNN = scikit-learn's brute-force kNN on unit vectors (no ties at k = 5 here)
    unit = lambda x: x / np.linalg.norm(x, axis=1, keepdims=True)  # noqa: E731
    knn = KNeighborsClassifier(5, algorithm="brute").fit(unit(train_x), train_y)
    expected = (knn.predict(unit(test_x)) == test_y).mean()
    assert knn_accuracy(train_x, train_y, test_x, test_y, k=5, temperature=0) == expected


def test_encode_runs_in_batches_in_eval_mode_and_restores_training_mode():
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 2)).train()
    x = torch.randn(10, 4)
    features = encode(model, x, batch_size=3)
    assert model.training and features.shape == (10, 2) and features.dtype == torch.float32
    torch.testing.assert_close(features, model.eval()(x).detach())  # no dropout: eval mode
