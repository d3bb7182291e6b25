"""Backbones that map images to feature vectors, and a :class:`Classifier` that puts a head on one."""

from reprlab.models.heads import (
    DeconvDecoder,
    L2Normalize,
    layernorm_predictor,
    projection_head,
    simclr_projection_head,
)
from reprlab.models.registry import MODELS, Classifier, build_backbone, build_model, count_parameters
from reprlab.models.resnet_cifar import WideCifarResNet

__all__ = ["MODELS", "Classifier", "DeconvDecoder", "L2Normalize", "WideCifarResNet", "build_backbone", "build_model",
           "count_parameters", "layernorm_predictor", "projection_head", "simclr_projection_head"]
