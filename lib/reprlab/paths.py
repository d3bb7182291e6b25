"""Where things live. Every location can be moved with an environment variable so that
JupyterLab (cwd = notebooks/), papermill (cwd = the run directory) and tests agree."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _dir(env: str, default: Path) -> Path:
    return Path(os.environ.get(env, default)).expanduser().resolve()


def data_dir() -> Path:
    """Dataset cache (``$REPRLAB_DATA``, default ``<repo>/data``)."""
    return _dir("REPRLAB_DATA", REPO_ROOT / "data")


def runs_dir() -> Path:
    """Root of all run directories (``$REPRLAB_RUNS``, default ``<repo>/runs``)."""
    return _dir("REPRLAB_RUNS", REPO_ROOT / "runs")


def reports_dir() -> Path:
    """Where the HTML report is written (``$REPRLAB_REPORTS``, default ``<repo>/reports``)."""
    return _dir("REPRLAB_REPORTS", REPO_ROOT / "reports")


def labels_dir() -> Path:
    """Label bank written by the label-generation notebook (``$REPRLAB_LABELS``)."""
    return _dir("REPRLAB_LABELS", REPO_ROOT / "labels")


def rehearsal_dir() -> Path:
    """A CPU rehearsal's own runs, fixture data, labels and report (``$REPRLAB_REHEARSAL_DIR``,
    default ``<repo>/rehearsal``)."""
    return _dir("REPRLAB_REHEARSAL_DIR", REPO_ROOT / "rehearsal")


def notebooks_dir() -> Path:
    """The jupytext notebooks and their profiles (``$REPRLAB_NOTEBOOKS``)."""
    return _dir("REPRLAB_NOTEBOOKS", REPO_ROOT / "notebooks")
