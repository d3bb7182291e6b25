"""The notebook prelude: every notebook calls :func:`start_run` right after its parameters cell
and gets a :class:`Run` that knows where to put metrics, figures and checkpoints."""

import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from reprlab import __version__
from reprlab.io import atomic_write, read_json, write_json
from reprlab.workbench.parameters import notebook_parameters
from reprlab.workbench.rundir import move_aside, run_dir_for

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

    def save_figure(self, fig: "Figure", name: str) -> None:
        """Save ``fig`` as ``figures/<name>.png`` (150 dpi) and ``figures/<name>.svg``."""
        for ext in ("png", "svg"):
            atomic_write(self.figures_dir / f"{name}.{ext}",
                         lambda p, ext=ext: fig.savefig(p, format=ext, dpi=150, bbox_inches="tight"))


def start_run(notebook: str, namespace: dict[str, Any]) -> Run:
    """Collect the notebook's declared parameters from ``namespace`` (pass ``globals()``), pick
    the run directory (``run_dir`` if the runner set it, else ``runs/<notebook>/interactive-<hash>``),
    and record ``params.json``.

    An interactive run whose directory already holds a run says so loudly (which commit made it),
    since its checkpoint is resumed or reused rather than trained again; with the parameter
    ``fresh=True`` the old directory is moved aside first. Interactive runs also get a
    ``status.json``, so the report lists them."""
    params = {name: namespace[name] for name in notebook_parameters(notebook)}
    interactive = not params.get("run_dir")
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
        write_json(run.dir / "status.json", {"status": "interactive", "profile": "interactive", "parent": "",
                                             "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                             "parameters": params})
    print(f"run directory: {run.dir}")
    return run


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
