"""The encoder and the model every self-supervised method trains (apple/ml-duet ``models/duet.py``,
``models/essl.py``).

The encoder maps an image to a D-dimensional representation z (D = 512 for upstream's widened
ResNets). :class:`SSLModel` carries the encoder, the online linear probe on the detached z (every
method gets it), and the heads its method asks for (:mod:`reprlab.papers.duet.methods`).
"""

import torch
import torch.nn as nn

from reprlab.models import WideCifarResNet
from reprlab.papers.duet.methods import SSLMethod

ENCODERS = tuple(f"cifar10_resnet{d}" for d in (20, 32, 44, 56, 110, 1202))


def build_encoder(name: str, in_channels: int, width: float = 1.0) -> WideCifarResNet:
    """Upstream's encoder ``cifar10_resnet<depth>`` (widened, option-B), ``width`` x its channels."""
    if name not in ENCODERS:
        raise ValueError(f"encoder={name!r} is unknown; allowed values: {', '.join(ENCODERS)}")
    return WideCifarResNet(int(name.removeprefix("cifar10_resnet")), in_channels, width)


class SSLModel(nn.Module):
    """Encoder, online probe and the heads of ``method``.

    ``forward(view1, view2, extra_images=None)``: two (B, C, H, W) normalised views (one encoder
    call when their sizes match) and the method's extra view, if it has one -> with N = 2B rows,
    view 1's first, ``{"z": (N, D), "probe": (B, num_classes) logits of view 1's detached z}``
    plus the method's outputs (``"projection": (N, proj_dim)``, DUET's ``"group_logits": (N, G)``,
    ESSL's ``"essl"``)."""

    def __init__(self, method: SSLMethod, encoder: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.method = method
        self.encoder = encoder
        heads = method.heads(encoder.feature_dim)
        # registration order is parameter order, which the optimiser's saved state follows: runs
        # made before methods were classes (encoder, head, probe, predictor) resume unchanged
        self.add_module("head", heads.pop("head", None))
        self.probe = nn.Linear(encoder.feature_dim, num_classes)
        for attribute, module in heads.items():
            self.add_module(attribute, module)

    @property
    def feature_dim(self) -> int:
        return self.encoder.feature_dim

    def forward(self, view1: torch.Tensor, view2: torch.Tensor, extra_images: torch.Tensor | None = None
                ) -> dict[str, torch.Tensor]:
        if view1.shape == view2.shape:
            z = self.encoder(torch.cat([view1, view2]))
        else:  # upstream without ``sca`` under center_crop: 36-pixel augmented views, 32-pixel test views
            z = torch.cat([self.encoder(view1), self.encoder(view2)])
        return {"z": z, "probe": self.probe(z[:len(view1)].detach()), **self.method.outputs(self, z, extra_images)}
