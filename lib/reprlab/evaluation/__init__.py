"""Evaluating learned features: feature extraction, SVM / kNN / nearest-subspace classifiers,
KMeans / elastic-net subspace clustering, and clustering metrics."""

from reprlab.evaluation.classifiers import knn_predict, nearest_subspace_predict, svm_predict
from reprlab.evaluation.clustering import clustering_accuracy, clustering_scores, ensc_clusters, kmeans_clusters
from reprlab.evaluation.features import extract_features

__all__ = [
    "clustering_accuracy",
    "clustering_scores",
    "ensc_clusters",
    "extract_features",
    "kmeans_clusters",
    "knn_predict",
    "nearest_subspace_predict",
    "svm_predict",
]
