"""What the launcher knows about SLURM: a job's resources (:class:`SlurmOptions`, from a profile's
``slurm:`` section and the command line), ``sbatch``'s refusals in one line naming the flag, the
queue's state of each job (``squeue``: pending and why, running where, requeued how often), the
reasons for which a pending job never starts, and warnings for a ``--time`` too short for a run.

Every function here only talks to SLURM's client commands; the executor that submits and
watches jobs is :class:`reprlab.workbench.executors.SubmititExecutor`.
"""

import math
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

#: Minutes a job gets when neither the profile's ``slurm:`` section nor ``--time`` says.
DEFAULT_MINUTES = 60
#: submitit asks SLURM for its checkpoint signal this many seconds before the time limit
#: (``--signal=USR2@90``); what a job does after it is lost.
SIGNAL_SECONDS = 90
#: Times submitit requeues a job that reached its time limit (its ``max_num_timeout``).
MAX_TIMEOUTS = 3
#: A kernel's start, imports and data loading before the first training step, in minutes.
STARTUP_MINUTES = 0.5

#: ``sbatch`` messages of a controller that does not answer now and may answer soon: retried.
TRANSIENT = ("Unable to contact slurm controller", "Socket timed out", "temporarily unable to accept",
             "Resource temporarily unavailable", "Zero Bytes were transmitted", "Communication connection failure")

#: Pending reasons for which a job never starts (until an administrator changes the cluster).
NEVER_STARTS = {
    "PartitionTimeLimit": "--time {time} is above the partition's time limit",
    "PartitionNodeLimit": "the job asks for more nodes than the partition allows",
    "AssocMaxWallDurationPerJobLimit": "--time {time} is above your account's time limit",
    "QOSMaxWallDurationPerJobLimit": "--time {time} is above the QOS's time limit",
    "AssocGrpCpuLimit": "your account's CPU limit is smaller than the job",
    "InvalidAccount": "--account is not valid on this cluster",
    "InvalidQOS": "the job's QOS is not valid",
    "BadConstraints": "no node has what the job asks (--mem, --cpus-per-task, --gpus-per-job)",
    "ReqNodeNotAvail, Reserved for maintenance": "the nodes are reserved for maintenance",
}


@dataclass
class SlurmOptions:
    """Resources of each SLURM job: ``partition`` (None: the cluster's default), ``time``
    (minutes, default 60), ``gpus_per_job`` (None: no GPU is asked for), ``mem`` (GB; None:
    the cluster's default), ``cpus_per_task`` (None: one), ``account`` (None: the default)."""

    partition: str | None = None
    time: int = DEFAULT_MINUTES
    gpus_per_job: int | None = None
    mem: int | None = None
    cpus_per_task: int | None = None
    account: str | None = None

    def submitit_parameters(self) -> dict[str, Any]:
        """The keyword arguments of ``submitit.AutoExecutor.update_parameters``."""
        params: dict[str, Any] = {"timeout_min": self.time, "tasks_per_node": 1, "nodes": 1}
        if self.gpus_per_job:
            params["gpus_per_node"] = self.gpus_per_job
        if self.cpus_per_task:
            params["cpus_per_task"] = self.cpus_per_task
        if self.mem:
            params["mem_gb"] = self.mem
        if self.partition:
            params["slurm_partition"] = self.partition
        if self.account:
            params["slurm_account"] = self.account
        return params

    def flags(self) -> str:
        """The options as the command-line flags that set them, e.g. ``--partition gpu --time 60``."""
        given = {k: v for k, v in vars(self).items() if v is not None}
        return " ".join(f"--{k.replace('_', '-')} {v}" for k, v in given.items())


