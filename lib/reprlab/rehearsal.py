"""A rehearsal: every run of a profile with its exact settings, on the CPU, each run capped.

``python -m reprlab run-all --profile paper --rehearse`` sets :data:`ENV` for the whole process
tree (the launcher, its pool workers or SLURM jobs, every kernel and the runs a notebook starts),
so the paper's parameters stay untouched and three places apply the caps:

- the loaders (:mod:`reprlab.data.loaders`): at most ``steps_per_epoch`` training batches and
  ``eval_batches`` evaluation batches per pass, of at most ``max_batch_size`` examples;
- the engine (:func:`reprlab.training.fit`): ``epochs`` epochs with the schedule compressed onto
  them (milestones and warm-up are fractions of the run), a resume from the first epoch's
  checkpoint, and one measured step (:class:`StepMeter`);
- the datasets (:mod:`reprlab.data.datasets`): torchvision's integrity check runs against the
  fixture's own checksums (:func:`reprlab.data.fixtures.write_fixture` records them).

The environment carries the caps because an argument could not reach all of those processes
without every experiment driver passing it on; nothing else reads the environment.
"""

import contextlib
import json
import os
import resource
import statistics
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reprlab.io import read_json, write_json

ENV = "REPRLAB_REHEARSAL"
#: Where a kernel records the measured steps of the run it executes (set by the runner).
RUN_DIR_ENV = "REPRLAB_PARENT_RUN"
FIXTURE_CHECKSUMS = "rehearsal-fixture-md5.json"

if TYPE_CHECKING:  # the launcher imports this module and stays free of torch
    import torch


@dataclass(frozen=True)
class Caps:
    """How far each run of a rehearsal goes: ``epochs`` epochs of at most ``steps_per_epoch``
    optimiser steps on batches of at most ``max_batch_size`` examples; every evaluation pass stops
    after ``eval_batches`` batches."""

    steps_per_epoch: int = 2
    epochs: int = 2
    eval_batches: int = 2
    max_batch_size: int = 64

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"rehearsal: {name}={value!r} is out of range; allowed range: [1, inf)")
        if self.epochs < 2:
            raise ValueError(f"rehearsal: epochs={self.epochs} is out of range; allowed range: [2, inf) "
                             "(a resume needs a second epoch)")

    @classmethod
    def from_section(cls, section: dict[str, Any], where: str) -> "Caps":
        """The caps of a profile's ``rehearsal:`` section (its ``cut`` and ``minutes`` aside); unknown keys are
        an error naming ``where`` and the keys there are."""
        values = {k: v for k, v in section.items() if k not in ("cut", "minutes")}
        unknown = [k for k in values if k not in cls.__dataclass_fields__]
        if unknown:
            raise ValueError(f"{where}: {', '.join(map(repr, unknown))} is no rehearsal setting; allowed values: "
                             f"{', '.join(cls.__dataclass_fields__)}, cut, minutes")
        try:
            return cls(**values)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None


def caps() -> Caps | None:
    """The caps of the rehearsal this process belongs to, or None outside a rehearsal."""
    text = os.environ.get(ENV, "")
    return Caps(**json.loads(text)) if text else None


def mismatch(recorded: dict[str, Any] | None) -> str:
    """Why a run whose ``status.json`` recorded rehearsal caps ``recorded`` (None: a real run)
    cannot be reused by this process ("" when it can): a rehearsal's run is never taken for a
    real one, nor a real one for a rehearsal's, nor one rehearsed with other caps."""
    current = caps()
    if (recorded or None) == (asdict(current) if current else None):
        return ""
    if current is None:
        return "a rehearsal's run is never a real one"
    return "it was rehearsed with other caps" if recorded else "a real run is not rehearsed over"


def environment(root: Path, caps: Caps) -> dict[str, str]:
    """The environment of a rehearsal under ``root``: its caps, and its own runs, data, labels and
    reports folders, so no rehearsal run is ever taken for (or overwrites) a real one."""
    return {ENV: json.dumps(asdict(caps)), "REPRLAB_RUNS": str(root / "runs"), "REPRLAB_DATA": str(root / "data"),
            "REPRLAB_LABELS": str(root / "labels"), "REPRLAB_REPORTS": str(root / "reports")}


def cap_examples(data: Any) -> Any:
    """In a rehearsal, the first ``eval_batches * max_batch_size`` examples of ``data`` (an
    :class:`~reprlab.data.ImageSet`), for evaluations that encode a whole set outside a loader;
    outside one, ``data`` itself."""
    limit = caps()
    if limit is None or len(data) <= limit.eval_batches * limit.max_batch_size:
        return data
    import torch

    return data.subset(torch.arange(limit.eval_batches * limit.max_batch_size))


# -- fixture datasets ------------------------------------------------------------------------------

