"""DUET, SimCLR and ESSL on one encoder (apple/ml-duet ``models/duet.py``, ``models/essl.py``).

The encoder maps an image to a D-dimensional representation z (D = 512 for upstream's widened
ResNets). DUET reads z as a 2D matrix (G, C = D / G), **G-major**: bin g holds z[g C:(g + 1) C]
(upstream's ``view(B, K=1, G, C)``). Its content is the sum over G (B, C), which goes to the
projection head; its group logits are the mean over C (B, G) (``group_pooling="sum"``: the
paper's "sum of the rows", 64 times the mean at upstream's size; spec bug 9). SimCLR and ESSL
project the whole z. Every model carries the online linear probe on the detached z, and ESSL its
LayerNorm predictor on the encoder output.
"""

import torch
import torch.nn as nn

from reprlab.models import WideCifarResNet, layernorm_predictor, simclr_projection_head

METHODS = ("duet", "simclr", "essl")
GROUP_POOLINGS = ("mean", "sum")
ENCODERS = tuple(f"cifar10_resnet{d}" for d in (20, 32, 44, 56, 110, 1202))


def build_encoder(name: str, in_channels: int, width: float = 1.0) -> WideCifarResNet:
    """Upstream's encoder ``cifar10_resnet<depth>`` (widened, option-B), ``width`` x its channels."""
    if name not in ENCODERS:
        raise ValueError(f"encoder={name!r} is unknown; allowed values: {', '.join(ENCODERS)}")
    return WideCifarResNet(int(name.removeprefix("cifar10_resnet")), in_channels, width)


def check_bins(bins: int, width: int) -> None:
    """Raise ``ValueError`` naming ``duet_bins`` unless G >= 2 divides the representation width."""
    if bins < 2 or width % bins:
        raise ValueError(f"duet_bins={bins} must be at least 2 and divide the representation width {width} "
                         f"(allowed: {', '.join(str(g) for g in range(2, width + 1) if width % g == 0)})")


class SSLModel(nn.Module):
    """Encoder, projection head, online probe, and DUET's 2D split or ESSL's predictor.

    ``forward(view1, view2, essl_images=None)``: two (B, C, H, W) normalised views (one encoder
    call when their sizes match) -> with N = 2B rows, view 1's first, ``{"z": (N, D),
    "projection": (N, proj_dim), "probe": (B, num_classes) logits of view 1's detached z,
    "group_logits": (N, G) for DUET, "essl": (M, essl_outputs) for ESSL's images}``."""

    def __init__(self, method: str, encoder: nn.Module, num_classes: int, *, bins: int = 8,
                 group_pooling: str = "mean", proj_hidden: int = 2048, proj_dim: int = 128,
                 essl_outputs: int = 0) -> None:
        super().__init__()
        if method not in METHODS:
            raise ValueError(f"model={method!r}; allowed values: {', '.join(METHODS)}")
        if group_pooling not in GROUP_POOLINGS:
            raise ValueError(f"group_pooling={group_pooling!r}; allowed values: {', '.join(GROUP_POOLINGS)}")
        width = encoder.feature_dim
        if method == "duet":
            check_bins(bins, width)
        self.method, self.bins, self.group_pooling = method, bins if method == "duet" else 0, group_pooling
        self.encoder = encoder
        self.head = simclr_projection_head(width // bins if method == "duet" else width, proj_hidden, proj_dim)
        self.probe = nn.Linear(width, num_classes)
        self.predictor = layernorm_predictor(width, essl_outputs, proj_hidden) if method == "essl" else None

    @property
    def feature_dim(self) -> int:
        return self.encoder.feature_dim

    def groups(self, z: torch.Tensor) -> torch.Tensor:
        """DUET's 2D view of z: (B, D) -> (B, G, C), G-major."""
        return z.view(len(z), self.bins, -1)

    def content_and_group_logits(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(content: sum over G, (B, C); group logits: mean or sum over C, (B, G))."""
        grid = self.groups(z)
        pooled = grid.mean(2) if self.group_pooling == "mean" else grid.sum(2)
        return grid.sum(1), pooled

    def forward(self, view1: torch.Tensor, view2: torch.Tensor, essl_images: torch.Tensor | None = None
                ) -> dict[str, torch.Tensor]:
        if view1.shape == view2.shape:
            z = self.encoder(torch.cat([view1, view2]))
        else:  # upstream without ``sca`` under center_crop: 36-pixel augmented views, 32-pixel test views
            z = torch.cat([self.encoder(view1), self.encoder(view2)])
        out = {"z": z, "probe": self.probe(z[:len(view1)].detach())}
        if self.method == "duet":
            content, out["group_logits"] = self.content_and_group_logits(z)
            out["projection"] = self.head(content)
        else:
            out["projection"] = self.head(z)
        if essl_images is not None and self.predictor is not None:
            out["essl"] = self.predictor(self.encoder(essl_images))
        return out
