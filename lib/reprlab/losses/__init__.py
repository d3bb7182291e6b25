"""Losses. Each is a pure function of tensors with its shapes in the docstring."""

from reprlab.losses.mcr2 import CodingRates, MCR2Loss, coding_rates, coding_rates_loop

__all__ = ["CodingRates", "MCR2Loss", "coding_rates", "coding_rates_loop"]