@contextlib.contextmanager
def trusted_checksums(cls: type, root: Path) -> Iterator[None]:
    """Inside a rehearsal, torchvision dataset class ``cls`` verifies the fixture's own md5 sums
    (recorded by :func:`reprlab.data.fixtures.write_fixture` in ``root``) instead of the official ones, so its real
    integrity check still runs; outside a rehearsal, nothing changes."""
    sums_path = root / FIXTURE_CHECKSUMS
    if caps() is None or not sums_path.exists():
        yield
        return
    sums = {file: md5 for files in read_json(sums_path).values() for file, md5 in files.items()}
    saved = {attr: getattr(cls, attr) for attr in ("train_list", "test_list", "meta") if hasattr(cls, attr)}
    for attr in ("train_list", "test_list"):
        if attr in saved:
            setattr(cls, attr, [[f, sums.get(Path(f).name, md5), *rest] for f, md5, *rest in saved[attr]])
    if "meta" in saved and isinstance(saved["meta"], dict):
        cls.meta = {**saved["meta"], "md5": sums.get(saved["meta"]["filename"], saved["meta"]["md5"])}
    try:
        yield
    finally:
        for attr, value in saved.items():
            setattr(cls, attr, value)


# -- measuring a training step ---------------------------------------------------------------------

class StepMeter:
    """Measures a rehearsed run's training steps: the first one under
    ``torch.utils.flop_counter.FlopCounterMode`` (FLOPs of forward and backward) with every
    tensor autograd saves counted (activation bytes), the others by wall time. :meth:`write`
    records them, with what the run would do at the paper's batch size and length:

    ``flops_per_step_paper`` and ``memory_estimate_bytes_paper`` are linear extrapolations from
    the measured batch when the rehearsal trained a smaller one (``extrapolated_from_batch``);
    memory is fp32 weights, gradients and optimiser state plus the saved activations (an upper
    bound under bf16 autocast)."""

    def __init__(self, model: "torch.nn.Module", optimizer: "torch.optim.Optimizer", loader: Any,
                 paper_epochs: int) -> None:
        self.model, self.optimizer, self.loader, self.paper_epochs = model, optimizer, loader, paper_epochs
        self.flops = 0
        self.activation_bytes = 0
        self.measured_batch = 0
        self.seconds: list[float] = []

    @contextlib.contextmanager
    def step(self, batch_size: int) -> Iterator[None]:
        """Around one whole optimiser step (forward, backward, update) of ``batch_size`` examples."""
        if self.measured_batch:
            start = time.perf_counter()
            yield
            self.seconds.append(time.perf_counter() - start)
            return
        import torch
        from torch.utils.flop_counter import FlopCounterMode

        def pack(t: torch.Tensor) -> torch.Tensor:
            self.activation_bytes += t.numel() * t.element_size()
            return t

        counter = FlopCounterMode(display=False)
        with counter, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            yield
        self.flops, self.measured_batch = counter.get_total_flops(), batch_size

    def record(self) -> dict[str, Any]:
        """Everything measured, as one JSON-ready dict."""
        import torch

        params = sum(p.numel() for p in self.model.parameters())
        param_bytes = sum(p.numel() * p.element_size() for p in self.model.parameters())
        optimizer_bytes = sum(t.numel() * t.element_size() for s in self.optimizer.state.values()
                              for t in s.values() if torch.is_tensor(t))
        paper_batch = getattr(self.loader, "paper_batch_size", self.measured_batch)
        scale = paper_batch / self.measured_batch if self.measured_batch else 1.0
        return {
            "parameters": params,
            "epochs_paper": self.paper_epochs,
            "steps_per_epoch_paper": getattr(self.loader, "paper_len", len(self.loader)),
            "batch_size_paper": paper_batch,
            "batch_size_measured": self.measured_batch,
            "extrapolated_from_batch": self.measured_batch if scale != 1.0 else None,
            "flops_per_step_measured": self.flops,
            "flops_per_step_paper": self.flops * scale,
            "seconds_per_step_cpu": statistics.median(self.seconds) if self.seconds else None,
            "activation_bytes_measured": self.activation_bytes,
            "state_bytes": 2 * param_bytes + optimizer_bytes,
            "memory_estimate_bytes_paper": 2 * param_bytes + optimizer_bytes + self.activation_bytes * scale,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }

    def write(self) -> Path | None:
        """Write :meth:`record` as ``<run directory>/rehearsal/fit-<k>.json`` (``k``: this process's
        k-th training), or nothing when no run directory is known."""
        run_dir = os.environ.get(RUN_DIR_ENV, "")
        if not run_dir:
            return None
        StepMeter.written += 1
        return write_json(Path(run_dir) / "rehearsal" / f"fit-{StepMeter.written}.json", self.record())

    written = 0


def read_measurements(run_dir: Path) -> list[dict[str, Any]]:
    """Every training a rehearsed run measured (``rehearsal/fit-*.json``), in order."""
    files = sorted((run_dir / "rehearsal").glob("fit-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    return [read_json(p) for p in files]
