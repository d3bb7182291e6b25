"""Backbones that map images to feature vectors, and a :class:`Classifier` that puts a head on one."""

from reprlab.models.registry import MODELS, Classifier, build_backbone, build_model, count_parameters

__all__ = ["MODELS", "Classifier", "build_backbone", "build_model", "count_parameters"]
