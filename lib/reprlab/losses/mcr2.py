"""Maximal coding rate reduction (Yu, Chan, You, Song, Ma, NeurIPS 2020).

For unit-norm features Z (m x d) in k classes with memberships Π_j (n_j = tr Π_j examples):

    R(Z)    = 1/2 logdet(I_d + γ1 d/(m eps) ZᵀZ)                         (expansion, "empirical")
    Rc(Z|Π) = Σ_j n_j/(2m) logdet(I_d + d/(n_j eps) Zᵀ Π_j Z)             (compression)
    loss    = -γ2 R + Rc,   ΔR = R - Rc (with γ1 = 1: the "theoretical" R).

``eps`` is ε² itself, as upstream's ``--eps`` flag (the pip package ``mcr2`` squares its ε).
n_j is guarded by +1e-8 as upstream, so an empty class contributes 0.

The batched implementation forms every class Gram matrix at once and takes all log-determinants
in one batched Cholesky call, using the smaller of the d x d and n x n forms (Sylvester:
logdet(I_d + a AᵀA) = logdet(I_n + a AAᵀ)). It runs in float32 outside autocast, or float64.
"""

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

_GUARD = 1e-8


@dataclass
class CodingRates:
    """R with γ1 inside (``expansion``), R with γ1 = 1 (``expansion_theoretical``) and Rc
    (``compression``); scalars (0-d tensors) in nats."""

    expansion: torch.Tensor
    expansion_theoretical: torch.Tensor
    compression: torch.Tensor

    @property
    def rate_reduction(self) -> torch.Tensor:
        """ΔR = R (γ1 = 1) - Rc, the paper's objective."""
        return self.expansion_theoretical - self.compression


def _logdet_spd(matrices: torch.Tensor) -> torch.Tensor:
    """logdet of a batch (..., n, n) of symmetric positive-definite matrices via Cholesky."""
    chol = torch.linalg.cholesky(matrices)
    return 2 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)


def _memberships(labels: torch.Tensor | None, membership: torch.Tensor | None, num_classes: int | None,
                 m: int) -> torch.Tensor:
    if (labels is None) == (membership is None):
        raise ValueError("give exactly one of labels (m,) or membership (k, m)")
    if membership is not None:
        if membership.ndim != 2 or membership.shape[1] != m:
            raise ValueError(f"membership must have shape (k, {m}), got {tuple(membership.shape)}")
        return membership
    k = num_classes if num_classes is not None else int(labels.max()) + 1
    return F.one_hot(labels.long(), k).T  # (k, m)


def coding_rates(z: torch.Tensor, labels: torch.Tensor | None = None, *, membership: torch.Tensor | None = None,
                 num_classes: int | None = None, eps: float = 0.5, gam1: float = 1.0,
                 dtype: torch.dtype = torch.float32) -> CodingRates:
    """Coding rates of features ``z`` (m, d) given hard ``labels`` (m,) int, or a soft
    ``membership`` (k, m) with entries in [0, 1]. Computed in ``dtype`` (float32 or float64).
    """
    m, d = z.shape
    with torch.autocast(z.device.type, enabled=False):
        z = z.to(dtype)
        pi = _memberships(labels, membership, num_classes, m).to(dtype)  # (k, m)
        counts = pi.sum(1) + _GUARD  # (k,)
        gram = z.T @ z  # (d, d)
        eye_d = torch.eye(d, device=z.device, dtype=dtype)
        expansion_pair = torch.stack([eye_d + (gam1 * d / (m * eps)) * gram, eye_d + (d / (m * eps)) * gram])
        expansion, expansion_theoretical = 0.5 * _logdet_spd(expansion_pair)
        scale = d / (counts * eps)  # (k,)
        if labels is not None and int(counts.max()) < d:
            logdets = _class_logdets_small(z, labels, pi.shape[0], scale)
        else:
            class_grams = torch.einsum("km,md,me->kde", pi, z, z)  # Zᵀ Π_j Z
            logdets = _logdet_spd(eye_d + scale[:, None, None] * class_grams)
        compression = (counts / (2 * m) * logdets).sum()
    return CodingRates(expansion, expansion_theoretical, compression)


def _class_logdets_small(z: torch.Tensor, labels: torch.Tensor, k: int, scale: torch.Tensor) -> torch.Tensor:
    """Per-class logdet(I_n + a_j Z_j Z_jᵀ) on (k, n_max, n_max) Grams. Classes are zero-padded to
    n_max rows; a zero row adds a 1 on the diagonal, which leaves the determinant unchanged."""
    m, d = z.shape
    counts = torch.bincount(labels, minlength=k)
    n_max = int(counts.max())
    order = torch.argsort(labels, stable=True)
    sorted_labels = labels[order]
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(m, device=z.device) - starts[sorted_labels]
    padded = z.new_zeros(k, n_max, d)
    padded[sorted_labels, slot] = z[order]
    grams = padded @ padded.transpose(1, 2)  # (k, n_max, n_max)
    eye = torch.eye(n_max, device=z.device, dtype=z.dtype)
    return _logdet_spd(eye + scale[:, None, None] * grams)


def coding_rates_loop(z: torch.Tensor, labels: torch.Tensor, num_classes: int, eps: float = 0.5,
                      gam1: float = 1.0) -> CodingRates:
    """Reference: upstream's computation (dense Π_j, one ``torch.logdet`` per class), for tests
    and benchmarks. Same arguments as :func:`coding_rates` with hard labels."""
    m, d = z.shape
    w = z.T
    eye = torch.eye(d, device=z.device, dtype=z.dtype)
    expansion = 0.5 * torch.logdet(eye + gam1 * d / (m * eps) * w @ w.T)
    expansion_theoretical = 0.5 * torch.logdet(eye + d / (m * eps) * w @ w.T)
    compression = z.new_zeros(())
    for j in range(num_classes):
        pi = torch.diag((labels == j).to(z.dtype))
        trace = torch.trace(pi) + _GUARD
        compression = compression + trace / (2 * m) * torch.logdet(eye + d / (trace * eps) * w @ pi @ w.T)
    return CodingRates(expansion, expansion_theoretical, compression)


class MCR2Loss(nn.Module):
    """``loss = -gam2 * R(Z) + Rc(Z | y)`` for unit-norm features (B, d) and labels (B,).

    Returns ``(loss, terms)``; ``terms`` holds R, Rc, R (theoretical) and ΔR as detached scalars,
    which the training engine averages into its per-epoch history. ``dtype=torch.float64`` takes
    the log-determinants in double precision.
    """

    def __init__(self, num_classes: int | None = None, eps: float = 0.5, gam1: float = 1.0, gam2: float = 1.0,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        if eps <= 0:
            raise ValueError(f"eps={eps!r} must be positive (it is ε², the squared distortion)")
        self.num_classes, self.eps, self.gam1, self.gam2, self.dtype = num_classes, eps, gam1, gam2, dtype

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        rates = coding_rates(z, labels, num_classes=self.num_classes, eps=self.eps, gam1=self.gam1, dtype=self.dtype)
        loss = (-self.gam2 * rates.expansion + rates.compression).to(z.dtype)
        terms = {"R": rates.expansion, "Rc": rates.compression, "R_theoretical": rates.expansion_theoretical,
                 "delta_R": rates.rate_reduction}
        return loss, {name: value.detach().float() for name, value in terms.items()}
