"""Evaluating trained models and learned features: input gradients and adversarial attacks,
feature extraction, the frozen-feature protocols (one ``accuracy``, linear probe, kNN), SVM / kNN /
nearest-subspace classifiers, KMeans / elastic-net subspace clustering, and clustering metrics."""

from reprlab.evaluation.classifiers import (
    Subspaces,
    class_subspaces,
    knn_predict,
    linear_probe,
    nearest_subspace_predict,
    svm_predict,
)
from reprlab.evaluation.clustering import clustering_accuracy, clustering_scores, ensc_clusters, kmeans_clusters
from reprlab.evaluation.features import encode, extract_features
from reprlab.evaluation.input_gradients import input_gradient
from reprlab.evaluation.protocols import accuracy, fit_linear_probe, knn_accuracy, linear_probe_accuracy

__all__ = [
    "Subspaces",
    "accuracy",
    "class_subspaces",
    "clustering_accuracy",
    "clustering_scores",
    "encode",
    "ensc_clusters",
    "extract_features",
    "fit_linear_probe",
    "input_gradient",
    "kmeans_clusters",
    "knn_accuracy",
    "knn_predict",
    "linear_probe",
    "linear_probe_accuracy",
    "nearest_subspace_predict",
    "svm_predict",
]
