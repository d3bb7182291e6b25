"""Batched, seeded image transformations on the device: deterministic operations with explicit
per-sample parameters (:mod:`~reprlab.augment.ops`), the random augmentations the loaders use
(:mod:`~reprlab.augment.random`), and DUET's transformation codes with recorded parameters
(:mod:`~reprlab.augment.stack`)."""

from reprlab.augment.random import color_jitter, random_crop_flip, random_resized_crop, sample_crop_boxes
from reprlab.augment.stack import TRANSFORMS, AugStack, check_codes, check_target, equivariance_t

__all__ = ["TRANSFORMS", "AugStack", "check_codes", "check_target", "color_jitter", "equivariance_t",
           "random_crop_flip", "random_resized_crop", "sample_crop_boxes"]
