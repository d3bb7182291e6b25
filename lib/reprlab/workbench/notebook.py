"""The notebook prelude: every notebook calls :func:`start_run` right after its parameters cell
and gets a :class:`Run` that knows where to put metrics, figures and checkpoints."""

import os
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from reprlab import __version__
from reprlab.io import atomic_write, read_json, write_json
from reprlab.workbench.parameters import check_combination, default_parameters, notebook_parameters, validate
from reprlab.workbench.rundir import INTERACTIVE, move_aside, record_files, run_dir_for
from reprlab.workbench.spec import resolve_parameters

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Run:
    """One run directory, seen from inside the notebook. ``interactive``: opened in JupyterLab
    (a front end draws widgets), not executed by the runner."""

    def __init__(self, directory: str | Path, params: dict[str, Any], interactive: bool = False) -> None:
        self.dir = Path(directory)
        self.params = params
        self.interactive = interactive
        self.figures_dir = self.dir / "figures"
        self.dir.mkdir(parents=True, exist_ok=True)

    @property
    def metrics_path(self) -> Path:
        return self.dir / "metrics.json"

    def log_metrics(self, **metrics: Any) -> dict[str, Any]:
        """Merge ``metrics`` into ``metrics.json`` (written atomically); returns all metrics."""
        current = read_json(self.metrics_path) if self.metrics_path.exists() else {}
        current.update(metrics)
        write_json(self.metrics_path, current)
        return current

    def read(self, *files: str | Path) -> None:
        """Record files outside the run directory that this run's results depend on (e.g. a label
        bank): when one changes, the run is out of date and runs again instead of being reused."""
        record_files(self.dir, read=tuple(Path(f) for f in files))

    def wrote(self, *files: str | Path) -> None:
        """Record files outside the run directory that this run made (e.g. a label bank): when one
        goes missing or changes, the run is out of date and runs again, which writes them anew."""
        record_files(self.dir, wrote=tuple(Path(f) for f in files))

    def save_figure(self, fig: "Figure", name: str) -> None:
        """Save ``fig`` as ``figures/<name>.png`` (150 dpi) and ``figures/<name>.svg``."""
        for ext in ("png", "svg"):
            atomic_write(self.figures_dir / f"{name}.{ext}",
                         lambda p, ext=ext: fig.savefig(p, format=ext, dpi=150, bbox_inches="tight"))


#: The profile a notebook opened in JupyterLab runs at (``make lab`` sets it; empty: the cell's values).
PROFILE_ENV = "REPRLAB_PROFILE"


def start_run(notebook: str, namespace: dict[str, Any]) -> Run:
    """Collect the notebook's parameters from ``namespace`` (pass ``globals()``; executed by the
    runner: those its ``status.json`` names, already checked; opened by hand: those the parameters
    cell declares, checked here), pick the run directory (``run_dir`` if the runner set it, else
    ``runs/<notebook>/interactive-<hash>``), and record ``params.json``.

    Opened by hand (no ``run_dir``), the values are checked against the parameters cell's contract
    before anything is created, and under a profile (``$REPRLAB_PROFILE``: ``smoke``, ``quick``,
    ``paper``...) the profile's values replace the cell's defaults; a value edited in the cell (one
    that differs from its declared default) still wins. The values used are written back into
    ``namespace``, so every later cell sees them.

    An interactive run whose directory already holds a run says so loudly (which commit made it),
    since its checkpoint is resumed or reused rather than trained again; with the parameter
    ``fresh=True`` the old directory is moved aside first. Interactive runs also get a
    ``status.json``, so the report lists them."""
    executed_by_runner = namespace.get("run_dir")
    # the runner's status.json names the parameters it injected, checked where the run was planned
    names = (read_json(Path(executed_by_runner) / "status.json")["parameters"] if executed_by_runner
             else notebook_parameters(notebook))
    params = {name: namespace[name] for name in names}
    interactive = not executed_by_runner
    profile = ""
    if interactive:
        profile = os.environ.get(PROFILE_ENV, "")
        params = interactive_parameters(notebook, params, profile)
        namespace.update(params)
    directory = params.get("run_dir") or run_dir_for(notebook, "interactive", params)
    if interactive and Path(directory).exists():
        previous = Path(directory) / "params.json"
        made_by = read_json(previous).get("git", "unknown") if previous.exists() else "unknown"
        if params.get("fresh"):
            print(f"fresh=True: the earlier run (commit {made_by}) moved to {move_aside(Path(directory))}")
        elif (Path(directory) / "checkpoints").exists():
            print(f"NOTE: {directory} already holds a run made by commit {made_by} (this is {_git_sha()}): its "
                  "checkpoint is resumed, or reused as it is when training finished. Set fresh=True to train anew.")
    run = Run(directory, params, interactive)
    write_json(run.dir / "params.json", {"notebook": notebook, "parameters": params,
                                        "reprlab": __version__, "torch": torch.__version__,
                                        "git": _git_sha()})
    if interactive:
        write_json(run.dir / "status.json", {"status": INTERACTIVE, "profile": "interactive",
                                             "at_profile": profile, "parent": "",
                                             "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                             "parameters": params})
    print(f"run directory: {run.dir}")
    return run


def interactive_parameters(notebook: str, cell: dict[str, Any], profile: str = "") -> dict[str, Any]:
    """The values a notebook opened by hand runs with: ``profile``'s values (none when empty) over
    the declared defaults, then every value of ``cell`` that differs from its default; all checked
    (names, types, allowed values, ranges, combinations) as the command line checks them. Raises
    ``ValueError`` naming the parameter."""
    changed = {name: value for name, value in cell.items()
               if name != "run_dir" and value != default_parameters(notebook)[name]}
    if not profile:
        values = {**cell, **validate(notebook, changed)}
        check_combination(notebook, values)
        return values
    values = resolve_parameters(notebook, profile, changed)
    from_profile = [name for name in values if name not in changed and values[name] != cell[name]]
    print(f"{PROFILE_ENV}={profile}: " + (", ".join(f"{name}={values[name]!r}" for name in from_profile)
                                         or "the profile keeps every default"))
    if changed:
        print("kept from the parameters cell: " + ", ".join(f"{name}={values[name]!r}" for name in changed))
    return {**values, "run_dir": ""}


def _git_sha() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def show_metrics(metrics: dict[str, Any]) -> None:
    """Print a run's metrics compactly, one line each: numbers as such (accuracies also in %), a
    nested table or list as its size. The whole of it stays in ``metrics.json``."""
    for key, value in metrics.items():
        if isinstance(value, bool) or isinstance(value, str) or value is None:
            print(f"{key}: {value}")
        elif isinstance(value, int | float):
            percent = f" ({100 * value:.2f} %)" if "accuracy" in key and 0 <= value <= 1 else ""
            print(f"{key}: {value:.6g}{percent}")
        elif isinstance(value, dict) and len(value) <= 8 and all(isinstance(v, int | float) for v in value.values()):
            print(f"{key}: " + ", ".join(f"{k} {v:.4g}" for k, v in value.items()))
        else:
            size = len(value) if hasattr(value, "__len__") else 1
            print(f"{key}: {type(value).__name__} of {size} (see metrics.json)")
