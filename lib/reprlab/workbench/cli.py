"""``python -m reprlab run NOTEBOOK --profile quick -p key=value``, ``run-all``, ``lab``, ``report``,
``claims [--profile P]``, ``params NOTEBOOK [--profile P -p key=value]``. ``run`` and ``run-all``
take an executor: ``--executor local --jobs 4`` (or ``--gpus 0,1,2,3``), ``--executor slurm
--partition gpu --time 1440``; ``--dry-run`` shows the runs without starting any."""

import argparse
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reprlab import paths
from reprlab.workbench.rundir import FAILED

if TYPE_CHECKING:
    from reprlab.workbench.executors import Executor


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reprlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute one notebook with papermill")
    run.add_argument("notebook", help="name of a notebook in notebooks/ (without .py)")
    run_all = sub.add_parser("run-all", help="execute every notebook the profile names, in order")
    params = sub.add_parser("params", help="a notebook's parameters: type, default, allowed values or range; "
                                           "with --profile, the values a run would use (a dry run)")
    params.add_argument("notebook")
    for p in (run, run_all, params):
        p.add_argument("--profile", default="quick" if p is not params else None,
                       help="a YAML file in notebooks/profiles/")
        p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                       help="override a parameter (repeatable)")
    for p in (run, run_all):
        p.add_argument("--rerun", action="store_true",
                       help="run again even if completed (the old run directory is moved aside)")
        p.add_argument("--dry-run", action="store_true",
                       help="show every run it would start (complete, to resume, new) and start none")
        p.add_argument("--rehearse", action="store_true",
                       help="a CPU rehearsal of the profile: every run with its settings, capped by the profile's "
                            "rehearsal: section, on fixture data, in rehearsal/ (never taken for a real run)")
        pl = p.add_argument_group("GPU-hour plan (with --dry-run; reads the measurements of a --rehearse)")
        pl.add_argument("--plan", action="store_true", help="per run: optimiser steps, FLOPs per step, PFLOP, "
                        "GPU-hours and memory; totals per paper and of the profile")
        pl.add_argument("--gpu", default="h100", help="the GPU the hours are for: a100 or h100 (default)")
        pl.add_argument("--utilization", type=float, default=0.35,
                        help="the share of the GPU's peak bf16 FLOP/s a run reaches (default 0.35)")
        ex = p.add_argument_group("executor")
        ex.add_argument("--executor", default="serial", help="serial (default), local (a pool of worker "
                        "processes), slurm (one job per run through submitit) or submitit-local")
        ex.add_argument("--jobs", type=int, default=0, help="local: runs at once (default: one, or one per GPU)")
        ex.add_argument("--gpus", default="", help="local: GPU ids, one run per GPU, e.g. 0,1,2,3")
        for flag, kind, text, default in (
                ("--partition", str, "partition", "the cluster's default partition"),
                ("--time", int, "time limit in minutes", "60"),
                ("--gpus-per-job", int, "GPUs per job", "none: no GPU is asked for"),
                ("--mem", int, "memory per job in GB", "the partition's default"),
                ("--cpus-per-task", int, "CPUs per job", "1"), ("--account", str, "account", "yours")):
            ex.add_argument(flag, type=kind, default=None,
                            help=f"slurm: {text} (default: the profile's slurm: section, else {default})")
    lab = sub.add_parser("lab", help="JupyterLab over the repository: notebooks open as notebooks, Run All runs "
                                     "them at --profile")
    lab.add_argument("--profile", default="quick", help="the size Run All runs at: a YAML file in "
                     "notebooks/profiles/ (default: quick; '' keeps the parameters cells' values)")
    lab.add_argument("--port", type=int, default=None, help="JupyterLab's port (default: 8888 or the next free)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.add_argument("jupyter_args", nargs="*", help="passed on to jupyter lab (after --)")
    report = sub.add_parser("report", help="render executed notebooks to reports/index.html")
    report.add_argument("--runs", default=None, help="runs directory (default: runs/)")
    report.add_argument("--out", default=None, help="output directory (default: reports/)")
    claims = sub.add_parser("claims", help="the reproduction scorecard: every paper's claims, decided from the "
                                           "runs' metrics.json")
    claims.add_argument("--profile", default=None, help="only this profile (default: every profile a claim names)")
    claims.add_argument("--runs", default=None, help="runs directory (default: runs/)")
    return parser


def _executor(args: argparse.Namespace) -> "Executor":
    """The executor the command line asks for, every option checked before anything runs; SLURM
    options come from the profile's ``slurm:`` section, then the flags."""
    from reprlab.workbench.executors import make_executor
    from reprlab.workbench.slurm import slurm_options
    from reprlab.workbench.spec import profile_section

    try:
        gpus = tuple(int(g) for g in args.gpus.split(",")) if args.gpus else ()
    except ValueError:
        raise ValueError(f"--gpus {args.gpus!r}: expected GPU ids separated by commas, e.g. 0,1") from None
    if args.jobs < 0:
        raise ValueError(f"--jobs {args.jobs} is out of range; allowed range: [1, inf)")
    flags = {"partition": args.partition, "time": args.time, "gpus_per_job": args.gpus_per_job, "mem": args.mem,
             "cpus_per_task": args.cpus_per_task, "account": args.account}
    given = {k: v for k, v in flags.items() if v is not None}
    if given and args.executor not in ("slurm", "submitit-local"):
        raise ValueError(f"--{next(iter(given)).replace('_', '-')} belongs to --executor slurm, not {args.executor}")
    options = None
    if args.executor in ("slurm", "submitit-local"):
        section = profile_section(args.profile, "slurm")
        slurm_options(section, f"profile {args.profile!r}, section slurm")  # its own errors name the profile
        options = slurm_options({**section, **given}, "command line")
    return make_executor(args.executor, jobs=args.jobs, gpus=gpus, options=options)


def _gpu_plan(args: argparse.Namespace, overrides: dict[str, str]) -> int:
    """``--dry-run --plan``: the GPU-hour plan of the runs the command would start."""
    from reprlab.workbench.launch import profile_specs
    from reprlab.workbench.rehearse import format_gpu_plan, format_rehearsal_table, plan_costs
    from reprlab.workbench.spec import RunSpec
    from reprlab.workbench.sweeps import plan_by_request

    if args.rehearse or not args.dry_run:
        raise ValueError("--plan goes with --dry-run (and reads the runs of an earlier --rehearse), not with "
                         + ("--rehearse" if args.rehearse else "a run"))
    specs = (profile_specs(args.profile, overrides) if args.command == "run-all"
             else [RunSpec(args.notebook, args.profile, overrides)])
    rows = plan_costs(plan_by_request(specs), paths.rehearsal_dir() / "runs")
    print(format_gpu_plan(rows, args.gpu, args.utilization, args.time if args.executor == "slurm" else None))
    print()
    print(format_rehearsal_table(rows))
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM (a scheduler, kill) ends a run the way Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # progress lines as they happen, also through `| tee`
    try:
        return _command(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # e.g. a read-only runs or reports folder
        where = f" {err.filename}" if err.filename else ""
        print(f"error: cannot write{where}: {err.strerror or err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _command(args: argparse.Namespace) -> int:
    if args.command in ("run", "run-all"):
        from reprlab.workbench.launch import run_all
        from reprlab.workbench.spec import RunSpec, parse_overrides
        from reprlab.workbench.sweeps import format_plan, plan, plan_by_request

        overrides = parse_overrides(args.param)
        if args.plan:  # no job starts: the executor's options only set the time limit it warns about
            return _gpu_plan(args, overrides)
        executor = _executor(args)
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            if args.command == "run-all":
                results = run_all(args.profile, overrides, rerun=args.rerun, executor=executor, dry_run=args.dry_run,
                                  rehearse=args.rehearse)
            else:
                specs = [RunSpec(args.notebook, args.profile, overrides)]
                if args.rehearse:
                    from reprlab.workbench.rehearse import prepare

                    specs = prepare(specs)
                if args.dry_run:
                    print(format_plan(plan_by_request(specs), args.rerun))
                    for line in executor.warnings(plan(specs)):
                        print(line)
                    results = []
                else:
                    results = executor.run(specs, rerun=args.rerun)
        finally:
            signal.signal(signal.SIGTERM, previous)
        for r in results:
            if r.status == FAILED:
                print(f"error: {r.notebook} failed: {r.error} (run directory {r.run_dir})", file=sys.stderr)
        return 1 if any(r.status == FAILED for r in results) else 0
    if args.command == "lab":
        from reprlab.workbench.lab import main as lab

        return lab(args.profile, args.port, not args.no_browser, args.jupyter_args)
    if args.command in ("report", "claims"):
        runs = Path(args.runs) if args.runs else paths.runs_dir()
        if not runs.is_dir():
            raise ValueError(f"--runs {runs} is no directory of runs (run a notebook first, e.g. `make run`)")
    if args.command == "report":
        from reprlab.workbench.report import build_report

        index = build_report(runs, Path(args.out) if args.out else paths.reports_dir())
        print(f"report written to {index} (the scorecard: {index.parent / 'claims.json'})")
        return 0
    if args.command == "claims":
        from reprlab.workbench.claims import format_table, score
        from reprlab.workbench.papers import installed_papers
        from reprlab.workbench.report import find_runs
        from reprlab.workbench.spec import list_profiles, load_profile, profile_description

        if args.profile is not None:
            load_profile(args.profile)  # a clear error naming the profiles there are
        rows = score(find_runs(runs, warn=lambda line: print(line, file=sys.stderr)), installed_papers(),
                     profiles=[args.profile] if args.profile else None)
        print(format_table(rows, {p: profile_description(p) for p in list_profiles()}))
        return 0
    if args.command == "params":
        from reprlab.workbench.parameters import notebook_parameters
        from reprlab.workbench.spec import parse_overrides, resolve_parameters

        spec = notebook_parameters(args.notebook)
        if args.profile is None and not args.param:
            for p in spec.values():
                print(p.describe())
            return 0
        overrides = parse_overrides(args.param)
        profile = args.profile or "quick"
        values = resolve_parameters(args.notebook, profile, overrides)
        print(f"# {args.notebook} under profile {profile!r}: the values a run would use")
        for name, value in values.items():
            source = "-p" if name in overrides else ("default" if value == spec[name].default else profile)
            print(f"{name} = {value!r}  # {source}")
        return 0
    return 0
