"""Run every ``bench_*.py`` (each in its own process), then print one table of every measurement:
value, ratio, goal, met or not; write it to ``bench/results/summary.<device kind>.json``.

    python bench/run_all.py [--device auto] [--markdown]

``--markdown`` also prints the table as Markdown for ``bench/RESULTS.md`` (one section per device
kind, with the date and commit).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch
from harness import RESULTS, machine

HERE = Path(__file__).parent
TAKES_DEVICE = ("bench_attacks.py", "bench_loader.py", "bench_mcr2_loss.py", "bench_ssl_step.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    kind = "cuda" if device.type == "cuda" else "cpu"
    started = time.time()
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):  # a failing script is reported, the others still run
        extra = ["--device", str(device)] if script.name in TAKES_DEVICE else []
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script), *extra]).returncode:
            print(f"{script.name} failed", file=sys.stderr)
            failed.append(script.name)
    results = [json.loads(p.read_text()) for p in sorted(RESULTS.glob(f"*.{kind}.json"))
               if p.stat().st_mtime >= started and not p.name.startswith("summary")]
    rows = [(r["bench"], row) for r in results for row in r["rows"]]
    info = machine(device)
    print(f"\n{info['name']} ({kind}), torch {info['torch']}, {info['threads']} threads, commit {info['commit']}")
    width = max(len(f"{b}: {row['name']}") for b, row in rows)
    for bench, row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.3g}x"
        goal = "" if row["goal"] is None else f"≥ {row['goal']:g}x {'met' if row['met'] else 'NOT met'}"
        print(f"{bench + ': ' + row['name']:<{width}}  {ratio:>8}  {goal:<16}  {row['value']}")
    summary = {"date": time.strftime("%Y-%m-%d"), "machine": info, "rows": [{"bench": b, **row} for b, row in rows]}
    (RESULTS / f"summary.{kind}.json").write_text(json.dumps(summary, indent=1))
    if args.markdown:
        print(f"\n## {info['name']} ({kind}), torch {info['torch']}, {info['threads']} threads — "
              f"{time.strftime('%Y-%m-%d')}, commit {info['commit']}\n")
        print("| measurement | value | ratio | goal | met |\n|---|---|---|---|---|")
        for bench, row in rows:
            ratio = "" if row["ratio"] is None else f"{row['ratio']:.3g}×"
            goal = "" if row["goal"] is None else f"≥ {row['goal']:g}×"
            met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
            print(f"| {bench}: {row['name']} | {row['value']} | {ratio} | {goal} | {met} |")
    if failed:
        print(f"\nfailed (no rows above): {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
