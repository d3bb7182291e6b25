"""The workbook's papers, in the order the scorecard and the report show them, then the lenses
(every paper's instrument on every model), shown after them. The workbench receives this list
through the entry point ``reprlab.papers`` (``pyproject.toml``)."""

from reprlab.lenses.paper import PAPER as LENSES
from reprlab.papers.agreement.paper import PAPER as AGREEMENT
from reprlab.papers.duet.paper import PAPER as DUET
from reprlab.papers.frequency.paper import PAPER as FREQUENCY
from reprlab.papers.labels.paper import PAPER as LABELS
from reprlab.papers.mcr2.paper import PAPER as MCR2

PAPERS = (LABELS, MCR2, AGREEMENT, DUET, FREQUENCY, LENSES)
