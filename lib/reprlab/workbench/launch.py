"""``run-all``: every notebook a profile names, through an executor, and the table of what each
run took. The top of the workbench: it uses the spec, the sweeps, the rehearsal and the executors."""

import time
from typing import Any

from reprlab.workbench.executors import Executor, SerialExecutor
from reprlab.workbench.parameters import notebook_parameters
from reprlab.workbench.rehearse import prepare
from reprlab.workbench.rundir import FAILED, REUSED, read_status
from reprlab.workbench.runner import RunResult
from reprlab.workbench.spec import RunSpec, load_profile
from reprlab.workbench.sweeps import format_plan, plan, plan_by_request


def run_all(profile: str, overrides: dict[str, Any] | None = None, *, rerun: bool = False, log=print,
            executor: Executor | None = None, dry_run: bool = False, rehearse: bool = False) -> list[RunResult]:
    """Run every notebook ``profile`` names, in order, through ``executor`` (default: serial), each
    after the runs it needs (which run concurrently where the executor can); stops at the first
    failure. Each override goes to the notebooks that take it; one that no notebook takes is an
    error. ``dry_run``: print the plan (every run, complete / to resume / new) and run nothing.
    ``rehearse``: the profile's CPU rehearsal (:func:`reprlab.workbench.rehearse.prepare`)."""
    specs = profile_specs(profile, overrides)
    if rehearse:
        specs = prepare(specs, log)
    groups = plan_by_request(specs)  # every parameter (of every child run too) is checked before anything starts
    executor = executor or SerialExecutor()
    if dry_run:
        log(format_plan(groups, rerun))
        for line in executor.warnings(plan(specs)):
            log(line)
        return []
    record: list[RunResult] = []  # every run, in the order they ended
    start = time.perf_counter()
    if executor.slots == 1:  # one at a time: in the profile's order, each notebook after the runs it needs
        results = []
        for i, spec in enumerate(specs, 1):
            log(f"== notebook {i}/{len(specs)}: {spec.notebook}")
            results.append(executor.run([spec], rerun=rerun, log=log, record=record)[0])
            if results[-1].status == FAILED:
                break
    else:  # every run as soon as the runs it needs are complete
        log(f"== {len(specs)} notebooks and the runs they need, up to {executor.slots} at once ({executor.name})")
        results = executor.run(specs, rerun=rerun, log=log, record=record)
    log(timing_table(record, time.perf_counter() - start))
    return results


def profile_specs(profile: str, overrides: dict[str, Any] | None = None) -> list[RunSpec]:
    """A :class:`RunSpec` per notebook ``profile`` names, in its order, each with the ``overrides``
    it takes; an override that no notebook takes is an error."""
    notebooks = list(load_profile(profile))
    taken = {k for nb in notebooks for k in notebook_parameters(nb)}
    unused = [k for k in (overrides or {}) if k not in taken]
    if unused:
        raise ValueError(f"no notebook of profile={profile!r} takes {', '.join(map(repr, unused))}; "
                         f"notebooks: {', '.join(notebooks)}")
    return [RunSpec(nb, profile, {k: v for k, v in (overrides or {}).items() if k in notebook_parameters(nb)})
            for nb in notebooks]


def timing_table(results: list[RunResult], wall_seconds: float | None = None) -> str:
    """Where the time went: one line per run (in the order they ended) with its own wall time, its
    share of all the runs' time, how it ended, and for a reused run what it took when it ran
    (from ``status.json``); then the total, and the wall time when runs overlapped."""
    total = sum(r.seconds for r in results) or 1.0
    width = max([len(r.label or r.notebook) for r in results] + [24])
    lines = [f"{'run':<{width}} {'minutes':>8} {'share':>6}  status", "-" * (width + 32)]
    for r in results:
        note = r.status
        if r.status == REUSED:
            earlier = (read_status(r.run_dir, lambda _: None) or {}).get("seconds")
            note += f" (ran {earlier / 60:.1f} min)" if isinstance(earlier, int | float) else ""
        share = 100 * r.seconds / total
        lines.append(f"{r.label or r.notebook:<{width}} {r.seconds / 60:>8.1f} {share:>5.0f}%  {note}")
    lines.append(f"{'total':<{width}} {total / 60:>8.1f}")
    if wall_seconds is not None and wall_seconds < 0.95 * total:
        lines.append(f"{'wall (runs overlapped)':<{width}} {wall_seconds / 60:>8.1f}")
    return "\n".join(lines)
