"""The frequency paper as the workbench receives it: claims, notebooks, the runs they start."""

from functools import partial

from reprlab.experiments.classification import trained_classifier
from reprlab.papers.frequency import claims, runs
from reprlab.workbench.papers import Paper

PAPER = Paper("frequency", claims.TITLE, claims.CLAIMS, claims.NOTEBOOKS, sweeps=runs.SWEEPS,
              models={"frequency_gradients": partial(trained_classifier, notebook="frequency_gradients")})
