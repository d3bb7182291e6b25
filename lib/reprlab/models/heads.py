"""Heads that go on a backbone's (B, F) features."""

import itertools

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


def simclr_projection_head(in_dim: int, hidden: int = 2048, out_dim: int = 128) -> nn.Sequential:
    """SimCLR's projection head as upstream DUET: Linear-BN-ReLU-Linear-BN-ReLU-Linear-BN.
    (B, in_dim) -> (B, out_dim)."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True),
                         nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True),
                         nn.Linear(hidden, out_dim), nn.BatchNorm1d(out_dim))


def layernorm_predictor(in_dim: int, out_dim: int, hidden: int = 2048) -> nn.Sequential:
    """ESSL's predictor: Linear-LayerNorm-ReLU-Linear-LayerNorm-ReLU-Linear. (B, in_dim) -> (B, out_dim)."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.LayerNorm(hidden), nn.ReLU(inplace=True),
                         nn.Linear(hidden, hidden), nn.LayerNorm(hidden), nn.ReLU(inplace=True),
                         nn.Linear(hidden, out_dim))


class DeconvDecoder(nn.Module):
    """Upstream ``HighDimensionalModel`` head: BatchNorm1d(F) - LeakyReLU(0.01) - Linear(F, 64),
    viewed as 64x1x1, then transposed convolutions 1 -> 4 -> 8 -> 16 -> 32 -> 64 (out_size=64), or
    with a 3x3 first kernel 1 -> 3 -> 6 -> 12 -> 24 -> 48 (out_size=48, ``BERTHighDimensionalModel``),
    BatchNorm + LeakyReLU between them and no output activation. (B, F) -> (B, out_size, out_size)."""

    def __init__(self, in_dim: int, out_size: int = 64) -> None:
        super().__init__()
        if out_size not in (48, 64):
            raise ValueError(f"out_size={out_size!r}; allowed values: 48, 64")
        self.project = nn.Sequential(nn.BatchNorm1d(in_dim), nn.LeakyReLU(0.01), nn.Linear(in_dim, 64))
        layers: list[nn.Module] = [nn.ConvTranspose2d(64, 64, 4 if out_size == 64 else 3, 1, 0)]
        for c_in, c_out in itertools.pairwise([64, 32, 16, 8]):
            layers += [nn.BatchNorm2d(c_in), nn.LeakyReLU(0.01), nn.ConvTranspose2d(c_in, c_out, 4, 2, 1)]
        layers += [nn.BatchNorm2d(8), nn.LeakyReLU(0.01), nn.ConvTranspose2d(8, 1, 4, 2, 1)]
        self.decode = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.project(x).view(-1, 64, 1, 1)).squeeze(1)
