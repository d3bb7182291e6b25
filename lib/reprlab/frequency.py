"""``reprlab.frequency``: the public names of the frequency-bias paper (``radial_profile``,
``gradient_spectrum``, ``spectral_density``, ``double_density_target``, ``frequency_split``,
``hars_mix``, the CDES kernels), which live in :mod:`reprlab.papers.frequency`."""

from reprlab.papers.frequency import *  # noqa: F403
from reprlab.papers.frequency import __all__  # noqa: F401
