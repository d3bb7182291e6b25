"""Sweeps as data: the child runs a notebook starts, known from its parameters before it executes.

Each paper declares them once (its :class:`~reprlab.workbench.papers.Paper`'s ``sweeps``:
``{notebook: function}``) mapping the notebook's resolved parameters and its profile to the
:class:`~reprlab.workbench.spec.RunSpec` of every run it starts or reads (the notebook itself
builds its runs with the same functions). An
executor runs the children first, concurrently where it can, then the notebook, which finds them
complete and reuses them; ``--dry-run`` shows the plan.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reprlab import rehearsal
from reprlab.workbench.papers import sweep_of
from reprlab.workbench.rundir import COMPLETED, out_of_date, read_status
from reprlab.workbench.spec import RunSpec


def child_runs(notebook: str, params: dict[str, Any], profile: str) -> list[RunSpec]:
    """The runs ``notebook`` needs when it executes with ``params`` under ``profile`` (none for
    most notebooks)."""
    sweep = sweep_of(notebook)
    return sweep(params, profile) if sweep else []


@dataclass
class PlannedRun:
    """A run of a plan: its spec, parameters and directory; ``state`` one of ``complete`` (reused),
    ``resume`` (an interrupted or failed run continues) or ``new``; ``needs`` the directories of
    the runs it starts (complete before it starts); ``depth`` 0 for a run that needs none, else
    one more than its deepest need; ``parent`` the run directory of the run that needs it ("" for a
    run asked for directly); ``label`` the spec's one-line description, for progress lines."""

    spec: RunSpec
    params: dict[str, Any]
    run_dir: Path
    state: str
    needs: tuple[Path, ...]
    depth: int
    parent: str = ""
    label: str = ""

    @property
    def requested(self) -> bool:
        return not self.parent


def run_state(run_dir: Path) -> str:
    """``complete``, ``resume``, ``stale`` (a file it read or wrote has changed, see
    :func:`~reprlab.workbench.rundir.out_of_date`, or it was made by a rehearsal and this is none,
    or the other way round, see :func:`reprlab.rehearsal.mismatch`: it runs again) or ``new``."""
    status = read_status(run_dir, lambda _: None)
    if status is None:
        return "new"
    if rehearsal.mismatch(status.get("rehearsal")) or out_of_date(run_dir):
        return "stale"
    return "complete" if status["status"] == COMPLETED else "resume"


def plan(specs: Iterable[RunSpec]) -> list[PlannedRun]:
    """Every run ``specs`` need, children before the runs that use them, each run once (by run
    directory). Parameters are resolved and checked here, before anything runs."""
    planned: dict[Path, PlannedRun] = {}

    def visit(spec: RunSpec, parent: str, path: tuple[Path, ...]) -> PlannedRun:
        params, run_dir = spec.resolve()
        if run_dir in path:
            raise ValueError(f"{spec.describe()} needs itself (through {' -> '.join(p.parent.name for p in path)})")
        if run_dir not in planned:
            children = child_runs(spec.notebook, params, spec.profile)
            needs = [visit(child, str(run_dir), (*path, run_dir)) for child in children]
            planned[run_dir] = PlannedRun(spec, params, run_dir, run_state(run_dir), tuple(n.run_dir for n in needs),
                                          1 + max((n.depth for n in needs), default=-1), parent, spec.describe())
        return planned[run_dir]

    for spec in specs:
        visit(spec, "", ())
    return sorted(planned.values(), key=lambda p: p.depth)  # stable: children before parents


def plan_by_request(specs: list[RunSpec]) -> dict[str, list[PlannedRun]]:
    """:func:`plan` of each spec in turn, a run listed under the first spec that needs it:
    ``{spec description: its runs}``, in the order the specs run."""
    seen: set[Path] = set()
    groups = {}
    for spec in specs:
        runs = [run for run in plan([spec]) if run.run_dir not in seen]
        seen.update(run.run_dir for run in runs)
        groups[spec.describe()] = runs
    return groups


def format_plan(groups: dict[str, list[PlannedRun]], rerun: bool = False) -> str:
    """The plan as a table: every run with what will happen to it (reuse, resume, run, rerun: asked
    for, or out of date) and its directory, grouped by the run that was asked for."""
    lines = []
    planned = [run for runs in groups.values() for run in runs]
    for title, runs in groups.items():
        lines.append(f"== {title}")
        for run in runs:
            will = {"complete": "reuse", "resume": "resume", "stale": "rerun", "new": "run"}[run.state]
            if rerun and run.requested and run.state != "new":
                will = "rerun"
            lines.append(f"  {will:<7} {run.label:<52} {run.run_dir}")
    counts = {w: sum(run.state == s for run in planned) for s, w in
              (("complete", "complete (reused)"), ("resume", "to resume"), ("stale", "out of date"), ("new", "new"))}
    lines.append(f"{len(planned)} runs: " + ", ".join(f"{n} {w}" for w, n in counts.items()
                                                     if n or w != "out of date"))
    return "\n".join(lines)
