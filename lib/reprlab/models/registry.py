"""Model names, and the backbone + head split every experiment builds on."""

from collections.abc import Callable

import torch
import torch.nn as nn

from reprlab.models.lenet import LeNet5
from reprlab.models.resnet_cifar import CifarResNet
from reprlab.models.torchvision_cifar import TorchvisionBackbone
from reprlab.models.vgg import VGG

# name -> builder(in_channels, image_size) returning a backbone with a ``feature_dim`` attribute
MODELS: dict[str, Callable[[int, int], nn.Module]] = {
    **{f"resnet{d}": (lambda c, s, d=d: CifarResNet(d, c)) for d in (20, 32, 44, 56, 110, 1202)},
    **{f"vgg{d}_bn": (lambda c, s, d=d: VGG(d, c)) for d in (11, 13, 16, 19)},
    "resnet18": lambda c, s: TorchvisionBackbone("resnet18", c),
    "resnet50": lambda c, s: TorchvisionBackbone("resnet50", c),
    "densenet121": lambda c, s: TorchvisionBackbone("densenet121", c),
    "lenet5": lambda c, s: LeNet5(c, s),
}


class Classifier(nn.Module):
    """``head(backbone(x))``. ``features(x)`` gives the backbone's (B, feature_dim) output, so a
    head can be swapped (``Classifier(model.backbone, new_head)``) without touching the backbone."""

    def __init__(self, backbone: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.backbone, self.head = backbone, head

    @property
    def feature_dim(self) -> int:
        return self.backbone.feature_dim

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))


def build_backbone(name: str, in_channels: int = 3, image_size: int = 32) -> nn.Module:
    """Backbone ``name`` mapping (B, in_channels, image_size, image_size) to (B, feature_dim)."""
    if name not in MODELS:
        raise ValueError(f"model={name!r} is unknown; allowed values: {', '.join(MODELS)}")
    return MODELS[name](in_channels, image_size)


def build_model(name: str, num_classes: int, in_channels: int = 3, image_size: int = 32) -> Classifier:
    """Backbone ``name`` with a linear head to ``num_classes`` logits."""
    backbone = build_backbone(name, in_channels, image_size)
    return Classifier(backbone, nn.Linear(backbone.feature_dim, num_classes))


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
