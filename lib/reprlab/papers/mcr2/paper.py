"""The mcr2 paper as the workbench receives it: claims, notebooks, the runs they start."""

from reprlab.papers.mcr2 import claims, runs
from reprlab.workbench.papers import Paper

PAPER = Paper("mcr2", claims.TITLE, claims.CLAIMS, claims.NOTEBOOKS, sweeps=runs.SWEEPS,
              models={"mcr2_train": runs.trained_encoder})
