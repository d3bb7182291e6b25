"""MCR2's evaluation protocols on learned features: nearest subspace, kNN and SVM classification,
and KMeans / elastic-net subspace clustering."""

import numpy as np

from reprlab.evaluation import (
    accuracy,
    clustering_scores,
    ensc_clusters,
    kmeans_clusters,
    knn_accuracy,
    nearest_subspace_predict,
    svm_predict,
)
from reprlab.papers.mcr2.training import Features


def classify(features: Features, *, n_comp: int, knn_k: int, svm: bool = True) -> dict[str, float]:
    """Test accuracy of nearest subspace (uncentred SVD and centred PCA), cosine kNN and a linear
    SVM, all fit on the training features with the labels they were trained on."""
    train, labels, test, truth = features.train, features.train_labels, features.test, features.test_labels
    scores = {
        "nearest_subspace_accuracy": accuracy(nearest_subspace_predict(train, labels, test, n_comp=n_comp), truth),
        "nearest_subspace_pca_accuracy": accuracy(
            nearest_subspace_predict(train, labels, test, n_comp=n_comp, centered=True), truth),
        "knn_accuracy": knn_accuracy(train, labels, test, truth, k=knn_k, temperature=0),  # upstream: majority vote
    }
    if svm:
        scores["svm_accuracy"] = accuracy(svm_predict(train, labels, test), truth)
    return scores


def cluster(features: Features, *, n_clusters: int, subset: int, ensc_gamma: float, seed: int = 0) -> dict[str, float]:
    """KMeans and elastic-net subspace clustering of (a seeded subset of) the training features,
    scored against the clean labels: accuracy (Hungarian), NMI and ARI."""
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(features.train))[:subset] if subset else np.arange(len(features.train))
    x, y = features.train[pick], features.train_clean_labels[pick]
    out = {f"kmeans_{k}": v for k, v in clustering_scores(y, kmeans_clusters(x, n_clusters)).items()}
    out |= {f"ensc_{k}": v for k, v in clustering_scores(y, ensc_clusters(x, n_clusters, gamma=ensc_gamma)).items()}
    return out
