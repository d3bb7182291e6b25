"""The frequency paper as the workbench receives it: claims, notebooks, the runs they start."""

from reprlab.papers.frequency import claims, runs
from reprlab.workbench.papers import Paper

PAPER = Paper("frequency", claims.TITLE, claims.CLAIMS, claims.NOTEBOOKS, sweeps=runs.SWEEPS)
