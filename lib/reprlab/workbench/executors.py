"""Executors: where the runs of a command execute. One interface, three kinds.

- ``serial``: one run after another in this process (the default).
- ``local``: a pool of worker processes on this machine (``jobs`` at once); with ``gpus`` each
  worker sees one GPU through ``CUDA_VISIBLE_DEVICES``.
- ``slurm``: one SLURM job per run through ``submitit`` (``submitit-local``: the same pickling and
  job protocol, run as local processes, for tests and for trying a sweep without a cluster).

:meth:`Executor.run` plans the runs with the runs they need (:mod:`reprlab.workbench.sweeps`),
starts each as soon as those are complete, and prints one line per run as it starts, finishes,
resumes or fails. Run directories may live on a shared
filesystem (``REPRLAB_RUNS``): the run-directory lock makes two workers never train the same run,
and a run whose worker was killed resumes from its last checkpoint when submitted again.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reprlab import paths
from reprlab.workbench.rundir import read_status
from reprlab.workbench.runner import (
    EXECUTOR_ENV,
    PARENT_ENV,
    RunResult,
    RunSpec,
    expected_minutes,
    interrupt_kernels,
    run_notebook,
)
from reprlab.workbench.sweeps import PlannedRun, plan, run_state
from reprlab.workbench.worker import REUSED

EXECUTORS = ("serial", "local", "slurm", "submitit-local")

Log = Callable[[str], None]


class Executor(ABC):
    """Runs :class:`RunSpec` s. A subclass says how one run starts (:meth:`start`) and how its end
    is noticed (:meth:`poll`); ``slots`` runs execute at once."""

    name = "serial"
    slots = 1
    poll_seconds = 0.2

    def run(self, specs: list[RunSpec], *, rerun: bool = False, log: Log = print,
            record: list[RunResult] | None = None) -> list[RunResult]:
        """Run ``specs`` and every run they need, each as soon as the runs it needs are complete
        (up to ``slots`` at once), reusing complete runs; ``rerun`` runs the given specs again (not
        their children). Returns one result per spec, in order; every run's result, in the order
        they ended, is appended to ``record`` when given. A failed run fails the runs that need it
        (their error names it and its run directory) and nothing new starts after it."""
        record = [] if record is None else record
        waiting = _longest_chain_first(plan(specs))
        done: dict[Path, RunResult] = {}
        running: dict[Path, tuple[PlannedRun, Any, float]] = {}
        failure: RunResult | None = None
        with _ctrl_c_reaches_this_process():
            try:
                while waiting or running:
                    for run in [r for r in waiting if all(d in done for d in r.needs)]:
                        if failure is not None or len(running) >= self.slots:
                            break
                        waiting.remove(run)
                        # the state now, not when planned: a run it needs may have rewritten its inputs
                        if run_state(run.run_dir) == "complete" and not (rerun and run.requested):
                            log(f"[reused]   {run.label} -> {run.run_dir}")
                            done[run.run_dir] = RunResult(run.spec.notebook, run.run_dir, "reused", run.params,
                                                          label=run.label)
                            record.append(done[run.run_dir])
                            continue
                        running[run.run_dir] = (run, self.start(run, rerun and run.requested, log), time.perf_counter())
                    if not running and (failure is not None or not waiting):
                        break
                    ended = False
                    for run_dir, (run, handle, started) in list(running.items()):
                        result = self.poll(run, handle, log)
                        if result is not None:
                            ended = True
                            result.seconds, result.label = time.perf_counter() - started, run.label
                            done[run_dir] = result
                            record.append(result)
                            del running[run_dir]
                            failure = failure or (result if result.status == "failed" else None)
                    if running and not ended:
                        time.sleep(self.poll_seconds)
            except KeyboardInterrupt:
                self.cancel([handle for _, handle, _ in running.values()], log)
                raise
        results = []
        for spec in specs:
            params, run_dir = spec.resolve()
            if run_dir in done:
                results.append(done[run_dir])
            else:
                assert failure is not None  # a run that never started waited for one that failed
                results.append(RunResult(spec.notebook, run_dir, "failed", params, f"{failure.notebook} failed: "
                                         f"{failure.error} (see {failure.run_dir})"))
        return results

    @abstractmethod
    def start(self, run: PlannedRun, rerun: bool, log: Log) -> Any:
        """Start ``run``; returns a handle for :meth:`poll`."""

    @abstractmethod
    def poll(self, run: PlannedRun, handle: Any, log: Log) -> RunResult | None:
        """The result of the run behind ``handle`` once it has ended, else None."""

    @abstractmethod
    def cancel(self, handles: list[Any], log: Log) -> None:
        """Stop the runs behind ``handles`` (Ctrl-C in the launcher); they resume when submitted again."""


class SerialExecutor(Executor):
    """One run after another, in this process; the notebooks' output streams to the console."""

    name = "serial"

    def start(self, run: PlannedRun, rerun: bool, log: Log) -> RunResult:
        with _parent_set(run.parent):
            return run_notebook(run.spec.notebook, run.spec.profile, dict(run.spec.overrides), rerun=rerun, log=log)

    def poll(self, run: PlannedRun, handle: RunResult, log: Log) -> RunResult:
        return handle

    def cancel(self, handles: list[Any], log: Log) -> None:
        pass  # the run executes in this process: Ctrl-C already reached it


