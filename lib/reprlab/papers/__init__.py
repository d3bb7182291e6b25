"""One package per paper: its science, its experiment drivers and its figures. Each declares its
claims (``claims.py``), the runs its notebooks start (``runs.py``) and itself as the workbench
receives it (``paper.py``: one :class:`~reprlab.workbench.papers.Paper`); ``workbook.py`` lists them."""
