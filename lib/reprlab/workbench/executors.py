"""Executors: where the runs of a command execute. One interface, three kinds.

- ``serial``: one run after another in this process (the default).
- ``local``: a pool of worker processes on this machine (``jobs`` at once); with ``gpus`` each
  worker sees one GPU through ``CUDA_VISIBLE_DEVICES``.
- ``slurm``: one SLURM job per run through ``submitit`` (``submitit-local``: the same pickling and
  job protocol, run as local processes, for tests and for trying a sweep without a cluster).

:meth:`Executor.run` plans the runs with their children (:mod:`reprlab.workbench.sweeps`), runs
each group of independent runs concurrently, children before the runs that use them, and prints
one line per run as it starts, finishes, resumes or fails. Run directories may live on a shared
filesystem (``REPRLAB_RUNS``): the run-directory lock makes two workers never train the same run,
and a run whose worker was killed resumes from its last checkpoint when submitted again.
"""

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reprlab import paths
from reprlab.workbench.rundir import read_status
from reprlab.workbench.runner import EXECUTOR_ENV, PARENT_ENV, RunResult, RunSpec, run_notebook
from reprlab.workbench.sweeps import PlannedRun, plan, waves
from reprlab.workbench.worker import REUSED

EXECUTORS = ("serial", "local", "slurm", "submitit-local")

Log = Callable[[str], None]


class Executor(ABC):
    """Runs :class:`RunSpec` s; subclasses say how one group of independent runs executes."""

    name = "serial"

    def run(self, specs: list[RunSpec], *, rerun: bool = False, log: Log = print) -> list[RunResult]:
        """Run ``specs`` (and first every run they need), reusing complete runs; ``rerun`` runs the
        given specs again (not their children). Returns one result per spec, in order. A failed
        child fails the runs that need it (their error names the child and its run directory) and
        nothing after its group starts."""
        planned = plan(specs)
        done: dict[Path, RunResult] = {}
        for group in waves(planned):
            todo = []
            for run in group:
                if run.state == "complete" and not (rerun and run.requested):
                    log(f"[reused]   {run.spec.describe()} -> {run.run_dir}")
                    done[run.run_dir] = RunResult(run.spec.notebook, run.run_dir, "reused", run.params)
                else:
                    todo.append(run)
            if todo:
                done.update(zip((r.run_dir for r in todo), self.run_group(todo, rerun=rerun, log=log), strict=True))
            failed = [r for r in done.values() if r.status == "failed"]
            if failed:
                break
        results = []
        for spec in specs:
            params, run_dir = spec.resolve()
            if run_dir in done:
                results.append(done[run_dir])
                continue
            cause = next(r for r in done.values() if r.status == "failed")
            results.append(RunResult(spec.notebook, run_dir, "failed", params,
                                     f"{cause.notebook} failed: {cause.error} (see {cause.run_dir})"))
        return results

    @abstractmethod
    def run_group(self, group: list[PlannedRun], *, rerun: bool, log: Log) -> list[RunResult]:
        """Run every run of ``group`` (independent of each other) to its end; results in order."""


class SerialExecutor(Executor):
    """One run after another, in this process; the notebooks' output streams to the console."""

    name = "serial"

    def run_group(self, group: list[PlannedRun], *, rerun: bool, log: Log) -> list[RunResult]:
        results = []
        for run in group:
            with _parent_set(run.parent):
                results.append(run_notebook(run.spec.notebook, run.spec.profile, dict(run.spec.overrides),
                                            rerun=rerun and run.requested, log=log))
            if results[-1].status == "failed":  # the rest of the group would be thrown away
                results += [RunResult(r.spec.notebook, r.run_dir, "failed", r.params, "not started: an earlier "
                                      f"run of the sweep failed ({results[-1].run_dir})") for r in group[len(results):]]
                break
        return results