@dataclass
class LocalExecutor(Executor):
    """A pool of ``jobs`` worker processes on this machine. ``gpus`` (device ids) pins one run per
    GPU (``jobs`` defaults to their number). Without GPUs, each worker gets ``cpu_count // jobs``
    threads unless ``OMP_NUM_THREADS`` is set: workers must share the cores, not oversubscribe them.
    Each run's output goes to ``<runs>/.logs/<notebook>/<run>.log``."""

    jobs: int = 0
    gpus: tuple[int, ...] = ()
    name: str = field(default="local", init=False)

    def __post_init__(self) -> None:
        self.jobs = self.jobs or len(self.gpus) or 1
        if self.jobs < 1:
            raise ValueError(f"--jobs {self.jobs}: must be at least 1")
        if self.gpus and self.jobs > len(self.gpus):
            raise ValueError(f"--jobs {self.jobs} with --gpus {','.join(map(str, self.gpus))}: one run per GPU, "
                             f"so at most {len(self.gpus)} jobs")
        self.slots = self.jobs
        self._free = list(self.gpus[: self.jobs]) if self.gpus else [None] * self.jobs

    def start(self, run: PlannedRun, rerun: bool, log: Log) -> tuple[subprocess.Popen, int | None, Path]:
        slot = self._free.pop(0)
        env = {**os.environ, EXECUTOR_ENV: self.name if slot is None else f"{self.name} gpu {slot}",
               PARENT_ENV: run.parent}
        if slot is not None:
            env["CUDA_VISIBLE_DEVICES"] = str(slot)
        elif self.jobs > 1 and "OMP_NUM_THREADS" not in os.environ:
            env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // self.jobs))
        command = [sys.executable, "-m", "reprlab.workbench.worker", json.dumps(run.spec.to_json())]
        if rerun:
            command.append("--rerun")
        log_path = run_log_path(run.run_dir)
        _announce(run, log_path, log)
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)  # Ctrl-C reaches it only through cancel()
        return proc, slot, log_path

    def poll(self, run: PlannedRun, handle: tuple[subprocess.Popen, int | None, Path], log: Log) -> RunResult | None:
        proc, slot, log_path = handle
        code = proc.poll()
        if code is None:
            return None
        self._free.append(slot)
        if code == REUSED:  # another launcher finished it while this worker waited for its lock
            log(f"[reused]   {run.label} -> {run.run_dir} (another worker ran it)")
            return RunResult(run.spec.notebook, run.run_dir, "reused", run.params)
        ended = (f"worker killed by signal {-code}; submit again to resume from the last checkpoint" if code < 0
                 else f"worker exited with code {code}")
        return _ended(run, log_path, log, ended)

    def cancel(self, handles: list[tuple[subprocess.Popen, int | None, Path]], log: Log) -> None:
        """Stop every live worker as Ctrl-C would: its run records ``interrupted``."""
        for proc, _, _ in handles:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc, _, _ in handles:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        log("[cancelled] the launcher stopped its workers; submit again to resume")


