"""torchrun / DistributedDataParallel wiring, nanoGPT style: a process is distributed when
torchrun set ``RANK`` in its environment. NCCL on GPUs, gloo on CPU."""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist


def rank_and_world_size() -> tuple[int, int]:
    """(rank, world size) of this process; (0, 1) when not distributed."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def is_main_process() -> bool:
    """True on rank 0 (and in a single process): the one that logs and writes files."""
    return rank_and_world_size()[0] == 0


def resolve_device(device: str = "auto") -> torch.device:
    """The device a run trains on: the one resolver every experiment uses.

    Under torchrun (``RANK`` set) the process group is started (NCCL on GPUs, gloo on the CPU) and
    this rank's device is returned, whatever ``device`` says. Otherwise ``"auto"`` gives CUDA when
    available, else the CPU, and any other value is ``torch.device(device)`` (``cpu``, ``cuda:1``)."""
    if "RANK" not in os.environ:
        if device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(device)
    if dist.is_initialized():
        local_rank = int(os.environ.get("LOCAL_RANK", 0))
        return torch.device("cuda", local_rank) if torch.cuda.is_available() else torch.device("cpu")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl")
        return torch.device("cuda", local_rank)
    dist.init_process_group("gloo")
    return torch.device("cpu")


def all_reduce_mean(value: torch.Tensor) -> torch.Tensor:
    """Mean of ``value`` over all ranks (identity when not distributed)."""
    if rank_and_world_size()[1] == 1:
        return value
    value = value.clone()
    dist.all_reduce(value)
    return value / dist.get_world_size()


def launch_torchrun(module: str, job: Any, out_dir: str | Path, nproc: int) -> None:
    """Write the dataclass ``job`` to ``out_dir/job.json`` and run ``python -m module job.json``
    in ``nproc`` torchrun workers on this machine (``--standalone``); raises if they fail."""
    job_file = Path(out_dir) / "job.json"
    job_file.write_text(json.dumps(dataclasses.asdict(job), indent=2))
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
                    "-m", module, str(job_file)], check=True)
