"""``python -m reprlab lab``: JupyterLab over the repository, as ``make lab`` starts it.

- Notebooks (jupytext ``.py`` files) open as notebooks on a double-click: JupyterLab's default
  viewer for Python files is set to jupytext's notebook in this environment's settings overrides
  (``<sys.prefix>/share/jupyter/lab/settings/overrides.json``), never in the user's home.
- ``--profile`` (``smoke``, ``quick``, ``paper``...) is passed to every kernel as
  ``$REPRLAB_PROFILE``: Run All runs the notebook at that profile's size (see
  :func:`reprlab.workbench.notebook.start_run`); an empty profile keeps the parameters cells' values.
- Run directories go where the command line puts them (``runs/``, or ``$REPRLAB_RUNS``).
- As root (a container, a cloud machine), JupyterLab is started with ``--allow-root``.
"""

import json
import os
import sys
from pathlib import Path

from reprlab import paths
from reprlab.io import atomic_write
from reprlab.workbench.notebook import PROFILE_ENV
from reprlab.workbench.spec import load_profile

#: JupyterLab settings: a double-click opens a ``.py`` file with jupytext's notebook view; every cell
#: of a notebook is rendered (not only those scrolled into view, so a figure is there to find with
#: the browser's search and in a printed page); no news fetched from the internet.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def settings_overrides(prefix: Path = Path(sys.prefix)) -> Path:
    """Merge :data:`LAB_SETTINGS` into this environment's JupyterLab overrides; returns the file."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current = {}
    if path.exists():
        try:
            current = json.loads(path.read_text())
        except ValueError as err:
            raise ValueError(f"{path} is not valid JSON ({err}); fix or delete it") from None
    for plugin, values in LAB_SETTINGS.items():
        for key, value in values.items():
            mine = current.setdefault(plugin, {})
            mine[key] = {**mine.get(key, {}), **value} if isinstance(value, dict) else value
    atomic_write(path, lambda p: p.write_text(json.dumps(current, indent=2) + "\n"))
    return path


def lab_command(profile: str, port: int | None = None, open_browser: bool = True,
                extra: list[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start JupyterLab over the repository with kernels at
    ``profile`` (checked now; empty: no profile)."""
    if profile:
        load_profile(profile)  # a clear error naming the profiles there are
    settings_overrides()
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={paths.notebooks_dir().parent}"]
    if port is not None:
        command.append(f"--port={port}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, PROFILE_ENV: profile}
    return command + list(extra or []), env


def main(profile: str, port: int | None, open_browser: bool, extra: list[str]) -> int:
    """Start JupyterLab (replacing this process) as :func:`lab_command` says."""
    command, env = lab_command(profile, port, open_browser, extra)
    print(f"JupyterLab over {paths.notebooks_dir().parent}; notebooks run at profile {profile or '(the cells values)'} "
          f"({PROFILE_ENV}); runs go to {paths.runs_dir()}", flush=True)
    os.execve(command[0], command, env)
    return 0  # not reached
