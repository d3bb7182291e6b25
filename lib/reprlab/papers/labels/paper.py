"""The labels paper as the workbench receives it: claims, notebooks, the runs they start and
the label registries."""

from reprlab.papers.labels import claims, runs
from reprlab.papers.labels.bank import LABEL_TYPES
from reprlab.workbench.papers import Paper

PAPER = Paper("labels", claims.TITLE, claims.CLAIMS, claims.NOTEBOOKS, sweeps=runs.SWEEPS,
              registries={"label_types": lambda: LABEL_TYPES, "labels": lambda: ("category", *LABEL_TYPES)},
              models={"label_training": runs.trained_label_model})
