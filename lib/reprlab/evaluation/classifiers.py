"""Classifiers on fixed features: linear SVM, a logistic-regression linear probe, cosine kNN
(majority or temperature-weighted) and nearest subspace.

Arrays are (N, d) float features and (N,) int labels; every function returns (N_test,) int
predictions (:func:`reprlab.evaluation.protocols.accuracy` scores them).
"""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Subspaces:
    """Each class's top principal subspace: ``classes`` (k,), ``means`` (k, d) (zeros when
    uncentred), ``bases`` one (d, min(n_comp, n_j, d)) orthonormal matrix per class, and
    ``singular_values``, all min(n_j, d) of each class's (centred) features."""

    classes: np.ndarray
    means: np.ndarray
    bases: list[np.ndarray]
    singular_values: list[np.ndarray]

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """(n, k) distance of each row of ``x`` (n, d) to each class subspace, ‖(I − UUᵀ)(x − μ_j)‖."""
        x = np.asarray(x, np.float64)
        out = np.empty((len(x), len(self.classes)))
        for col, (mean, basis) in enumerate(zip(self.means, self.bases, strict=True)):
            shifted = x - mean
            out[:, col] = np.linalg.norm(shifted - shifted @ basis @ basis.T, axis=1)
        return out


def class_subspaces(train_x: np.ndarray, train_y: np.ndarray, *, n_comp: int = 30, centered: bool = False) -> Subspaces:
    """The top-``n_comp`` principal subspace of every class of ``train_x`` (n, d): an uncentred SVD
    (upstream's reported variant) or, with ``centered``, PCA about the class mean."""
    train_x = np.asarray(train_x, np.float64)
    classes = np.unique(train_y)
    means, bases, values = [], [], []
    for j in classes:
        members = train_x[train_y == j]
        mean = members.mean(0) if centered else np.zeros(train_x.shape[1])
        _, sv, vt = np.linalg.svd(members - mean, full_matrices=False)
        means.append(mean)
        bases.append(vt[:min(n_comp, len(vt))].T)  # (d, n_comp)
        values.append(sv)
    return Subspaces(classes, np.stack(means), bases, values)


def nearest_subspace_predict(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, *, n_comp: int = 30,
                             centered: bool = False) -> np.ndarray:
    """Assign each test point to the class whose top-``n_comp`` principal subspace leaves the
    smallest residual ‖(I - UUᵀ)(x - μ_j)‖ (see :func:`class_subspaces`)."""
    subspaces = class_subspaces(train_x, train_y, n_comp=n_comp, centered=centered)
    return subspaces.classes[subspaces.residuals(test_x).argmin(1)]