@dataclass
class SlurmOptions:
    """Resources of each SLURM job: ``partition``, ``time`` (minutes), ``gpus_per_job``, ``mem``
    (GB), ``cpus_per_task``, ``account`` (None: the cluster's default)."""

    partition: str | None = None
    time: int = 60
    gpus_per_job: int = 1
    mem: int | None = None
    cpus_per_task: int | None = None
    account: str | None = None

    def submitit_parameters(self) -> dict[str, Any]:
        params: dict[str, Any] = {"timeout_min": self.time, "gpus_per_node": self.gpus_per_job,
                                  "tasks_per_node": 1, "nodes": 1}
        if self.cpus_per_task:
            params["cpus_per_task"] = self.cpus_per_task
        if self.mem:
            params["mem_gb"] = self.mem
        if self.partition:
            params["slurm_partition"] = self.partition
        if self.account:
            params["slurm_account"] = self.account
        return params


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
    return SlurmOptions(**values)


@dataclass
class SubmititExecutor(Executor):
    """One job per run through ``submitit``: on SLURM (``cluster="slurm"``), or as local processes
    with the same job protocol (``cluster="local"``). Every ready run is submitted at once (the
    scheduler queues them). Jobs log to ``<runs>/.submitit/``. A job that SLURM pre-empts or
    times out is requeued (submitit's checkpoint hook) and resumes its run from the last checkpoint."""

    options: SlurmOptions = field(default_factory=SlurmOptions)
    cluster: str = "slurm"
    poll_seconds: float = 2.0
    name: str = field(default="slurm", init=False)
    slots: int = field(default=1 << 30, init=False)

    def __post_init__(self) -> None:
        self.name = "slurm" if self.cluster == "slurm" else "submitit-local"
        if self.cluster == "slurm" and shutil.which("sbatch") is None:
            raise ValueError("--executor slurm needs SLURM's sbatch on PATH (this machine has none); "
                             "use --executor submitit-local to try the same jobs as local processes")
        self._executor = None

    def start(self, run: PlannedRun, rerun: bool, log: Log) -> Any:
        import submitit

        if self._executor is None:
            self._executor = submitit.AutoExecutor(folder=paths.runs_dir() / ".submitit", cluster=self.cluster)
            self._executor.update_parameters(name="reprlab", stderr_to_stdout=True,
                                             **self.options.submitit_parameters())
            if self.cluster == "local":
                self._executor.update_parameters(gpus_per_node=0)  # local processes share this machine's devices
        job = self._executor.submit(NotebookTask(run.spec, rerun, run.parent, self.name))
        _announce(run, Path(job.paths.stdout), log, f"job {job.job_id}")
        return job

    def poll(self, run: PlannedRun, job: Any, log: Log) -> RunResult | None:
        if not job.done():
            return None
        with contextlib.suppress(Exception):  # a job that died: the run's status file says so
            job.result()
        return _ended(run, Path(job.paths.stdout), log, f"job {job.job_id} ended in state {job.state}")

    def cancel(self, jobs: list[Any], log: Log) -> None:
        """Cancel every job this launcher is waiting for."""
        for job in jobs:
            with contextlib.suppress(Exception):
                job.cancel(check=False)
        log("[cancelled] the launcher cancelled its jobs; submit again to resume")


