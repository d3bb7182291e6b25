"""Execute notebooks headlessly with papermill under a named profile.

Profiles are YAML files ``notebooks/profiles/<profile>.yaml`` mapping notebook names to
parameter values; ``run-all`` runs the notebooks a profile names, in the file's order.
Every run gets its own directory (see :mod:`reprlab.workbench.rundir`). A completed run is reused, an
interrupted or failed one resumes in place (its earlier executed notebooks are kept under
``attempts/``), and ``rerun=True`` moves the old directory aside instead of overwriting it.
"""

import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reprlab import paths
from reprlab.io import read_json, write_json
from reprlab.workbench.parameters import default_parameters, notebook_parameters, notebook_path, validate
from reprlab.workbench.rundir import run_dir_for

PARENT_ENV = "REPRLAB_PARENT_RUN"


def list_profiles() -> list[str]:
    return sorted(p.stem for p in (paths.notebooks_dir() / "profiles").glob("*.yaml"))


def load_profile(profile: str) -> dict[str, dict[str, Any]]:
    """``{notebook: {parameter: value}}`` of profile ``profile``, in file order."""
    path = paths.notebooks_dir() / "profiles" / f"{profile}.yaml"
    if not path.exists():
        raise ValueError(f"profile={profile!r} does not exist; allowed values: {', '.join(list_profiles())}")
    content = yaml.safe_load(path.read_text()) or {}
    if not isinstance(content, dict) or not all(isinstance(v, dict | None) for v in content.values()):
        raise ValueError(f"{path} must map notebook names to parameter mappings")
    return {nb: dict(values or {}) for nb, values in content.items()}


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["epochs=3", "lr=0.1"]`` -> ``{"epochs": "3", "lr": "0.1"}`` (typed later by validation)."""
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"-p {pair!r}: expected key=value")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def resolve_parameters(notebook: str, profile: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Notebook defaults, then the profile's values, then ``overrides``; all validated."""
    section = load_profile(profile).get(notebook, {})
    values = {**validate(notebook, section), **validate(notebook, overrides or {})}
    return {**default_parameters(notebook), **values}


@dataclass
class RunResult:
    """A run of ``notebook``: its directory, how it ended (``"completed"``, ``"reused"`` or
    ``"failed"``), the error if it failed, and the parameters it ran with (every parameter)."""

    notebook: str
    run_dir: Path
    status: str
    params: dict[str, Any]
    error: str = ""

    @property
    def metrics(self) -> dict[str, Any]:
        path = self.run_dir / "metrics.json"
        return read_json(path) if path.exists() else {}


def run_notebook(notebook: str, profile: str, overrides: dict[str, Any] | None = None, *,
                 rerun: bool = False, log=print) -> RunResult:
    """Execute ``notebooks/<notebook>.py`` under ``profile`` with ``overrides``.

    Parameters are validated before anything executes. Returns a :class:`RunResult`; a failing
    notebook gives status ``"failed"`` with its partial outputs left in the run directory.
    """
    import jupytext
    import papermill as pm

    params = resolve_parameters(notebook, profile, overrides)
    run_dir = run_dir_for(notebook, profile, params)
    status_path = run_dir / "status.json"
    status = read_json(status_path) if status_path.exists() else None
    if status and status["status"] == "completed" and not rerun:
        log(f"[{notebook}] reusing completed run {run_dir} (pass --rerun to run it again)")
        return RunResult(notebook, run_dir, "reused", params)
    if status and rerun:
        aside = run_dir.with_name(f"{run_dir.name}~{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.move(run_dir, aside)
        log(f"[{notebook}] moved the previous run to {aside}")
        status = None
    attempt = (status or {}).get("attempt", 0) + 1
    executed = run_dir / f"{notebook}.ipynb"
    if status:
        log(f"[{notebook}] resuming {status['status']} run {run_dir} (attempt {attempt})")
        if executed.exists():
            (run_dir / "attempts").mkdir(exist_ok=True)
            executed.rename(run_dir / "attempts" / f"{attempt - 1}-{notebook}.ipynb")
    else:
        log(f"[{notebook}] new run {run_dir}")
    run_dir.mkdir(parents=True, exist_ok=True)
    params["run_dir"] = str(run_dir)
    if "progress" in params:
        params["progress"] = False  # live bars freeze in saved notebooks
    parent = os.environ.get(PARENT_ENV, "")  # set when a notebook runs another notebook
    write_json(status_path, {"status": "running", "attempt": attempt, "profile": profile, "parent": parent,
                             "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "parameters": params})
    _stream_notebook_output()
    start = time.time()
    os.environ[PARENT_ENV] = str(run_dir)  # inherited by the kernel, so its own runs know their caller
    try:
        pm.execute_notebook(jupytext.read(notebook_path(notebook)), str(executed), parameters=params,
                            kernel_name="python3", cwd=str(run_dir), progress_bar=False, log_output=True)
    except pm.PapermillExecutionError as err:
        message = f"{err.ename}: {err.evalue}"
        _finish(status_path, "failed", start, error=message)
        log(f"[{notebook}] FAILED ({message}); partial outputs kept in {run_dir}, see {executed}")
        return RunResult(notebook, run_dir, "failed", params, message)
    finally:
        if parent:
            os.environ[PARENT_ENV] = parent
        else:
            del os.environ[PARENT_ENV]
    _finish(status_path, "completed", start)
    log(f"[{notebook}] completed in {time.time() - start:.0f}s -> {run_dir}")
    return RunResult(notebook, run_dir, "completed", params)


def run_all(profile: str, overrides: dict[str, Any] | None = None, *, rerun: bool = False,
            log=print) -> list[RunResult]:
    """Run every notebook ``profile`` names, in order; stops at the first failure."""
    results = []
    for notebook in load_profile(profile):
        applicable = {k: v for k, v in (overrides or {}).items() if k in notebook_parameters(notebook)}
        results.append(run_notebook(notebook, profile, applicable, rerun=rerun, log=log))
        if results[-1].status == "failed":
            break
    return results


def _finish(status_path: Path, state: str, start: float, error: str = "") -> None:
    status = read_json(status_path)
    status.update(status=state, finished=time.strftime("%Y-%m-%dT%H:%M:%S"),
                  seconds=round(time.time() - start, 1), error=error)
    write_json(status_path, status)


def _stream_notebook_output() -> None:
    """Show the kernel's output (one line per epoch) on the console, without papermill's noise."""
    logger = logging.getLogger("papermill")
    if not any(getattr(h, "_reprlab", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("    %(message)s"))
        noise = ("Executing", "Ending Cell", "Input Notebook", "Output Notebook", "Working directory",
                 "without encryption")
        handler.addFilter(lambda r: not any(n in r.getMessage() for n in noise))
        handler._reprlab = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
