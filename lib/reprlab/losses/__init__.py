"""Losses. Each is a pure function of tensors with its shapes in the docstring."""

from reprlab.losses.contrastive import gather_with_grad, nt_xent
from reprlab.losses.mcr2 import CodingRates, MCR2Loss, coding_rates, coding_rates_loop
from reprlab.losses.structure import TARGET_KINDS, jsd, structure_target

__all__ = ["TARGET_KINDS", "CodingRates", "MCR2Loss", "coding_rates", "coding_rates_loop", "gather_with_grad", "jsd",
           "nt_xent", "structure_target"]
