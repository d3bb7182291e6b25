"""Frequency bias in image classification (Lin, Gao, Sang, IJCAI 2022): image and gradient
spectra, the low/high-pass test sets, HARS, CDES and their experiment drivers and figures."""

from reprlab.papers.frequency.cdes import KernelBank, KernelConfig, class_kernels, restructure, train_kernels
from reprlab.papers.frequency.hars import assign_donors, hars_mix
from reprlab.papers.frequency.spectra import (
    BINNINGS,
    band_count,
    double_density_target,
    frequency_split,
    gradient_spectrum,
    radial_profile,
    spectral_density,
)

__all__ = ["BINNINGS", "KernelBank", "KernelConfig", "assign_donors", "band_count", "class_kernels",
           "double_density_target", "frequency_split", "gradient_spectrum", "hars_mix", "radial_profile",
           "restructure", "spectral_density", "train_kernels"]
