"""Optimizers by name."""

import torch
import torch.nn as nn

OPTIMIZERS = ("sgd", "adam", "adamw")


def build_optimizer(model: nn.Module, name: str, lr: float, *, momentum: float = 0.9,
                    weight_decay: float = 5e-4, nesterov: bool = False,
                    betas: tuple[float, float] = (0.9, 0.999)) -> torch.optim.Optimizer:
    """SGD (momentum, optional Nesterov), Adam or AdamW (``betas``) over the trainable parameters.
    Uses the fused CUDA kernels when every parameter is on a GPU."""
    params = [p for p in model.parameters() if p.requires_grad]
    fused = {"fused": True} if params and all(p.is_cuda for p in params) else {}
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay,
                               nesterov=nesterov, **fused)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=weight_decay, **fused)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay, **fused)
    raise ValueError(f"optimizer={name!r} is unknown; allowed values: {', '.join(OPTIMIZERS)}")
