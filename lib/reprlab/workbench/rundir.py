"""Run directories: ``runs/<notebook>/<profile>-<hash of parameters>/`` holding the executed
notebook, ``params.json``, ``status.json``, ``metrics.json``, ``figures/`` and ``checkpoints/``."""

import hashlib
import json
from pathlib import Path
from typing import Any

from reprlab import paths

#: Parameters that do not change the science and so do not enter the run's identity.
NON_IDENTITY = frozenset({"run_dir", "progress", "device"})


def params_hash(params: dict[str, Any]) -> str:
    """Short stable hash of the identity-relevant parameters."""
    ident = {k: v for k, v in sorted(params.items()) if k not in NON_IDENTITY}
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[:10]


def run_dir_for(notebook: str, profile: str, params: dict[str, Any]) -> Path:
    """Where the run of ``notebook`` under ``profile`` with ``params`` lives."""
    return paths.runs_dir() / notebook / f"{profile}-{params_hash(params)}"
