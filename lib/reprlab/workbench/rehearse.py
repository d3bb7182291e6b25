"""``run-all --profile paper --rehearse``: the profile's every run on the CPU, capped.

A profile's ``rehearsal:`` section says how far each run goes (:class:`reprlab.rehearsal.Caps`)
and, under ``cut``, which repeated sweep members a rehearsal leaves out (``{notebook: {parameter:
value}}``: repeated seeds, a fifth network of an architecture already there). Every other
parameter stays the profile's. The rehearsal lives under :func:`reprlab.paths.rehearsal_dir`:
its own runs, labels, report, and fixture datasets in torchvision's on-disk layout for the
datasets that cannot be downloaded here.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reprlab import paths
from reprlab.data.fixtures import write_fixture
from reprlab.io import read_json
from reprlab.rehearsal import Caps, environment
from reprlab.workbench.parameters import validate
from reprlab.workbench.rundir import COMPLETED
from reprlab.workbench.spec import RunSpec, load_profile, profile_section


def rehearsal_settings(profile: str) -> tuple[Caps, dict[str, dict[str, Any]]]:
    """(caps, cuts) of ``profile``'s ``rehearsal:`` section, every value checked; a profile without
    one cannot be rehearsed (a clear error says so)."""
    where = f"profile {profile!r}, section rehearsal"
    section = profile_section(profile, "rehearsal")
    if not section:
        raise ValueError(f"profile={profile!r} has no rehearsal: section; --rehearse needs one (see paper.yaml)")
    caps = Caps.from_section(section, where)
    cuts = section.get("cut") or {}
    if not isinstance(cuts, dict):
        raise ValueError(f"{where}: cut must map notebook names to parameter values")
    notebooks = load_profile(profile)
    for notebook in cuts:
        if notebook not in notebooks:
            raise ValueError(f"{where}: cut names {notebook!r}, which the profile does not run; "
                             f"notebooks: {', '.join(notebooks)}")
    return caps, {nb: validate(nb, values or {}) for nb, values in cuts.items()}


def prepare(specs: list[RunSpec], log: Callable[[str], None] = print) -> list[RunSpec]:
    """Turn this process into a rehearsal of ``specs`` (all of one profile) and return the specs
    with the profile's cuts applied (a value given on the command line wins over a cut).

    Sets the rehearsal's environment (:func:`reprlab.rehearsal.environment`: inherited by every
    worker, job and kernel), writes the fixture of every dataset a planned run names, and says
    what it cut."""
    from reprlab.data.fixtures import FOLDERS
    from reprlab.workbench.sweeps import plan

    profile = specs[0].profile
    caps, cuts = rehearsal_settings(profile)
    root = paths.rehearsal_dir()
    os.environ.update(environment(root, caps))
    profile_values = load_profile(profile)
    cut_specs = []
    for spec in specs:
        cut = {k: v for k, v in cuts.get(spec.notebook, {}).items() if k not in spec.overrides}
        if cut:
            was = {k: profile_values[spec.notebook].get(k, "its default") for k in cut}
            log(f"rehearsal cuts {spec.notebook}: " + ", ".join(f"{k}={v!r} (the profile: {was[k]!r})"
                                                                  for k, v in cut.items()))
        cut_specs.append(RunSpec(spec.notebook, spec.profile, {**cut, **spec.overrides}))
    log(f"rehearsal of profile {profile!r} in {root}: {caps.epochs} epochs of at most {caps.steps_per_epoch} "
        f"steps, batches of at most {caps.max_batch_size}, {caps.eval_batches} batches per evaluation")
    named = {v for run in plan(cut_specs) for v in run.params.values() if isinstance(v, str) and v in FOLDERS}
    for dataset in sorted(named):
        if write_fixture(dataset, paths.data_dir()):
            log(f"rehearsal: wrote a {dataset} fixture (torchvision's layout, the real split sizes, random "
                f"pixels) in {paths.data_dir()}")
    return cut_specs


# -- the GPU-hour plan ------------------------------------------------------------------------------

#: Peak dense bf16 tensor-core throughput (FLOP/s) from the vendors' data sheets (SXM parts).
GPU_PEAK_BF16 = {"a100": 312e12, "h100": 989e12}


def plan_costs(groups: dict[str, list[Any]], rehearsal_runs: Path) -> list[dict[str, Any]]:
    """Per planned run (of :func:`reprlab.workbench.sweeps.plan_by_request`): its optimiser steps,
    FLOPs per step at the paper's batch, total FLOPs and memory estimate, from the measurements of
    the same run in the rehearsal under ``rehearsal_runs``; a run the rehearsal cut is costed as
    its rehearsed twin (the same notebook, at most two parameters apart, e.g. a seed and a data
    level), which is named; any other run not rehearsed has no cost yet."""
    from reprlab.rehearsal import read_measurements
    from reprlab.workbench.papers import installed_papers

    paper_of = {nb: paper.name for paper in installed_papers() for nb in paper.notebooks}
    rehearsed: dict[str, list[tuple[dict[str, Any], Path]]] = {}
    for params_file in rehearsal_runs.glob("*/*/params.json"):
        entry = read_json(params_file)
        rehearsed.setdefault(entry.get("notebook", ""), []).append((entry.get("parameters", {}), params_file.parent))
    rows = []
    for title, runs in groups.items():
        for run in runs:
            source = rehearsal_runs / run.run_dir.parent.name / run.run_dir.name
            via = ""
            if not (source / "status.json").exists():
                siblings = rehearsed.get(run.spec.notebook, [])
                if siblings:
                    wanted = {k: v for k, v in run.params.items()
                              if k not in ("run_dir", "progress")}  # the runner sets these two
                    twin, twin_dir = min(siblings, key=lambda e: sum(e[0].get(k) != v for k, v in wanted.items()))
                    differ = {k: twin.get(k) for k, v in wanted.items() if twin.get(k) != v}
                    if len(differ) <= 2:  # a cut seed and level at most; further apart is another run, not a twin
                        source, via = twin_dir, " ".join(f"{k}={v!r}" for k, v in differ.items()) or twin_dir.name
            status = read_json(source / "status.json") if (source / "status.json").exists() else {}
            fits = read_measurements(source)
            steps = sum(m["epochs_paper"] * m["steps_per_epoch_paper"] for m in fits)
            flops = sum(m["epochs_paper"] * m["steps_per_epoch_paper"] * m["flops_per_step_paper"] for m in fits)
            rows.append({
                "label": run.label, "paper": paper_of.get(title.split("[")[0], "other"),
                "rehearsed": status.get("status") == COMPLETED and not via, "via": via, "steps": steps,
                "flops_per_step": max((m["flops_per_step_paper"] for m in fits), default=0.0), "flops": flops,
                "memory_bytes": max((m["memory_estimate_bytes_paper"] for m in fits), default=0.0),
                "extrapolated_from_batch": next((m["extrapolated_from_batch"] for m in fits
                                                 if m["extrapolated_from_batch"]), None),
                "cpu_seconds_per_step": max((m["seconds_per_step_cpu"] or 0 for m in fits), default=None),
                "peak_rss_bytes": max((m["peak_rss_bytes"] for m in fits), default=None),
                "rehearsal_seconds": status.get("seconds")})
    return rows


def format_gpu_plan(rows: list[dict[str, Any]], gpu: str, utilization: float, time_limit: int | None = None) -> str:
    """The plan as a table: per run its steps, GFLOP per step, PFLOP, estimated GPU-hours on
    ``gpu`` at ``utilization`` of its peak bf16 throughput, and memory; then the totals per paper
    and of the whole profile. With ``time_limit`` (minutes, SLURM's ``--time``) every run whose
    estimate exceeds it is named."""
    if gpu not in GPU_PEAK_BF16:
        raise ValueError(f"--gpu {gpu!r} is unknown; allowed values: {', '.join(GPU_PEAK_BF16)}")
    if not 0 < utilization <= 1:
        raise ValueError(f"--utilization {utilization} is out of range; allowed range: (0, 1]")
    rate = GPU_PEAK_BF16[gpu] * utilization
    width = min(80, max([len(r["label"]) for r in rows] + [20]))
    lines = [f"GPU-hour plan on one {gpu.upper()} at {100 * utilization:.0f} % of its {GPU_PEAK_BF16[gpu] / 1e12:.0f} "
             "TFLOP/s peak bf16 (FLOPs measured by the CPU rehearsal, torch.utils.flop_counter; forward and backward).",
             "Small CIFAR networks reach far less than that share on a GPU (launch and memory bound): their minutes "
             "are lower bounds.",
             f"{'run':<{width}} {'steps':>8} {'GFLOP/step':>11} {'PFLOP':>8} {'GPU-min':>8} {'mem GiB':>8}  note",
             "-" * (width + 60)]
    over = []
    for r in rows:
        hours = r["flops"] / rate / 3600
        note = []
        if not r["rehearsed"] and r["via"]:
            note.append(f"cut: costed as its rehearsed twin with {r['via']}")
        elif not r["via"] and not r["rehearsed"]:
            note.append("not rehearsed yet: run --rehearse first")
        if r["extrapolated_from_batch"]:
            note.append(f"linear from batch {r['extrapolated_from_batch']}")
        if not r["steps"] and r["rehearsed"]:
            note.append("no training step")
        lines.append(f"{r['label']:<{width}} {r['steps']:>8} {r['flops_per_step'] / 1e9:>11.1f} "
                     f"{r['flops'] / 1e15:>8.2f} {hours * 60:>8.1f} {r['memory_bytes'] / 2**30:>8.2f}  "
                     + "; ".join(note))
        if time_limit is not None and hours * 60 > time_limit:
            over.append(f"warning: {r['label']} needs about {hours * 60:.0f} min, more than --time {time_limit}; "
                        "it will be requeued from its checkpoints")
    lines += ["", f"{'paper':<{width}} {'steps':>8} {'':>11} {'PFLOP':>8} {'GPU-h':>8}"]
    papers = dict.fromkeys(r["paper"] for r in rows)
    for paper in papers:
        chosen = [r for r in rows if r["paper"] == paper]
        flops = sum(r["flops"] for r in chosen)
        lines.append(f"{paper:<{width}} {sum(r['steps'] for r in chosen):>8} {'':>11} {flops / 1e15:>8.2f} "
                     f"{flops / rate / 3600:>8.2f}")
    total = sum(r["flops"] for r in rows)
    lines.append(f"{'total':<{width}} {sum(r['steps'] for r in rows):>8} {'':>11} {total / 1e15:>8.2f} "
                 f"{total / rate / 3600:>8.2f}")
    return "\n".join(lines + over)


def format_rehearsal_table(rows: list[dict[str, Any]]) -> str:
    """What the rehearsal took on this CPU, per notebook: its rehearsed runs, their wall time,
    the slowest median time of a rehearsed step (batch of at most the caps' size) and the
    largest peak resident memory of a run's kernel."""
    by_notebook: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["rehearsed"]:
            by_notebook.setdefault(r["label"].split("[")[0], []).append(r)
    lines = ["rehearsal on this CPU, per notebook",
             f"{'notebook':<22} {'runs':>5} {'minutes':>8} {'s/step':>7} {'peak RSS GiB':>13}", "-" * 59]
    for notebook, chosen in by_notebook.items():
        per_step = [r["cpu_seconds_per_step"] for r in chosen if r["cpu_seconds_per_step"]]
        rss = [r["peak_rss_bytes"] for r in chosen if r["peak_rss_bytes"]]
        minutes = sum(r["rehearsal_seconds"] or 0 for r in chosen) / 60
        lines.append(f"{notebook:<22} {len(chosen):>5} {minutes:>8.1f} "
                     f"{(f'{max(per_step):.2f}' if per_step else '-'):>7} "
                     f"{(f'{max(rss) / 2**30:.2f}' if rss else '-'):>13}")
    return "\n".join(lines)
