"""Experiment drivers: the science a notebook runs, as plain functions (also usable from torchrun)."""
