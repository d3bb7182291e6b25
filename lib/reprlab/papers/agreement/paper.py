"""The agreement paper as the workbench receives it: claims, notebooks, the runs they start."""

from reprlab.papers.agreement import claims, runs
from reprlab.workbench.papers import Paper

PAPER = Paper("agreement", claims.TITLE, claims.CLAIMS, claims.NOTEBOOKS, sweeps=runs.SWEEPS,
              models={"agreement_network": runs.trained_network})
