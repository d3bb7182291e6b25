"""One package per paper: its science, its experiment drivers and its figures. Each declares its
claims (``claims.py``: ``TITLE``, ``CLAIMS``) and the runs its notebooks start (``runs.py``: ``SWEEPS``)."""

PAPERS = ("labels", "mcr2", "agreement", "duet", "frequency")
