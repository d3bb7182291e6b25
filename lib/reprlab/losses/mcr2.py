"""Maximal coding rate reduction (Yu, Chan, You, Song, Ma, NeurIPS 2020).

For unit-norm features Z (m x d) in k classes with memberships Π_j (n_j = tr Π_j examples):

    R(Z)    = 1/2 logdet(I_d + γ1 d/(m eps) ZᵀZ)                         (expansion, "empirical")
    Rc(Z|Π) = Σ_j n_j/(2m) logdet(I_d + d/(n_j eps) Zᵀ Π_j Z)             (compression)
    loss    = -γ2 R + Rc,   ΔR = R - Rc (with γ1 = 1: the "theoretical" R).

``eps`` is ε² itself, as upstream's ``--eps`` flag (the pip package ``mcr2`` squares its ε).
n_j is guarded by +1e-8 as upstream, so an empty class contributes 0.

With hard labels the batched implementation gathers each class's rows once (zero-padded) and takes
every log-determinant in one autograd node: for classes of at least d/2 rows one batched matmul
and one batched factorisation of all k + 1 d x d matrices (ZᵀZ is the sum of the class Grams), else
the smaller n x n forms (Sylvester: logdet(I_d + a AᵀA) = logdet(I_n + a AAᵀ)). Its gradient is
closed-form from the inverses of those matrices (no autograd through the factorisation), which the
forward pass computes with the log-determinants by 2 x 2 blocks (Schur complements), so that most
of the work is batched matmuls. It runs in float32 outside autocast, or float64.
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
    return _logdet_of_factor(torch.linalg.cholesky(matrices, upper=True))  # upper: no transposed copy on the CPU


def _logdet_of_factor(upper: torch.Tensor) -> torch.Tensor:
    """logdet UᵀU from a batch (..., n, n) of Cholesky factors U."""
    return 2 * torch.log(torch.diagonal(upper, dim1=-2, dim2=-1)).sum(-1)


def spd_inverse_logdet(matrices: torch.Tensor, base: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse (..., n, n) and log-determinant (...,) of a batch of symmetric positive-definite
    matrices (..., n, n), by 2 x 2 blocks: with S = A22 - A12ᵀ A11⁻¹ A12 (the Schur complement),
    logdet A = logdet A11 + logdet S and A⁻¹ = [[A11⁻¹ + X S⁻¹ Xᵀ, -X S⁻¹], [-S⁻¹ Xᵀ, S⁻¹]] with
    X = A11⁻¹ A12, recursively; blocks of at most ``base`` rows take LAPACK's Cholesky. Reads only
    the upper triangle, as a Cholesky factorisation does. For 128 x 128 matrices on a CPU this
    is 2.4x faster than a Cholesky factorisation and inverse: LAPACK factorises small matrices at a
    few GFLOP/s, while the batched matmuls here run near the machine's matmul peak."""
    inverse = torch.empty_like(matrices)
    return inverse, _invert_into(matrices, inverse, base)


