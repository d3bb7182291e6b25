"""A sweep of 4 short runs (``train_classifier`` under ``smoke``, 4 seeds) executed serially and by
the ``local`` pool with ``--jobs 2`` (CPU), or, with ``--gpus 0,1,...``, with one run per GPU
against one GPU. Every timed sweep starts from an empty runs folder.

    python bench/bench_sweep.py [--runs 4] [--jobs 2] [--epochs 2] [--gpus 0,1]

On 2 CPU cores the pool gains less than 2x: one run alone already uses both cores for its
convolutions (the pool gives each worker one thread instead), so only the single-threaded part of
a run (kernel start-up, imports, data loading, evaluation) overlaps.
"""

import argparse
import os
import statistics
import tempfile
import time

import torch
from harness import Row, emit

from reprlab.workbench.executors import LocalExecutor, SerialExecutor
from reprlab.workbench.spec import RunSpec


def timed_sweep(executor, specs: list[RunSpec]) -> float:
    """Wall seconds of ``executor`` running ``specs`` into a fresh runs folder."""
    with tempfile.TemporaryDirectory() as runs:
        os.environ["REPRLAB_RUNS"] = runs
        start = time.perf_counter()
        results = executor.run(specs, log=lambda _: None)
        seconds = time.perf_counter() - start
    assert all(r.status == "completed" for r in results), [r.error for r in results]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--gpus", default="", help="GPU ids: one run per GPU against all on the first")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    gpus = tuple(int(g) for g in args.gpus.split(",")) if args.gpus else ()
    device = torch.device("cuda" if gpus else "cpu")
    overrides = {"epochs": args.epochs, "device": "cuda" if gpus else "cpu"}
    specs = [RunSpec("train_classifier", "smoke", {**overrides, "seed": s}) for s in range(args.runs)]
    one, pool = (LocalExecutor(gpus=gpus[:1]), LocalExecutor(gpus=gpus)) if gpus else \
        (SerialExecutor(), LocalExecutor(jobs=args.jobs))
    alone = sorted(timed_sweep(one, specs) for _ in range(args.repeats))
    pooled = sorted(timed_sweep(pool, specs) for _ in range(args.repeats))
    pool_s, alone_s = statistics.median(pooled), statistics.median(alone)
    what = f"one run per GPU on {len(gpus)} GPUs vs one GPU" if gpus else f"local pool, --jobs {args.jobs}, vs serial"
    emit("sweep", device, {"runs": args.runs, "epochs": args.epochs, "cores": os.cpu_count(),
                           "repeats": args.repeats},
         [Row(f"sweep of {args.runs} smoke trainings: {what}",
              f"{pool_s:.1f} s [{pooled[0]:.1f}, {pooled[-1]:.1f}] vs "
              f"{alone_s:.1f} s [{alone[0]:.1f}, {alone[-1]:.1f}]",
              alone_s / pool_s)])


if __name__ == "__main__":
    main()
