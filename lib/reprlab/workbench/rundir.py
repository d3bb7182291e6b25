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
from reprlab.io import read_json, write_json

#: What a run's ``status.json`` says it is: executing, ended (completed, failed, interrupted: it
#: resumes when run again; cancelled by the cluster: the same), or made by hand in JupyterLab.
RUNNING, COMPLETED, FAILED, INTERRUPTED, CANCELLED, INTERACTIVE = (
    "running", "completed", "failed", "interrupted", "cancelled", "interactive")
#: What a result says besides: the run was complete already, and nothing executed.
REUSED = "reused"

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
        return {"status": INTERRUPTED, "attempt": attempts}


def move_aside(run_dir: Path) -> Path:
    """Move a run directory to ``<name>~<timestamp>`` (kept, never deleted); returns the new path."""
    aside = run_dir.with_name(f"{run_dir.name}~{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.move(run_dir, aside)
    return aside


#: Files outside its directory that a run read or wrote, with their SHA-256 (``record_files``).
FILES = "files.json"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_files(run_dir: Path, *, read: tuple[Path, ...] = (), wrote: tuple[Path, ...] = ()) -> None:
    """Record in ``files.json`` the files outside ``run_dir`` that the run read (its inputs, e.g. a
    label bank) and wrote (its outputs elsewhere, e.g. the label bank), each with its digest now.
    :func:`out_of_date` compares them later."""
    path = run_dir / FILES
    recorded = read_json(path) if path.exists() else {}
    for role, files in (("read", read), ("wrote", wrote)):
        recorded.setdefault(role, {}).update({str(Path(f).resolve()): file_digest(Path(f)) for f in files})
    write_json(path, recorded)


def out_of_date(run_dir: Path) -> str:
    """Why a run's results no longer follow from its files ("" when they do): its ``metrics.json``
    is damaged, a file it wrote is missing or changed, or a file it read has changed since. Such
    a run is run again (the old directory moved aside), never reused or resumed."""
    metrics = run_dir / "metrics.json"
    if metrics.exists():
        try:
            read_json(metrics)
        except (ValueError, OSError) as err:
            return f"its {metrics} is damaged ({type(err).__name__}: {err})"
    path = run_dir / FILES
    if not path.exists():
        return ""
    try:
        recorded = read_json(path)
    except ValueError:
        return f"{path} is damaged"
    for role, verb in (("wrote", "wrote"), ("read", "read")):
        for name, digest in recorded.get(role, {}).items():
            if not Path(name).exists():
                return f"{name}, which it {verb}, is missing"
            if file_digest(Path(name)) != digest:
                return f"{name}, which it {verb}, has changed since"
    return ""
