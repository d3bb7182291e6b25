"""Experiment drivers that are no single paper's: the supervised classifier (``classification``),
the workbook's baseline experiment that the label, MCR², agreement and frequency papers also train
through. Each paper's own drivers live in ``reprlab.papers.<paper>.training``."""