def _invert_into(matrices: torch.Tensor, out: torch.Tensor, base: int) -> torch.Tensor:
    """Write the inverse of ``matrices`` into ``out`` (a view of the same shape); return the
    log-determinant. Filling views of one buffer saves the concatenations, which cost as much as
    the matmuls at these sizes."""
    n = matrices.shape[-1]
    if n <= base:
        upper = torch.linalg.cholesky_ex(matrices, upper=True)[0]
        out.copy_(torch.cholesky_inverse(upper, upper=True))
        return _logdet_of_factor(upper)
    h = n // 2
    a12 = matrices[..., :h, h:]
    inverse11, inverse22 = out[..., :h, :h], out[..., h:, h:]
    logdet11 = _invert_into(matrices[..., :h, :h], inverse11, base)
    x = inverse11 @ a12
    logdet22 = _invert_into(matrices[..., h:, h:] - a12.mT @ x, inverse22, base)
    y = x @ inverse22
    inverse11 += y @ x.mT
    torch.neg(y, out=out[..., :h, h:])
    out[..., h:, :h] = out[..., :h, h:].mT
    return logdet11 + logdet22


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
            class_sizes = torch.bincount(labels, minlength=k)  # (k,)
            counts = class_sizes.to(dtype) + _GUARD
            logdets = _HardLabelLogdets.apply(z, labels, class_sizes, expansion_scales, d / (counts * eps),
                                              torch.is_grad_enabled() and z.requires_grad)
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
    neither determinant nor gradient); ``class_sizes`` (k,) is the bincount of ``labels``.

    With classes of at least d/2 rows every matrix takes the d x d form and ZᵀZ = Σ_j Z_jᵀ Z_j:
    one batched matmul and one batched inverse and log-determinant of S + k matrices forwards, one
    batched matmul backwards. Smaller classes take the n x n form (Sylvester: logdet(I_d + s AᵀA) =
    logdet(I_n + s AAᵀ)), the expansion the smaller of m x m and d x d. The gradient is closed-form,
    d logdet(I + s AᵀA) / dA = 2 s A (I_d + s AᵀA)⁻¹ = 2 s (I_n + s AAᵀ)⁻¹ A, from the inverses
    that the forward pass keeps when ``differentiable``, not autograd through the factorisations.
    Differentiable once, in ``z`` only."""

    @staticmethod
    def forward(ctx, z: torch.Tensor, labels: torch.Tensor, class_sizes: torch.Tensor, expansion_scales: torch.Tensor,
                class_scales: torch.Tensor, differentiable: bool) -> torch.Tensor:
        (m, d), k, s = z.shape, len(class_scales), len(expansion_scales)
        n = int(class_sizes.max())
        order = torch.argsort(labels, stable=True)
        sorted_labels = labels[order]
        # row order[i] goes to slot i - (rows of the classes before its own) of its class
        slot = torch.arange(m, device=z.device) - (torch.cumsum(class_sizes, 0) - class_sizes)[sorted_labels]
        position = torch.empty_like(order).scatter_(0, order, sorted_labels * n + slot)  # (m,) into (k * n)
        padded = z.new_zeros(k, n, d)
        padded.view(k * n, d).index_copy_(0, position, z)
        ctx.fused = 2 * padded.shape[1] >= d
        if ctx.fused:
            matrices = z.new_empty(s + k, d, d)
            torch.matmul(padded.mT, padded, out=matrices[s:])
            matrices[:s] = matrices[s:].sum(0)
            groups = (matrices.mul_(torch.cat([expansion_scales, class_scales])[:, None, None]),)
        else:
            expansion_gram = z.T @ z if m >= d else z @ z.T
            groups = (expansion_scales[:, None, None] * expansion_gram,
                      class_scales[:, None, None] * (padded @ padded.mT))  # (k, n, n)
        for matrices in groups:
            matrices.diagonal(dim1=-2, dim2=-1).add_(1)
        if not differentiable:  # no gradient will be asked for: logdets by Cholesky alone
            return torch.cat([_logdet_spd(matrices) for matrices in groups])
        inverses, logdets = zip(*(spd_inverse_logdet(matrices) for matrices in groups), strict=True)
        ctx.save_for_backward(z, padded, position, expansion_scales, class_scales, *inverses)
        return torch.cat(logdets)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None, None, None, None, None]:
        z, padded, position, expansion_scales, class_scales, *inverses = ctx.saved_tensors
        s = len(expansion_scales)
        weight = 2 * grad * torch.cat([expansion_scales, class_scales])  # (S + k,)
        if ctx.fused:
            combined = (weight[:s, None, None] * inverses[0][:s]).sum(0) + weight[s:, None, None] * inverses[0][s:]
            return (padded @ combined).flatten(0, 1).index_select(0, position), None, None, None, None, None
        expansion = (weight[:s, None, None] * inverses[0]).sum(0)
        grad_z = z @ expansion if z.shape[0] >= z.shape[1] else expansion @ z
        grad_classes = (weight[s:, None, None] * inverses[1]) @ padded  # (k, n, d)
        grad_z += grad_classes.flatten(0, 1).index_select(0, position)
        return grad_z, None, None, None, None, None


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