@dataclass
class NotebookTask:
    """What a submitit job executes: one run (pickled by submitit). ``checkpoint`` is submitit's
    pre-emption hook: the job is requeued as it is, and the run resumes from its last checkpoint."""

    spec: RunSpec
    rerun: bool
    parent: str
    executor: str

    def __call__(self) -> dict[str, Any]:
        import socket

        import submitit

        job_id = submitit.JobEnvironment().job_id
        os.environ[EXECUTOR_ENV] = f"{self.executor} job {job_id}"
        os.environ[PARENT_ENV] = self.parent
        if not self.parent:
            del os.environ[PARENT_ENV]
        print(f"{self.spec.describe()} on {socket.gethostname()}, job {job_id}", flush=True)
        result = run_notebook(self.spec.notebook, self.spec.profile, dict(self.spec.overrides), rerun=self.rerun)
        return {"status": result.status, "run_dir": str(result.run_dir), "error": result.error}

    def checkpoint(self) -> Any:
        import submitit

        interrupt_kernels()  # the notebook stops training now; the requeued job resumes from its checkpoint
        return submitit.helpers.DelayedSubmission(NotebookTask(self.spec, False, self.parent, self.executor))


@contextlib.contextmanager
def _ctrl_c_reaches_this_process() -> Iterator[None]:
    """While the launcher waits, Ctrl-C raises KeyboardInterrupt even where it was started with
    SIGINT ignored (a background job of a script), so it can stop what it started."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _longest_chain_first(planned: list[PlannedRun]) -> list[PlannedRun]:
    """``planned`` with the runs that the longest chain of other runs waits for first, a chain's
    length in its profile's expected minutes (:func:`~reprlab.workbench.runner.expected_minutes`;
    a label bank before a lone training, the longest training first), so that the last runs to
    start are short ones that nothing waits for."""
    minutes = {profile: expected_minutes(profile) for profile in {run.spec.profile for run in planned}}
    chain: dict[Path, float] = {}
    for run in reversed(planned):  # a run comes after everything it needs
        chain[run.run_dir] = chain.get(run.run_dir, 0.0) + minutes[run.spec.profile].get(run.spec.notebook, 1.0)
        for need in run.needs:
            chain[need] = max(chain.get(need, 0.0), chain[run.run_dir])
    return sorted(planned, key=lambda run: -chain[run.run_dir])


def make_executor(kind: str, *, jobs: int = 0, gpus: tuple[int, ...] = (),
                  slurm: SlurmOptions | None = None) -> Executor:
    """The executor ``kind`` (one of :data:`EXECUTORS`) with its options, checked now."""
    if kind not in EXECUTORS:
        raise ValueError(f"--executor {kind!r} is not allowed; allowed values: {', '.join(EXECUTORS)}")
    if kind != "local" and (jobs or gpus):
        raise ValueError(f"--jobs and --gpus belong to --executor local, not {kind}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "local":
        return LocalExecutor(jobs, tuple(gpus))
    return SubmititExecutor(slurm or SlurmOptions(), cluster="slurm" if kind == "slurm" else "local")


def run_log_path(run_dir: Path) -> Path:
    """Where a worker's output goes: ``<runs>/.logs/<notebook>/<run>.log`` (appended to)."""
    path = paths.runs_dir() / ".logs" / run_dir.parent.name / f"{run_dir.name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _announce(run: PlannedRun, log_path: Path, log: Log, what: str = "") -> None:
    verb = "[resumes]" if run.state == "resume" else "[starts] "
    where = f"{what}, " if what else ""
    log(f"{verb}  {run.label} -> {run.run_dir} ({where}log {log_path})")


def _ended(run: PlannedRun, log_path: Path, log: Log, otherwise: str) -> RunResult:
    """The result of a run a worker or job executed, read from its ``status.json``."""
    status = read_status(run.run_dir, lambda _: None) or {}
    if status.get("status") == "completed":
        log(f"[done]     {run.label} in {status.get('seconds', 0):.0f}s -> {run.run_dir}")
        return RunResult(run.spec.notebook, run.run_dir, "completed", run.params)
    error = status.get("error") or otherwise
    log(f"[FAILED]   {run.label}: {error}; run directory {run.run_dir}, log {log_path}")
    return RunResult(run.spec.notebook, run.run_dir, "failed", run.params, error)


@contextlib.contextmanager
def _env_set(values: dict[str, str]):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _parent_set(parent: str):
    """The parent run recorded in a child's ``status.json`` while it runs in this process."""
    return _env_set({PARENT_ENV: parent}) if parent else contextlib.nullcontext()
