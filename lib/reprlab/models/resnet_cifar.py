"""He et al. (2016) CIFAR ResNets (depth 6n+2, widths 16/32/64, option-A identity shortcuts),
as in akamaster/pytorch_resnet_cifar10: ResNet-20/32/44/56/110/1202 have 0.27/0.46/0.66/0.85/1.7/19.4 M
parameters with a 10-way head; and DUET's widened variant (:class:`WideCifarResNet`)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class _ShortcutA(nn.Module):
    """Option A: subsample spatially and zero-pad the new channels (no parameters)."""

    def __init__(self, extra_channels: int) -> None:
        super().__init__()
        self.pad = extra_channels // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with BatchNorm and a shortcut: option ``"A"`` (zero-padding, no
    parameters) or ``"B"`` (a 1x1 convolution + BatchNorm where the shape changes)."""

    def __init__(self, in_planes: int, planes: int, stride: int, shortcut: str = "A") -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        changes = stride != 1 or in_planes != planes
        if not changes:
            self.shortcut: nn.Module = nn.Identity()
        elif shortcut == "A":
            self.shortcut = _ShortcutA(planes - in_planes)
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class CifarResNet(nn.Module):
    """Backbone: (B, C, H, W) -> (B, 64) after global average pooling."""

    def __init__(self, depth: int, in_channels: int = 3) -> None:
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"depth={depth} must be 6n+2 (20, 32, 44, 56, 110, 1202)")
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, in_planes = [], 16
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(n):
                layers.append(BasicBlock(in_planes, planes, stride if i == 0 else 1))
                in_planes = planes
        self.layers = nn.Sequential(*layers)
        self.feature_dim = 64
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return F.adaptive_avg_pool2d(x, 1).flatten(1)


class WideCifarResNet(nn.Module):
    """DUET's widened CIFAR ResNet (apple/ml-duet ``cifar10_resnet.py``): stem conv3x3 to 64
    channels, stages of 128 / 256 / 512 channels (strides 1 / 2 / 2) of option-B blocks, global
    average pooling, then an affine ``BatchNorm1d(512)`` and no ReLU; Kaiming-normal convolutions.
    ``width`` scales every channel count (1.0 is upstream: ResNet-32 has 29.6 M parameters) so CPU
    runs are possible. (B, C, H, W) -> (B, feature_dim) for any image size."""

    def __init__(self, depth: int, in_channels: int = 3, width: float = 1.0) -> None:
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"depth={depth} must be 6n+2 (20, 32, 44, 56, 110, 1202)")
        if width <= 0:
            raise ValueError(f"width={width!r} must be positive")
        n = (depth - 2) // 6
        stem, *stages = (self.channels(c, width) for c in (64, 128, 256, 512))
        self.conv1 = nn.Conv2d(in_channels, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        layers, in_planes = [], stem
        for planes, stride in zip(stages, (1, 2, 2), strict=True):
            for i in range(n):
                layers.append(BasicBlock(in_planes, planes, stride if i == 0 else 1, shortcut="B"))
                in_planes = planes
        self.layers = nn.Sequential(*layers)
        self.feature_dim = in_planes
        self.bn_out = nn.BatchNorm1d(in_planes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)

    @staticmethod
    def channels(base: int, width: float) -> int:
        """Channels of a layer with ``base`` channels at upstream's width, scaled by ``width``
        (``channels(512, width)`` is the representation's width)."""
        return max(1, round(base * width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.bn_out(F.adaptive_avg_pool2d(x, 1).flatten(1))
