"""reprlab: a notebook-driven workbook re-implementing five papers on how image classifiers
represent and learn. The library holds the science; notebooks under ``notebooks/`` wire it up."""

__version__ = "0.1.0"
