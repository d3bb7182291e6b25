"""Run directories: ``runs/<notebook>/<profile>-<hash of parameters>/`` holding the executed
notebook, ``params.json``, ``status.json``, ``metrics.json``, ``figures/`` and ``checkpoints/``."""

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reprlab import paths
from reprlab.io import read_json

#: Parameters that do not change the science and so do not enter the run's identity.
NON_IDENTITY = frozenset({"run_dir", "progress", "device", "fresh"})


def params_hash(params: dict[str, Any]) -> str:
    """Short stable hash of the identity-relevant parameters."""
    ident = {k: v for k, v in sorted(params.items()) if k not in NON_IDENTITY}
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[:10]


def run_dir_for(notebook: str, profile: str, params: dict[str, Any]) -> Path:
    """Where the run of ``notebook`` under ``profile`` with ``params`` lives."""
    return paths.runs_dir() / notebook / f"{profile}-{params_hash(params)}"


@contextlib.contextmanager
def run_lock(run_dir: Path, log: Callable[[str], None] = print) -> Iterator[None]:
    """Hold the run directory's lock (an OS lock on ``<runs>/<notebook>/.<name>.lock``, beside the
    directory so that moving it aside keeps the lock). A second process asking for the same run
    waits, saying which process holds it; the OS releases the lock when its holder dies, so a
    killed run never blocks the next one."""
    lock_path = run_dir.parent / f".{run_dir.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            log(f"{run_dir} is in use by process {holder}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def read_status(run_dir: Path, log: Callable[[str], None] = print) -> dict[str, Any] | None:
    """The run's ``status.json``, or None for a new run. A damaged file (unreadable JSON, or no
    ``status``) is reported with its path and read as an interrupted run, so it resumes."""
    path = run_dir / "status.json"
    if not path.exists():
        return None
    try:
        status = read_json(path)
        if not isinstance(status, dict) or not isinstance(status.get("status"), str):
            raise ValueError("it has no 'status' entry")
        return status
    except (ValueError, OSError) as err:
        attempts = len(list((run_dir / "attempts").glob("*.ipynb"))) + 1
        log(f"{path} is damaged ({err}); treating the run as interrupted")
        return {"status": "interrupted", "attempt": attempts}


def move_aside(run_dir: Path) -> Path:
    """Move a run directory to ``<name>~<timestamp>`` (kept, never deleted); returns the new path."""
    aside = run_dir.with_name(f"{run_dir.name}~{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.move(run_dir, aside)
    return aside
