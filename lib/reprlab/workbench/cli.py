"""``python -m reprlab run NOTEBOOK --profile quick -p key=value``, ``run-all``, ``report``,
``params NOTEBOOK``."""

import argparse
import sys

from reprlab import paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reprlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute one notebook with papermill")
    run.add_argument("notebook", help="name of a notebook in notebooks/ (without .py)")
    run_all = sub.add_parser("run-all", help="execute every notebook the profile names, in order")
    for p in (run, run_all):
        p.add_argument("--profile", default="quick", help="a YAML file in notebooks/profiles/")
        p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                       help="override a parameter (repeatable)")
        p.add_argument("--rerun", action="store_true",
                       help="run again even if completed (the old run directory is moved aside)")
    report = sub.add_parser("report", help="render executed notebooks to reports/index.html")
    report.add_argument("--runs", default=None, help="runs directory (default: runs/)")
    report.add_argument("--out", default=None, help="output directory (default: reports/)")
    params = sub.add_parser("params", help="a notebook's parameters: type, default, allowed values or range")
    params.add_argument("notebook")
    args = parser.parse_args(argv)

    try:
        if args.command in ("run", "run-all"):
            from reprlab.workbench.runner import parse_overrides, run_all, run_notebook

            overrides = parse_overrides(args.param)
            if args.command == "run":
                results = [run_notebook(args.notebook, args.profile, overrides, rerun=args.rerun)]
            else:
                results = run_all(args.profile, overrides, rerun=args.rerun)
            return 1 if any(r.status == "failed" for r in results) else 0
        if args.command == "report":
            from pathlib import Path

            from reprlab.workbench.report import build_report

            index = build_report(Path(args.runs) if args.runs else paths.runs_dir(),
                                 Path(args.out) if args.out else paths.reports_dir())
            print(f"report written to {index}")
            return 0
        if args.command == "params":
            from reprlab.workbench.parameters import notebook_parameters

            for p in notebook_parameters(args.notebook).values():
                print(p.describe())
            return 0
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