@dataclass
class LocalExecutor(Executor):
    """A pool of ``jobs`` worker processes on this machine. ``gpus`` (device ids) pins one run per
    GPU (``jobs`` defaults to their number). Without GPUs, each worker gets ``cpu_count // jobs``
    threads unless ``OMP_NUM_THREADS`` is set: workers must share the cores, not oversubscribe them.
    Each run's output goes to ``<runs>/.logs/<notebook>/<run>.log``."""

    jobs: int = 0
    gpus: tuple[int, ...] = ()
    name: str = field(default="local", init=False)
    _live: dict[int, subprocess.Popen] = field(default_factory=dict, init=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    def __post_init__(self) -> None:
        self.jobs = self.jobs or len(self.gpus) or 1
        if self.jobs < 1:
            raise ValueError(f"--jobs {self.jobs}: must be at least 1")
        if self.gpus and self.jobs > len(self.gpus):
            raise ValueError(f"--jobs {self.jobs} with --gpus {','.join(map(str, self.gpus))}: one run per GPU, "
                             f"so at most {len(self.gpus)} jobs")

    def run_group(self, group: list[PlannedRun], *, rerun: bool, log: Log) -> list[RunResult]:
        slots: queue.Queue = queue.Queue()
        for slot in (self.gpus or [None] * self.jobs)[: self.jobs]:
            slots.put(slot)
        self._stopping.clear()
        with ThreadPoolExecutor(self.jobs) as pool:
            futures = [pool.submit(self._run_one, run, rerun and run.requested, slots, log) for run in group]
            try:
                pending = set(futures)
                while pending:  # short waits, so Ctrl-C reaches this thread
                    _, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
            except KeyboardInterrupt:
                self.cancel(log)
                raise
        return [f.result() for f in futures]

    def _run_one(self, run: PlannedRun, rerun: bool, slots: queue.Queue, log: Log) -> RunResult:
        slot = slots.get()
        try:
            if self._stopping.is_set():
                return RunResult(run.spec.notebook, run.run_dir, "failed", run.params, "cancelled")
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
            start = time.perf_counter()
            with open(log_path, "ab") as out:
                proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)  # Ctrl-C reaches it only through cancel()
                self._live[proc.pid] = proc
                try:
                    code = proc.wait()
                finally:
                    self._live.pop(proc.pid, None)
            if code == REUSED:  # another launcher finished it while this worker waited for its lock
                log(f"[reused]   {run.spec.describe()} -> {run.run_dir} (another worker ran it)")
                return RunResult(run.spec.notebook, run.run_dir, "reused", run.params)
            ended = (f"worker killed by signal {-code}; submit again to resume from the last checkpoint" if code < 0
                     else f"worker exited with code {code}")
            return _finished(run, time.perf_counter() - start, log_path, log, ended)
        finally:
            slots.put(slot)

    def cancel(self, log: Log = print) -> None:
        """Stop every live worker as Ctrl-C would (its run records ``interrupted`` and resumes
        later) and start no more."""
        self._stopping.set()
        for proc in list(self._live.values()):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc in list(self._live.values()):
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
        if kind is int and value is not None and value < (0 if key == "gpus_per_job" else 1):
            raise ValueError(f"{where}: {key}={value} is out of range; allowed range: "
                             f"[{0 if key == 'gpus_per_job' else 1}, inf)")
    return SlurmOptions(**values)


@dataclass
class SubmititExecutor(Executor):
    """One job per run through ``submitit``: on SLURM (``cluster="slurm"``), or as local processes
    with the same job protocol (``cluster="local"``). Jobs log to ``<runs>/.submitit/``. A job
    that SLURM pre-empts or times out is requeued (submitit's checkpoint hook) and resumes its run
    from the last checkpoint."""

    options: SlurmOptions = field(default_factory=SlurmOptions)
    cluster: str = "slurm"
    poll_seconds: float = 2.0
    name: str = field(default="slurm", init=False)
    _jobs: list = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.name = "slurm" if self.cluster == "slurm" else "submitit-local"
        if self.cluster == "slurm" and shutil.which("sbatch") is None:
            raise ValueError("--executor slurm needs SLURM's sbatch on PATH (this machine has none); "
                             "use --executor submitit-local to try the same jobs as local processes")

    def run_group(self, group: list[PlannedRun], *, rerun: bool, log: Log) -> list[RunResult]:
        import submitit

        folder = paths.runs_dir() / ".submitit"
        executor = submitit.AutoExecutor(folder=folder, cluster=self.cluster)
        executor.update_parameters(name="reprlab", stderr_to_stdout=True, **self.options.submitit_parameters())
        if self.cluster == "local":
            executor.update_parameters(gpus_per_node=0)  # local processes share this machine's devices
        started = []
        try:
            for run in group:
                task = NotebookTask(run.spec, rerun and run.requested, run.parent, self.name)
                with _env_set({EXECUTOR_ENV: self.name}):
                    job = executor.submit(task)
                self._jobs.append(job)
                _announce(run, Path(job.paths.stdout), log, f"job {job.job_id}")
                started.append((run, job, time.perf_counter()))
            results: dict[int, RunResult] = {}
            while len(results) < len(started):
                for i, (run, job, start) in enumerate(started):
                    if i not in results and job.done():
                        with contextlib.suppress(Exception):  # a job that died: the status file says so
                            job.result()
                        results[i] = _finished(run, time.perf_counter() - start, Path(job.paths.stdout), log,
                                               f"job {job.job_id} ended in state {job.state}")
                if len(results) < len(started):
                    time.sleep(self.poll_seconds)
        except KeyboardInterrupt:
            self.cancel(log)
            raise
        return [results[i] for i in range(len(started))]

    def cancel(self, log: Log = print) -> None:
        """Cancel every job this launcher submitted that has not ended."""
        for job in self._jobs:
            if not job.done():
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

        return submitit.helpers.DelayedSubmission(NotebookTask(self.spec, False, self.parent, self.executor))


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
    log(f"{verb}  {run.spec.describe()} -> {run.run_dir} ({where}log {log_path})")


def _finished(run: PlannedRun, seconds: float, log_path: Path, log: Log, otherwise: str) -> RunResult:
    """The result of a run a worker or job executed, read from its ``status.json``."""
    status = read_status(run.run_dir, lambda _: None) or {}
    if status.get("status") == "completed":
        log(f"[done]     {run.spec.describe()} in {seconds:.0f}s -> {run.run_dir}")
        return RunResult(run.spec.notebook, run.run_dir, "completed", run.params, seconds=seconds)
    error = status.get("error") or otherwise
    log(f"[FAILED]   {run.spec.describe()}: {error}; run directory {run.run_dir}, log {log_path}")
    return RunResult(run.spec.notebook, run.run_dir, "failed", run.params, error, seconds)


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
