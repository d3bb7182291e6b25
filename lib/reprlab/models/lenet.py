"""LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling, for any input size >= 28."""

import torch
import torch.nn as nn


class LeNet5(nn.Module):
    """Backbone: (B, C, H, W) -> (B, 84). 28x28 inputs are padded by 2 as in the original."""

    def __init__(self, in_channels: int = 1, image_size: int = 32) -> None:
        super().__init__()
        pad = 2 if image_size < 32 else 0
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=pad), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        )
        side = ((image_size + 2 * pad - 4) // 2 - 4) // 2
        if side < 1:
            raise ValueError(f"image_size={image_size} is too small for LeNet-5 (at least 16)")
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(16 * side * side, 120), nn.ReLU(),
                                nn.Linear(120, 84), nn.ReLU())
        self.feature_dim = 84

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.conv(x))