def slurm_options(values: dict[str, Any], where: str) -> SlurmOptions:
    """:class:`SlurmOptions` from a mapping (a profile's ``slurm:`` section, or the command line),
    every key and value checked; ``where`` names the source in errors."""
    allowed = {"partition": str, "time": int, "gpus_per_job": int, "mem": int, "cpus_per_task": int, "account": str}
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown SLURM option(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    for key, value in values.items():
        kind = allowed[key]
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise ValueError(f"{where}: {key}={value!r} must be {kind.__name__}")
        low = 0 if key == "gpus_per_job" else 1
        if kind is int and value is not None and value < low:
            raise ValueError(f"{where}: {key}={value} is out of range; allowed range: [{low}, inf)")
    return SlurmOptions(**{k: v for k, v in values.items() if v is not None})


def is_transient(message: str) -> bool:
    """Whether ``sbatch``'s error ``message`` is a controller that may answer if asked again."""
    return any(t.lower() in message.lower() for t in TRANSIENT)


def explain_refusal(message: str, options: SlurmOptions) -> str:
    """``sbatch``'s refusal ``message`` (its stderr) as one line naming the flag to change and,
    where SLURM can tell, the values this cluster allows."""
    said = last_error(message)
    if "Invalid partition" in said or "invalid partition" in said:
        return (f"--partition {options.partition}: SLURM has no such partition; partitions here: "
                f"{', '.join(partitions()) or 'unknown (sinfo did not answer)'}")
    if "generic resource" in said or "gres" in said.lower():
        return (f"--gpus-per-job {options.gpus_per_job}: the partition has no GPUs (SLURM: {said}); "
                "leave --gpus-per-job out on a CPU partition, or pick a GPU partition with --partition")
    if "node configuration is not available" in said or "Memory specification" in message:
        asked = ", ".join(f"--{k} {v}" for k, v in (("mem", options.mem and f"{options.mem} GB"),
                                                     ("cpus-per-task", options.cpus_per_task),
                                                     ("gpus-per-job", options.gpus_per_job)) if v)
        return (f"no node of the partition has what the job asks ({asked or 'its defaults'}); "
                f"nodes here: {node_sizes() or 'unknown (sinfo did not answer)'}")
    if "account" in said.lower():
        return f"--account {options.account}: SLURM refused it ({said})"
    if "time limit" in said.lower():
        return f"--time {options.time}: SLURM refused it ({said})"
    return f"sbatch refused the job ({options.flags() or 'no options'}): {said}"


def last_error(message: str) -> str:
    """The line of ``sbatch``'s stderr that says why it failed."""
    lines = [line.removeprefix("sbatch: error: ").strip() for line in message.strip().splitlines() if line.strip()]
    failed = [line.removeprefix("Batch job submission failed: ") for line in lines
              if line.startswith("Batch job submission failed")]
    return (failed or lines or ["(no message)"])[-1]


def partitions() -> list[str]:
    """The cluster's partition names (``sinfo``); empty when SLURM does not answer."""
    out = _client(["sinfo", "--noheader", "--format=%R"])
    return sorted(set(out.split())) if out else []


def node_sizes() -> str:
    """The cluster's node sizes, e.g. ``2 CPUs, 3 GB, gres (null)`` (``sinfo``), '' when unknown."""
    out = _client(["sinfo", "--noheader", "--format=%c|%m|%G"])
    sizes = []
    for line in sorted(set(out.splitlines())):
        cpus, memory_mb, gres = [*line.split("|"), "", ""][:3]
        memory = f"{int(memory_mb) / 1000:g} GB" if memory_mb.strip().isdigit() else memory_mb
        sizes.append(f"{cpus} CPUs, {memory}" + (f", {gres}" if gres not in ("", "(null)") else ", no GPUs"))
    return "; ".join(sizes)


class QueueState(NamedTuple):
    """A job as ``squeue`` shows it: ``state`` (PENDING, RUNNING, ...), the ``reason`` it waits
    (``None`` when it does not), the ``node`` it runs on, and how often it was requeued."""

    state: str
    reason: str
    node: str
    restarts: int


def queue_states(job_ids: Iterable[str]) -> dict[str, QueueState] | None:
    """``{job id: QueueState}`` of the jobs still in SLURM's queue (a job that ended is absent
    once SLURM forgets it); None when the controller does not answer."""
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    out = _client(["squeue", "--noheader", "--me", "--states=all",
                   "--Format=JobID:|,State:|,Reason:|,NodeList:|,RestartCnt:|"])
    if out is None:
        return None
    states = {}
    for line in out.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) >= 5 and fields[0]:
            states[fields[0]] = QueueState(fields[1], fields[2], fields[3],
                                           int(fields[4]) if fields[4].isdigit() else 0)
    return states


def never_starts(state: QueueState, options: SlurmOptions) -> str:
    """Why a pending job will never start, in words naming the flag ('' when it may still)."""
    if state.state != "PENDING":
        return ""
    why = NEVER_STARTS.get(state.reason)
    return f"{state.reason}: {why.format(time=options.time)}" if why else ""


def _client(command: list[str]) -> str | None:
    """The stdout of a SLURM client command, None when it fails (the controller down)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout


def time_warnings(runs: list[tuple[str, float | None, int]], options: SlurmOptions) -> list[str]:
    """Warnings for jobs that ``--time`` is too short for: ``runs`` as ``(label, expected
    minutes or None, epochs)``. A job whose first checkpoint (its start plus one epoch) comes
    later than SLURM's checkpoint signal never saves anything, and each attempt starts over;
    a job that needs more attempts than submitit requeues (:data:`MAX_TIMEOUTS`) ends unfinished."""
    usable = options.time - SIGNAL_SECONDS / 60
    warnings = []
    for label, minutes, epochs in runs:
        if minutes is None:
            continue
        first_checkpoint = STARTUP_MINUTES + minutes / max(1, epochs)
        if first_checkpoint > usable:
            warnings.append(f"warning: --time {options.time} is too short for {label}: its first checkpoint comes "
                            f"after about {first_checkpoint:.1f} min, but SLURM signals the job {SIGNAL_SECONDS} s "
                            f"before its limit, so every attempt ends before it saves anything and the run never "
                            f"finishes; give at least --time {math.ceil(first_checkpoint + SIGNAL_SECONDS / 60) + 1}")
            continue
        attempts = math.ceil((minutes + STARTUP_MINUTES) / usable)
        if attempts > 1 + MAX_TIMEOUTS:
            warnings.append(f"warning: --time {options.time} is short for {label}: it needs about {minutes:.0f} min, "
                            f"{attempts} attempts, but submitit requeues a job at most {MAX_TIMEOUTS} times; "
                            f"it would end unfinished (submit again to go on), or give about --time "
                            f"{math.ceil(minutes / (1 + MAX_TIMEOUTS) + SIGNAL_SECONDS / 60 + STARTUP_MINUTES)}")
    return warnings
