"""Gradients of a loss with respect to the model's input, the building block of gradient attacks
and of input-gradient spectra."""

from collections.abc import Callable

import torch
import torch.nn as nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def input_gradient(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, loss_fn: LossFn) -> torch.Tensor:
    """d loss_fn(model(images), labels) / d images: (B, C, H, W), same dtype and device as
    ``images``. The model's mode (train/eval) and parameters' gradients are left untouched; works
    inside ``torch.no_grad()``."""
    images = images.detach().requires_grad_(True)
    with torch.enable_grad():
        loss = loss_fn(model(images), labels)
        (grad,) = torch.autograd.grad(loss, images)
    return grad
