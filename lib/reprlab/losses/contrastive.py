"""NT-Xent, SimCLR's contrastive loss (Chen et al., 2020), with upstream DUET's scale, and a
gradient-carrying all-gather so that several processes see one global batch."""

import torch
import torch.distributed as dist
import torch.nn.functional as F

_MASK = 1e9


class _GatherWithGrad(torch.autograd.Function):
    """``all_gather`` whose backward returns each rank the summed gradient of its own slice
    (all-reduce, then slice: works on gloo, which has no reduce-scatter)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        ctx.rank, ctx.size = dist.get_rank(), x.shape[0]
        return torch.cat(parts)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad[ctx.rank * ctx.size:(ctx.rank + 1) * ctx.size]


def gather_with_grad(x: torch.Tensor) -> tuple[torch.Tensor, int]:
    """(the rows of ``x`` from every rank, concatenated in rank order, with gradients flowing back
    to each rank's own rows; the offset of this rank's rows). Identity in a single process."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return x, 0
    return _GatherWithGrad.apply(x), dist.get_rank() * x.shape[0]


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.1, gather: bool = True) -> torch.Tensor:
    """NT-Xent of paired projections z1, z2 (B, d), as upstream DUET (``nt_xent.py``).

    Both are L2-normalised; anchor i of view 1 has its positive z2[i] and 2B - 2 negatives (every
    other row of both views: 2B - 1 candidates); likewise for view 2. The loss is the **sum** of
    the two directions' mean cross-entropies (upstream's scale: DUET's lambda = 1000 was tuned
    for it; a library that averages the directions gives exactly half). Under
    ``torch.distributed`` the candidates are the global batch of every rank (the anchors stay
    local), so N processes with B rows each equal one process with N·B rows (``gather=False``:
    this process's rows only, e.g. when every rank evaluates the whole test set). Returns a scalar,
    in float32 (lower precisions are upcast) or float64 for float64 inputs."""
    dtype = torch.promote_types(z1.dtype, torch.float32)  # bf16 / fp16 up to float32; float64 kept
    a, b = F.normalize(z1.to(dtype), dim=1), F.normalize(z2.to(dtype), dim=1)
    all_a, offset = gather_with_grad(a) if gather else (a, 0)
    all_b, _ = gather_with_grad(b) if gather else (b, 0)
    n = a.shape[0]
    labels = torch.arange(offset, offset + n, device=a.device)
    self_mask = F.one_hot(labels, all_a.shape[0]).to(a.dtype) * _MASK

    def direction(anchor: torch.Tensor, same: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
        logits = torch.cat([anchor @ other.T, anchor @ same.T - self_mask], dim=1) / temperature
        return F.cross_entropy(logits, labels)

    return direction(a, all_a, all_b) + direction(b, all_b, all_a)
