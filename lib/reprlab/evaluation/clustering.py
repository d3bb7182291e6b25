"""Clustering of features (KMeans; elastic-net subspace clustering) and clustering metrics."""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.linear_model import ElasticNet
from sklearn.metrics import adjusted_rand_score, confusion_matrix, normalized_mutual_info_score


def clustering_accuracy(labels: np.ndarray, clusters: np.ndarray) -> float:
    """Accuracy under the best one-to-one matching of clusters to labels (Hungarian algorithm)."""
    labels, clusters = np.asarray(labels), np.asarray(clusters)
    size = max(labels.max(), clusters.max()) + 1
    contingency = confusion_matrix(labels, clusters, labels=range(size))
    rows, cols = linear_sum_assignment(-contingency)
    return float(contingency[rows, cols].sum() / len(labels))


def clustering_scores(labels: np.ndarray, clusters: np.ndarray) -> dict[str, float]:
    """Clustering accuracy, normalised mutual information and adjusted Rand index."""
    return {"acc": clustering_accuracy(labels, clusters),
            "nmi": float(normalized_mutual_info_score(labels, clusters)),
            "ari": float(adjusted_rand_score(labels, clusters))}


def kmeans_clusters(x: np.ndarray, n_clusters: int, *, seed: int = 10) -> np.ndarray:
    """KMeans cluster ids (N,) of features (N, d) (scikit-learn, 10 initialisations)."""
    return KMeans(n_clusters=n_clusters, random_state=seed, n_init=10).fit_predict(x)


def ensc_coefficients(x: np.ndarray, *, gamma: float = 50.0, tau: float = 1.0, max_nonzero: int = 50) -> np.ndarray:
    """Self-expressive coefficients C (N, N) of elastic-net subspace clustering (You et al. 2016):
    for each point, min_c τ‖c‖₁ + (1-τ)/2 ‖c‖² + γ/2 ‖x_i - Σ_{j≠i} c_j x_j‖², with γ relative to the
    smallest value that gives a non-zero solution (upstream's ``gamma_nz``). Rows keep their
    ``max_nonzero`` largest entries."""
    x = np.asarray(x, np.float64)
    n, d = x.shape
    coefs = np.zeros((n, n))
    for i in range(n):
        others = np.delete(np.arange(n), i)
        dictionary = x[others].T  # (d, N-1)
        # sklearn: 1/(2d)‖y - Xw‖² + α l1 ‖w‖₁ + α (1 - l1)/2 ‖w‖²; the all-zero solution holds for
        # α >= max|Xᵀy| / (d l1), so α = that / γ.
        alpha = np.abs(dictionary.T @ x[i]).max() / (d * max(tau, 1e-6)) / gamma
        model = ElasticNet(alpha=alpha, l1_ratio=tau, fit_intercept=False, max_iter=5000, tol=1e-4)
        c = model.fit(dictionary, x[i]).coef_
        if max_nonzero and np.count_nonzero(c) > max_nonzero:
            c[np.argsort(np.abs(c))[:-max_nonzero]] = 0
        coefs[i, others] = c
    return coefs


def ensc_clusters(x: np.ndarray, n_clusters: int, *, gamma: float = 50.0, tau: float = 1.0, seed: int = 10,
                  max_nonzero: int = 50) -> np.ndarray:
    """Elastic-net subspace clustering: self-expressive coefficients, the affinity
    ½(|C| + |C|ᵀ) after row normalisation, then spectral clustering. Returns cluster ids (N,)."""
    coefs = ensc_coefficients(x, gamma=gamma, tau=tau, max_nonzero=max_nonzero)
    norms = np.linalg.norm(coefs, axis=1, keepdims=True)
    coefs = coefs / np.maximum(norms, 1e-12)
    affinity = 0.5 * (np.abs(coefs) + np.abs(coefs).T)
    spectral = SpectralClustering(n_clusters, affinity="precomputed", random_state=seed, n_init=20,
                                  assign_labels="kmeans")
    return spectral.fit_predict(affinity)
