"""DUET's structure loss: target histograms over the G bins of the group axis, built from a
transformation's scalar parameter t, and the Jensen–Shannon divergence to them."""

import math

import torch

TARGET_KINDS = ("vm", "ga")
VM_CONCENTRATION = 3.0  # upstream's "std" of the von Mises target is its concentration kappa
GA_SIGMA = 0.2  # in units of t
SUBPOINTS = 100  # fine-grid points integrated per bin, as upstream


def structure_target(t: torch.Tensor, bins: int, kind: str = "vm") -> torch.Tensor:
    """Target distributions (B, bins) for parameters ``t`` (B,), as upstream DUET
    (``objectives/duet.py``): a density evaluated on ``SUBPOINTS * bins`` grid points, summed over
    each bin's consecutive points, rows normalised to 1.

    ``vm``: von Mises at angle 2πt with concentration 3 on [0, 2π] (wraps: t = 0 splits its mass
    between the first and last bins). ``ga``: Normal(t, 0.2) on [0, 1], truncated (mass outside
    [0, 1] dropped) and renormalised. The peak sits in bin floor(t * bins)."""
    if kind not in TARGET_KINDS:
        raise ValueError(f"duet_target={kind!r}; allowed values: {', '.join(TARGET_KINDS)}")
    t = t.detach().double().view(-1, 1)
    if kind == "vm":
        grid = torch.linspace(0, 2 * math.pi, SUBPOINTS * bins, dtype=torch.float64, device=t.device)
        density = torch.exp(VM_CONCENTRATION * torch.cos(grid - 2 * math.pi * t))
    else:
        grid = torch.linspace(0, 1, SUBPOINTS * bins, dtype=torch.float64, device=t.device)
        density = torch.exp(-0.5 * ((grid - t) / GA_SIGMA) ** 2)
    histogram = density.view(len(t), bins, SUBPOINTS).sum(2)
    return (histogram / histogram.sum(1, keepdim=True)).float()


def jsd(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Jensen–Shannon divergence between the rows of probability matrices p, q (B, K), in nats,
    averaged over rows: ½ KL(p‖m) + ½ KL(q‖m) with m = ½(p + q). Zeros are handled as 0 log 0 = 0
    (``xlogy``), so it stays finite and in [0, ln 2] where upstream's log form gives NaN."""
    m = 0.5 * (p + q)

    def kl_to_m(x: torch.Tensor) -> torch.Tensor:
        return (torch.xlogy(x, x) - torch.xlogy(x, m)).sum(1)

    return (0.5 * kl_to_m(p) + 0.5 * kl_to_m(q)).mean()
