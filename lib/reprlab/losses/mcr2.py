"""Maximal coding rate reduction (Yu, Chan, You, Song, Ma, NeurIPS 2020).

For unit-norm features Z (m x d) in k classes with memberships Π_j (n_j = tr Π_j examples):

    R(Z)    = 1/2 logdet(I_d + γ1 d/(m eps) ZᵀZ)                         (expansion, "empirical")
    Rc(Z|Π) = Σ_j n_j/(2m) logdet(I_d + d/(n_j eps) Zᵀ Π_j Z)             (compression)
    loss    = -γ2 R + Rc,   ΔR = R - Rc (with γ1 = 1: the "theoretical" R).

``eps`` is ε² itself, as upstream's ``--eps`` flag (the pip package ``mcr2`` squares its ε).
n_j is guarded by +1e-8 as upstream, so an empty class contributes 0.

With hard labels the batched implementation gathers each class's rows once (zero-padded) and takes
every log-determinant in one autograd node: for classes of at least d/2 rows one batched matmul
and one batched Cholesky of all k + 1 d x d matrices (ZᵀZ is the sum of the class Grams), else
the smaller n x n forms (Sylvester: logdet(I_d + a AᵀA) = logdet(I_n + a AAᵀ)). Its gradient is
closed-form from those Cholesky factors (no autograd through the factorisation). It runs in
float32 outside autocast, or float64.
"""

from dataclasses import dataclass

import torch
import torch.nn as nn

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


def _check_membership(membership: torch.Tensor, m: int) -> torch.Tensor:
    if membership.ndim != 2 or membership.shape[1] != m:
        raise ValueError(f"membership must have shape (k, {m}), got {tuple(membership.shape)}")
    return membership


def coding_rates(z: torch.Tensor, labels: torch.Tensor | None = None, *, membership: torch.Tensor | None = None,
                 num_classes: int | None = None, eps: float = 0.5, gam1: float = 1.0,
                 dtype: torch.dtype = torch.float32) -> CodingRates:
    """Coding rates of features ``z`` (m, d) given hard ``labels`` (m,) int, or a soft
    ``membership`` (k, m) with entries in [0, 1]. Computed in ``dtype`` (float32 or float64).
    """
    m, d = z.shape
    if (labels is None) == (membership is None):
        raise ValueError("give exactly one of labels (m,) or membership (k, m)")
    with torch.autocast(z.device.type, enabled=False):
        z = z.to(dtype)
        # R with γ1 inside equals the theoretical R when γ1 = 1: one factorisation then
        expansion_scales = torch.tensor([d / (m * eps)] if gam1 == 1.0 else [gam1 * d / (m * eps), d / (m * eps)],
                                        device=z.device, dtype=dtype)
        if labels is not None:
            k = num_classes if num_classes is not None else int(labels.max()) + 1
            counts = torch.bincount(labels, minlength=k).to(dtype) + _GUARD  # (k,)
            logdets = _HardLabelLogdets.apply(z, labels, expansion_scales, d / (counts * eps))
            expansion_logdets, class_logdets = logdets[:len(expansion_scales)], logdets[len(expansion_scales):]
        else:  # soft memberships (perhaps learned): Zᵀ Π_j Z for every j, through autograd
            pi = _check_membership(membership, m).to(dtype)  # (k, m)
            counts = pi.sum(1) + _GUARD
            eye_d = torch.eye(d, device=z.device, dtype=dtype)
            expansion_logdets = _logdet_spd(eye_d + expansion_scales[:, None, None] * (z.T @ z))
            class_logdets = _logdet_spd(eye_d + (d / (counts * eps))[:, None, None]
                                        * ((pi[:, :, None] * z).transpose(1, 2) @ z))
        expansion, expansion_theoretical = 0.5 * expansion_logdets[0], 0.5 * expansion_logdets[-1]
        compression = (counts / (2 * m) * class_logdets).sum()
    return CodingRates(expansion, expansion_theoretical, compression)


