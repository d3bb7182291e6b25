"""Maximal coding rate reduction (Yu, Chan, You, Song, Ma, NeurIPS 2020).

For unit-norm features Z (m x d) in k classes with memberships Π_j (n_j = tr Π_j examples):

    R(Z)    = 1/2 logdet(I_d + γ1 d/(m eps) ZᵀZ)                         (expansion, "empirical")
    Rc(Z|Π) = Σ_j n_j/(2m) logdet(I_d + d/(n_j eps) Zᵀ Π_j Z)             (compression)
    loss    = -γ2 R + Rc,   ΔR = R - Rc (with γ1 = 1: the "theoretical" R).

``eps`` is ε² itself, as upstream's ``--eps`` flag (the pip package ``mcr2`` squares its ε).
n_j is guarded by +1e-8 as upstream, so an empty class contributes 0.

The batched implementation gathers each class's rows once (zero-padded), forms every class Gram
matrix in one batched matmul and takes all log-determinants in one batched Cholesky call, using
the smaller of the d x d and n x n forms (Sylvester: logdet(I_d + a AᵀA) = logdet(I_n + a AAᵀ)).
Its gradient is closed-form from those Cholesky factors (no autograd through the factorisation).
It runs in float32 outside autocast, or float64.
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
        if gam1 == 1.0:  # R with γ1 inside is the theoretical R: one factorisation
            rate = 0.5 * _GramLogdet.apply(z[None], z.new_full((1, 1), d / (m * eps)))[0, 0]
            expansion = expansion_theoretical = rate
        else:
            scales = torch.tensor([[gam1 * d / (m * eps), d / (m * eps)]], device=z.device, dtype=dtype)
            expansion, expansion_theoretical = 0.5 * _GramLogdet.apply(z[None], scales)[0]
        scale = (d / (counts * eps))[:, None]  # (k, 1)
        if labels is not None:
            logdets = _GramLogdet.apply(_class_rows(z, labels, pi.shape[0]), scale)[:, 0]
        else:  # soft memberships (perhaps learned): Zᵀ Π_j Z for every j, through autograd
            eye_d = torch.eye(d, device=z.device, dtype=dtype)
            logdets = _logdet_spd(eye_d + scale[:, :, None] * ((pi[:, :, None] * z).transpose(1, 2) @ z))
        compression = (counts / (2 * m) * logdets).sum()
    return CodingRates(expansion, expansion_theoretical, compression)


def _class_rows(z: torch.Tensor, labels: torch.Tensor, k: int) -> torch.Tensor:
    """Each class's rows of z (m, d), zero-padded to the largest class: (k, n_max, d)."""
    m, d = z.shape
    counts = torch.bincount(labels, minlength=k)
    order = torch.argsort(labels, stable=True)
    sorted_labels = labels[order]
    slot = torch.arange(m, device=z.device) - (torch.cumsum(counts, 0) - counts)[sorted_labels]
    padded = z.new_zeros(k, int(counts.max()), d)
    padded[sorted_labels, slot] = z[order]
    return padded


class _GramLogdet(torch.autograd.Function):
    """logdet(I + s_bt A_bᵀ A_b) for blocks of rows A (B, n, d) and scales s (B, S): (B, S), each
    block's Gram formed once for its S scales, on the smaller of the (n, n) and (d, d) forms
    (Sylvester). The gradient is closed-form from the forward's Cholesky factors,
    2 s A (I_d + s AᵀA)⁻¹ = 2 s (I_n + s AAᵀ)⁻¹ A: a solve, or one matrix summed over the scales,
    instead of autograd through the factorisation. A zero row (class padding) adds a 1 on the
    diagonal of the n x n form and nothing to the d x d form: determinants are unchanged, and its
    gradient is 0. Differentiable once; ``s`` gets no gradient."""

    @staticmethod
    def forward(ctx, rows: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        n, d = rows.shape[-2:]
        ctx.small_n = n < d
        gram = rows @ rows.transpose(1, 2) if ctx.small_n else rows.transpose(1, 2) @ rows  # (B, n', n')
        eye = torch.eye(gram.shape[-1], device=rows.device, dtype=rows.dtype)
        chol = torch.linalg.cholesky(eye + scale[:, :, None, None] * gram[:, None])  # (B, S, n', n')
        ctx.save_for_backward(rows, scale, chol)
        return 2 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        rows, scale, chol = ctx.saved_tensors
        weight = 2 * grad * scale  # (B, S)
        if chol.shape[1] == 1 and ctx.small_n:
            return weight[:, 0, None, None] * torch.cholesky_solve(rows, chol[:, 0]), None
        combined = (weight[:, :, None, None] * torch.cholesky_inverse(chol)).sum(1)  # (B, n', n'), symmetric
        return (combined @ rows if ctx.small_n else rows @ combined), None


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
