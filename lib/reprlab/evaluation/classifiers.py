"""Classifiers on fixed features: linear SVM, a logistic-regression linear probe, cosine kNN
(majority or temperature-weighted) and nearest subspace.

Arrays are (N, d) float features and (N,) int labels; every function returns (N_test,) int
predictions, so accuracy is ``(pred == y_test).mean()``.
"""

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC


def svm_predict(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, *, c: float = 1.0,
                seed: int = 10) -> np.ndarray:
    """One-vs-rest linear SVM (scikit-learn ``LinearSVC``, squared hinge), as upstream MCR2."""
    return LinearSVC(C=c, random_state=seed).fit(train_x, train_y).predict(test_x)


def linear_probe(train_x: np.ndarray, train_y: np.ndarray, *, c: float = 1.0, seed: int = 0,
                 max_iter: int = 1000) -> Pipeline:
    """The frozen-feature linear probe: features standardised, then multinomial logistic
    regression (L2, ``C=c``, L-BFGS), scikit-learn's. ``.predict(test_x)`` gives (N,) labels."""
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=max_iter, random_state=seed))
    return model.fit(train_x, train_y)


def knn_predict(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, *, k: int = 5,
                temperature: float = 0.0, chunk: int = 2048) -> np.ndarray:
    """Cosine-similarity k-nearest-neighbour vote: a majority vote (``temperature=0``; ties go to
    the smallest label, as ``torch.mode`` in upstream MCR2), or each neighbour weighted by
    exp(similarity / temperature) (the InstDisc / ESSL kNN monitor, temperature 0.1). Test points
    are processed in chunks so the similarity matrix never exceeds ``chunk`` x N_train."""
    train = torch.nn.functional.normalize(torch.as_tensor(train_x, dtype=torch.float32), dim=1)
    test = torch.nn.functional.normalize(torch.as_tensor(test_x, dtype=torch.float32), dim=1)
    labels = torch.as_tensor(train_y, dtype=torch.long)
    num_classes = int(labels.max()) + 1
    out = []
    for start in range(0, len(test), chunk):
        sims = test[start:start + chunk] @ train.T
        top = sims.topk(min(k, len(train)), dim=1)
        neighbours = torch.nn.functional.one_hot(labels[top.indices], num_classes)  # (chunk, k, classes)
        weights = torch.exp(top.values / temperature) if temperature > 0 else torch.ones_like(top.values)
        votes = (neighbours * weights[..., None]).sum(1)
        out.append(votes.argmax(1))  # argmax returns the first maximum: the smallest label
    return torch.cat(out).numpy()


def nearest_subspace_predict(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, *, n_comp: int = 30,
                             centered: bool = False) -> np.ndarray:
    """Assign each test point to the class whose top-``n_comp`` principal subspace leaves the
    smallest residual ‖(I - UUᵀ)(x - μ_j)‖. ``centered=False`` (upstream's reported variant, an
    uncentred SVD) uses μ_j = 0; ``centered=True`` is PCA with the class mean."""
    train_x, test_x = np.asarray(train_x, np.float64), np.asarray(test_x, np.float64)
    classes = np.unique(train_y)
    residuals = np.empty((len(test_x), len(classes)))
    for col, j in enumerate(classes):
        members = train_x[train_y == j]
        mean = members.mean(0) if centered else np.zeros(train_x.shape[1])
        _, _, vt = np.linalg.svd(members - mean, full_matrices=False)
        basis = vt[:min(n_comp, len(vt))].T  # (d, n_comp)
        shifted = test_x - mean
        residuals[:, col] = np.linalg.norm(shifted - shifted @ basis @ basis.T, axis=1)
    return classes[residuals.argmin(1)]
