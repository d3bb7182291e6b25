"""Feature extraction over a whole loader."""

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
