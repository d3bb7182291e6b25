"""Evaluating trained models and learned features: input gradients and adversarial attacks,
feature extraction, SVM / kNN / nearest-subspace classifiers, KMeans / elastic-net subspace
clustering, and clustering metrics."""

from reprlab.evaluation.classifiers import (
    Subspaces,
    class_subspaces,
    knn_predict,
    linear_probe,
    nearest_subspace_predict,
    svm_predict,
)
from reprlab.evaluation.clustering import clustering_accuracy, clustering_scores, ensc_clusters, kmeans_clusters
from reprlab.evaluation.features import extract_features
from reprlab.evaluation.input_gradients import input_gradient

__all__ = [
    "Subspaces",
    "class_subspaces",
    "clustering_accuracy",
    "clustering_scores",
    "ensc_clusters",
    "extract_features",
    "input_gradient",
    "kmeans_clusters",
    "knn_predict",
    "linear_probe",
    "nearest_subspace_predict",
    "svm_predict",
]
