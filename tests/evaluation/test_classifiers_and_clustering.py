import numpy as np
import pytest

from reprlab.evaluation import (
    clustering_accuracy,
    clustering_scores,
    ensc_clusters,
    kmeans_clusters,
    knn_predict,
    nearest_subspace_predict,
    svm_predict,
)


def _subspace_points(k=4, dim=3, d=12, n=40, seed=0):
    """n points per class on k mutually orthogonal dim-dimensional subspaces of R^d."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    x, y = [], []
    for j in range(k):
        basis = q[:, j * dim:(j + 1) * dim]
        x.append(rng.normal(size=(n, dim)) @ basis.T)
        y += [j] * n
    x = np.concatenate(x)
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.array(y)


def test_nearest_subspace_recovers_orthogonal_subspaces_exactly():
    x, y = _subspace_points(n=80, seed=0)
    train, test = np.arange(len(x)) % 2 == 0, np.arange(len(x)) % 2 == 1
    for centered in (False, True):
        pred = nearest_subspace_predict(x[train], y[train], x[test], n_comp=3, centered=centered)
        assert (pred == y[test]).all()


def test_ensc_clusters_points_on_subspaces_perfectly():
    x, y = _subspace_points(k=3, dim=2, d=9, n=25, seed=2)
    clusters = ensc_clusters(x, 3, gamma=50)
    assert clustering_accuracy(y, clusters) == 1.0
    assert clustering_scores(y, clusters)["nmi"] == pytest.approx(1.0)


def test_kmeans_knn_and_svm_on_separated_blobs():
    rng = np.random.default_rng(3)
    centers = np.eye(5) * 10
    y = np.repeat(np.arange(5), 30)
    x = centers[y] + rng.normal(size=(150, 5))
    assert clustering_accuracy(y, kmeans_clusters(x, 5)) == 1.0
    half = np.arange(150) % 2 == 0
    assert (knn_predict(x[half], y[half], x[~half], k=5) == y[~half]).all()
    assert (svm_predict(x[half], y[half], x[~half]) == y[~half]).all()


def test_knn_ties_go_to_the_smallest_label_and_chunking_changes_nothing():
    train = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert knn_predict(train, np.array([3, 1]), np.array([[1.0, 1.0]]), k=2).tolist() == [1]
    rng = np.random.default_rng(4)
    x, y, t = rng.normal(size=(100, 6)), rng.integers(0, 4, 100), rng.normal(size=(37, 6))
    assert (knn_predict(x, y, t, k=7, chunk=5) == knn_predict(x, y, t, k=7)).all()


def test_clustering_accuracy_is_one_under_any_relabelling():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 6, 200)
    permuted = rng.permutation(6)[y]
    assert clustering_accuracy(y, permuted) == 1.0
    scores = clustering_scores(y, permuted)
    assert scores["nmi"] == pytest.approx(1.0) and scores["ari"] == pytest.approx(1.0)
    noisy = permuted.copy()
    noisy[:50] = (noisy[:50] + 1) % 6
    assert clustering_accuracy(y, noisy) == pytest.approx(0.75, abs=0.02)
