"""A frozen model's features: over a whole loader, or over a tensor of inputs in batches."""

from collections.abc import Iterable

import torch
import torch.nn as nn


@torch.inference_mode()
def extract_features(model: nn.Module, loader: Iterable) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run ``model`` in eval mode over ``loader``; returns (features (N, d) float32, targets (N,),
    indices (N,)) on the CPU, in loader order."""
    was_training = model.training
    model.eval()
    feats, targets, indices = [], [], []
    for batch in loader:
        feats.append(model(batch.images).float().cpu())
        targets.append(batch.targets.cpu())
        indices.append(batch.indices.cpu())
    model.train(was_training)
    return torch.cat(feats), torch.cat(targets), torch.cat(indices)


@torch.inference_mode()
def encode(model: nn.Module, inputs: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """``model(inputs)`` in eval mode, ``batch_size`` rows at a time on the model's device:
    (N, ...) inputs -> (N, d) float32 features on the CPU."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = torch.cat([model(inputs[i:i + batch_size].to(device)).float().cpu()
                     for i in range(0, len(inputs), batch_size)])
    model.train(was_training)
    return out
