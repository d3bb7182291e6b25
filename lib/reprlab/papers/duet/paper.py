"""The duet paper as the workbench receives it: claims, notebooks, the runs they start, the
encoders registry and the check of duet_train's parameter combinations."""

from reprlab.papers.duet import claims, runs
from reprlab.papers.duet.methods import METHODS
from reprlab.papers.duet.models import ENCODERS
from reprlab.papers.duet.training import DuetJob
from reprlab.workbench.papers import Paper

PAPER = Paper("duet", claims.TITLE, claims.CLAIMS, claims.NOTEBOOKS, sweeps=runs.SWEEPS,
              registries={"encoders": lambda: ENCODERS, "ssl_methods": lambda: tuple(METHODS)},
              checks={"duet_train": DuetJob.from_params}, models={"duet_train": runs.trained_ssl_model})