class _HardLabelLogdets(torch.autograd.Function):
    """All log-determinants of the coding rates with hard labels in one node: (S + k,)
    ``logdet(I + s_e ZᵀZ)`` for the S expansion scales, then ``logdet(I + s_j Z_jᵀ Z_j)`` for
    every class j, Z_j its rows (gathered once, zero-padded to the largest class: zero rows change
    neither determinant nor gradient).

    With classes of at least d/2 rows every matrix takes the d x d form and ZᵀZ = Σ_j Z_jᵀ Z_j:
    one batched matmul, one batched Cholesky of S + k matrices and, backwards, one inverse and one
    batched matmul. Smaller classes take the n x n form (Sylvester: logdet(I_d + s AᵀA) =
    logdet(I_n + s AAᵀ)), the expansion the smaller of m x m and d x d. The gradient is closed-form
    from the Cholesky factors, d logdet(I + s AᵀA) / dA = 2 s A (I_d + s AᵀA)⁻¹ = 2 s (I_n + s AAᵀ)⁻¹ A,
    not autograd through the factorisations. Differentiable once, in ``z`` only."""

    @staticmethod
    def forward(ctx, z: torch.Tensor, labels: torch.Tensor, expansion_scales: torch.Tensor,
                class_scales: torch.Tensor) -> torch.Tensor:
        (m, d), k = z.shape, len(class_scales)
        counts = torch.bincount(labels, minlength=k)
        order = torch.argsort(labels, stable=True)
        sorted_labels = labels[order]
        slot = torch.arange(m, device=z.device) - (torch.cumsum(counts, 0) - counts)[sorted_labels]
        padded = z.new_zeros(k, int(counts.max()), d)
        padded[sorted_labels, slot] = z[order]
        ctx.fused = 2 * padded.shape[1] >= d
        if ctx.fused:
            grams = padded.transpose(1, 2) @ padded  # (k, d, d)
            scales = torch.cat([expansion_scales, class_scales])
            grams = torch.cat([grams.sum(0).expand(len(expansion_scales), d, d), grams])
            chol = torch.linalg.cholesky(torch.eye(d, device=z.device, dtype=z.dtype) + scales[:, None, None] * grams)
            chols = (chol,)
        else:
            expansion_gram = z.T @ z if m >= d else z @ z.T
            class_grams = padded @ padded.transpose(1, 2)  # (k, n, n)
            chols = tuple(torch.linalg.cholesky(torch.eye(g.shape[-1], device=z.device, dtype=z.dtype)
                                                + s[:, None, None] * g)
                          for g, s in ((expansion_gram, expansion_scales), (class_grams, class_scales)))
        ctx.save_for_backward(z, padded, order, sorted_labels, slot, expansion_scales, class_scales, *chols)
        return torch.cat([2 * torch.log(torch.diagonal(c, dim1=-2, dim2=-1)).sum(-1) for c in chols])

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None, None, None]:
        z, padded, order, sorted_labels, slot, expansion_scales, class_scales, *chols = ctx.saved_tensors
        s = len(expansion_scales)
        weight = 2 * grad * torch.cat([expansion_scales, class_scales])  # (S + k,)
        if ctx.fused:
            inverse = torch.cholesky_inverse(chols[0])  # (S + k, d, d)
            combined = (weight[:s, None, None] * inverse[:s]).sum(0) + weight[s:, None, None] * inverse[s:]
            grad_z = torch.empty_like(z)
            grad_z[order] = (padded @ combined)[sorted_labels, slot]
            return grad_z, None, None, None
        expansion = (weight[:s, None, None] * torch.cholesky_inverse(chols[0])).sum(0)
        grad_z = z @ expansion if z.shape[0] >= z.shape[1] else expansion @ z
        # an explicit inverse and a matmul: 2-3x faster than cholesky_solve with d right-hand sides on CPU
        grad_classes = (weight[s:, None, None] * torch.cholesky_inverse(chols[1])) @ padded  # (k, n, d)
        grad_z[order] += grad_classes[sorted_labels, slot]
        return grad_z, None, None, None


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
