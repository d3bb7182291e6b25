"""The lenses as the workbench receives them: not a paper, but listed as one after the papers,
so that the report and the scorecard show the lens matrix under its own heading."""

from reprlab.lenses import claims
from reprlab.lenses.instruments import LENSES
from reprlab.lenses.runs import lens_runs
from reprlab.workbench.papers import Paper

PAPER = Paper("lenses", claims.TITLE, claims.CLAIMS, claims.NOTEBOOKS, sweeps={"lenses": lens_runs},
              registries={"lenses": lambda: tuple(LENSES)})
