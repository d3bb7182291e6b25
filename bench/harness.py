"""What every benchmark shares: timing with warm-up and repeats (median and spread), the machine
it ran on, and one row per measurement (the value, the ratio to its reference, the goal, met or
not), printed and written to ``bench/results/<bench>.<device kind>.json`` for ``run_all.py``."""

import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and the lowest and highest of ``repeats`` timed calls."""

    median: float
    low: float
    high: float
    repeats: int

    def __str__(self) -> str:
        scale, unit = (1e3, "ms") if self.median < 1 else (1.0, "s")
        return f"{scale * self.median:.3g} {unit} [{scale * self.low:.3g}, {scale * self.high:.3g}]"


def measure(fn: Callable[[], Any], device: torch.device | None = None, *, warmup: int = 1,
            repeats: int = 5) -> Timing:
    """Time ``fn`` after ``warmup`` untimed calls (cuDNN autotuning, caches), ``repeats`` times,
    synchronising CUDA around each call."""
    sync = torch.cuda.synchronize if device is not None and device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return Timing(statistics.median(times), min(times), max(times), repeats)


@dataclass(frozen=True)
class Row:
    """One measurement: what (``name``), its value in words, the ratio to its reference (higher
    is better) and the goal for that ratio on this kind of device (None: recorded, no goal)."""

    name: str
    value: str
    ratio: float | None = None
    goal: float | None = None

    @property
    def met(self) -> bool | None:
        return None if self.goal is None or self.ratio is None else bool(self.ratio >= self.goal)  # numpy ratios too


def device_kind(device: torch.device) -> str:
    return "cuda" if device.type == "cuda" else "cpu"


def machine(device: torch.device) -> dict[str, Any]:
    """The device, its name, the torch version and the CPU threads torch uses."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else _cpu_name()
    return {"device": device_kind(device), "name": name, "torch": torch.__version__,
            "threads": torch.get_num_threads(), "python": platform.python_version(), "commit": _commit()}


def emit(bench: str, device: torch.device, sizes: dict[str, Any], rows: list[Row]) -> Path:
    """Print the rows under a header (machine and sizes) and write them as JSON."""
    info = machine(device)
    print(f"{bench} | {info['name']} ({info['device']}), torch {info['torch']}, {info['threads']} threads | "
          + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    for row in rows:
        goal = "" if row.goal is None else f" | goal ≥ {row.goal:g}x: {'met' if row.met else 'NOT met'}"
        ratio = "" if row.ratio is None else f" | {row.ratio:.3g}x"
        print(f"  {row.name}: {row.value}{ratio}{goal}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{bench}.{info['device']}.json"
    path.write_text(json.dumps({"bench": bench, "date": time.strftime("%Y-%m-%d"), "machine": info, "sizes": sizes,
                                "rows": [{**asdict(r), "met": r.met} for r in rows]}, indent=1))
    return path


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "CPU"


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).parent)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit("harness.py is imported by the bench_*.py scripts; run bench/run_all.py")
