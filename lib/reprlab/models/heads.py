"""Heads that go on a backbone's (B, F) features."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class L2Normalize(nn.Module):
    """Project (B, d) features onto the unit sphere."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x, dim=1)


def projection_head(in_dim: int, out_dim: int, hidden: int | None = None, normalize: bool = True) -> nn.Sequential:
    """MCR2's head: Linear(F, F, no bias) - BatchNorm - ReLU - Linear(F, out_dim), then onto the
    unit sphere. (B, in_dim) -> (B, out_dim)."""
    hidden = hidden or in_dim
    layers: list[nn.Module] = [nn.Linear(in_dim, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True),
                               nn.Linear(hidden, out_dim)]
    if normalize:
        layers.append(L2Normalize())
    return nn.Sequential(*layers)
