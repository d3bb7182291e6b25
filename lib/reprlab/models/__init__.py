"""Backbones that map images to feature vectors, and a :class:`Classifier` that puts a head on one."""

from reprlab.models.heads import DeconvDecoder, L2Normalize, projection_head
from reprlab.models.registry import MODELS, Classifier, build_backbone, build_model, count_parameters

__all__ = ["MODELS", "Classifier", "DeconvDecoder", "L2Normalize", "build_backbone", "build_model", "count_parameters",
           "projection_head"]
