"""torchvision's ResNet-18/50 and DenseNet-121 with a CIFAR stem: a 3x3 stride-1 first conv and
no initial max-pool (kuangliu/pytorch-cifar style), so 32x32 inputs keep their resolution."""

import torch
import torch.nn as nn
import torchvision


class TorchvisionBackbone(nn.Module):
    """Backbone: (B, C, H, W) -> (B, F) with F = 512 (ResNet-18), 2048 (ResNet-50), 1024 (DenseNet-121)."""

    def __init__(self, arch: str, in_channels: int = 3) -> None:
        super().__init__()
        if arch in ("resnet18", "resnet50"):
            net = getattr(torchvision.models, arch)(weights=None)
            net.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
            net.maxpool = nn.Identity()
            self.feature_dim = net.fc.in_features
            net.fc = nn.Identity()
        elif arch == "densenet121":
            net = torchvision.models.densenet121(weights=None)
            net.features.conv0 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
            net.features.pool0 = nn.Identity()
            self.feature_dim = net.classifier.in_features
            net.classifier = nn.Identity()
        else:
            raise ValueError(f"arch={arch!r}; allowed values: resnet18, resnet50, densenet121")
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
