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
import io
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
from reprlab.clock import duration
from reprlab.io import write_json
from reprlab.workbench import slurm
from reprlab.workbench.rundir import CANCELLED, COMPLETED, FAILED, REUSED, read_status
from reprlab.workbench.runner import EXECUTOR_ENV, PARENT_ENV, RunResult, interrupt_kernels, run_resolved
from reprlab.workbench.spec import RunSpec, expected_minutes
from reprlab.workbench.sweeps import PlannedRun, plan, run_state
from reprlab.workbench.worker import REUSED_EXIT

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
        for line in self.warnings(waiting):
            log(line)
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
                            done[run.run_dir] = RunResult(run.spec.notebook, run.run_dir, REUSED, run.params,
                                                          label=run.label)
                            record.append(done[run.run_dir])
                            continue
                        running[run.run_dir] = (run, self.start(run, rerun and run.requested, log), time.perf_counter())
                    if not running and (failure is not None or not waiting):
                        break
                    self.watch([(run, handle) for run, handle, _ in running.values()], log)
                    ended = False
                    for run_dir, (run, handle, started) in list(running.items()):
                        result = self.poll(run, handle, log)
                        if result is not None:
                            ended = True
                            result.seconds, result.label = time.perf_counter() - started, run.label
                            done[run_dir] = result
                            record.append(result)
                            del running[run_dir]
                            failure = failure or (result if result.status == FAILED else None)
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
                results.append(RunResult(spec.notebook, run_dir, FAILED, params, f"{failure.notebook} failed: "
                                         f"{failure.error} (see {failure.run_dir})"))
        return results

    def warnings(self, planned: list[PlannedRun]) -> list[str]:
        """Warnings about ``planned`` runs on this executor, said before any starts (none here)."""
        return []

    def watch(self, running: list[tuple[PlannedRun, Any]], log: Log) -> None:
        """Called once per turn of the wait loop with the running runs and their handles."""
        return None

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
            return run_resolved(run.spec.notebook, run.spec.profile, run.params, rerun=rerun, log=log)

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
        command = [sys.executable, "-m", "reprlab.workbench.worker",
                   json.dumps({"notebook": run.spec.notebook, "profile": run.spec.profile, "params": run.params})]
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
        if code == REUSED_EXIT:  # another launcher finished it while this worker waited for its lock
            log(f"[reused]   {run.label} -> {run.run_dir} (another worker ran it)")
            return RunResult(run.spec.notebook, run.run_dir, REUSED, run.params)
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
class SlurmJob:
    """A run submitted as a job: the submitit ``job`` (None when ``sbatch`` refused it, ``error``
    says why), when it was submitted (monotonic seconds), what the queue last showed of it, how
    many attempts it has had, since when it waits for a reason it never starts for, and whether
    the queue shows it ended (then the launcher asks SLURM's accounting now, not on its schedule)."""

    job: Any
    submitted: float
    error: str = ""
    seen: slurm.QueueState | None = None
    attempts: int = 1
    hopeless_since: float | None = None
    ended: bool = False


@dataclass
class SubmititExecutor(Executor):
    """One job per run through ``submitit``: on SLURM (``cluster="slurm"``), or as local processes
    with the same job protocol (``cluster="local"``). Every ready run is submitted at once (the
    scheduler queues them). Jobs log to ``<runs>/.submitit/``. A job that SLURM pre-empts, times
    out or requeues resumes its run from the last checkpoint.

    On SLURM it says what the queue does with each job: a line when a job's state changes
    (pending and why, running on which node, requeued and which attempt), a heartbeat every
    ``heartbeat_seconds`` without one, from ``squeue`` every ``status_seconds``. ``sbatch``
    refusing a job fails its run with one line naming the flag; a controller that does not answer
    is asked again after each of ``retry_seconds``. A job pending for a reason it never starts
    for (``--time`` above the partition's limit, ...) is cancelled after ``hopeless_seconds``
    and its run fails with SLURM's reason. A cancelled job's run is recorded ``cancelled``."""

    options: slurm.SlurmOptions = field(default_factory=slurm.SlurmOptions)
    cluster: str = "slurm"
    poll_seconds: float = 2.0
    status_seconds: float = 10.0
    heartbeat_seconds: float = 300.0
    retry_seconds: tuple[float, ...] = (5, 10, 20, 40, 60)
    hopeless_seconds: float = 120.0
    name: str = field(default="slurm", init=False)
    slots: int = field(default=1 << 30, init=False)

    def __post_init__(self) -> None:
        self.name = "slurm" if self.cluster == "slurm" else "submitit-local"
        if self.cluster == "slurm" and shutil.which("sbatch") is None:
            raise ValueError("--executor slurm needs SLURM's sbatch on PATH (this machine has none); "
                             "use --executor submitit-local to try the same jobs as local processes")
        self._executor = None
        self._looked = self._said = time.monotonic()
        self._unanswered = False

    def warnings(self, planned: list[PlannedRun]) -> list[str]:
        """A warning for each run ``--time`` is too short for (its profile's ``minutes:``)."""
        runs = []
        for run in planned:
            if run.state != "complete":
                minutes = expected_minutes(run.spec.profile).get(run.spec.notebook)
                epochs = run.params.get("epochs")
                runs.append((run.label, minutes, epochs if isinstance(epochs, int) else 1))
        return slurm.time_warnings(runs, self.options)

    def _folder(self) -> Path:
        return paths.runs_dir() / ".submitit"

    def start(self, run: PlannedRun, rerun: bool, log: Log) -> SlurmJob:
        import submitit

        if self._executor is None:
            self._executor = submitit.AutoExecutor(folder=self._folder(), cluster=self.cluster)
            self._executor.update_parameters(name="reprlab", stderr_to_stdout=True,
                                             **self.options.submitit_parameters())
            if self.cluster == "local":
                self._executor.update_parameters(gpus_per_node=0)  # local processes share this machine's devices
        task = NotebookTask(run.spec, run.params, run.label, rerun, run.parent, self.name)
        tries = len(self.retry_seconds) + 1
        for attempt in range(1, tries + 1):
            try:
                job = self._submit(task)
                break
            except submitit.core.utils.FailedJobError as err:
                said = slurm.last_error(str(err))
                if attempt < tries and slurm.is_transient(str(err)):
                    pause = self.retry_seconds[attempt - 1]
                    self._say(log, f"[retry]    {run.label}: sbatch: {said}; trying again in {pause:g}s "
                                   f"({attempt} of {tries} tries)")
                    time.sleep(pause)
                    continue
                error = (f"the SLURM controller did not answer sbatch in {attempt} tries over "
                         f"{sum(self.retry_seconds):g}s ({said}); no job was submitted: submit again once "
                         "`scontrol ping` says it is UP" if slurm.is_transient(str(err))
                         else slurm.explain_refusal(str(err), self.options))
                return SlurmJob(None, time.monotonic(), error=error)
        verb = ("[resubmitted]" if run.state == "resume" else "[submitted]") if self.cluster == "slurm" else ""
        _announce(run, Path(job.paths.stdout), log, f"job {job.job_id}", verb)
        self._said = time.monotonic()
        return SlurmJob(job, time.monotonic())

    def _submit(self, task: "NotebookTask") -> Any:
        """Submit ``task``; on failure the files submitit wrote for it are removed and its
        message (which submitit also prints) is only in the exception."""
        folder = self._folder()
        before = set(folder.glob("*")) if folder.exists() else set()
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                return self._executor.submit(task)
        except Exception:
            for path in set(folder.glob("*")) - before:
                if path.is_file() and (path.suffix == ".pkl" or path.name.startswith(".submission_file_")):
                    path.unlink(missing_ok=True)
            raise

    def watch(self, running: list[tuple[PlannedRun, SlurmJob]], log: Log) -> None:
        """On SLURM, every ``status_seconds``: a line for each job whose queue state changed, the
        cancelling of jobs that never start, and a heartbeat when nothing was said for a while."""
        now = time.monotonic()
        if self.cluster != "slurm" or now - self._looked < self.status_seconds:
            return
        self._looked = now
        jobs = {h.job.job_id: (run, h) for run, h in running if h.job is not None and not h.error}
        states = slurm.queue_states(jobs)
        if states is None:
            if not self._unanswered:
                self._say(log, f"[slurm]    the controller does not answer (squeue failed); still waiting for "
                               f"{len(jobs)} job(s), which go on running")
            self._unanswered = True
            return
        if self._unanswered:
            self._say(log, "[slurm]    the controller answers again")
            self._unanswered = False
        for job_id, (run, handle) in jobs.items():
            state = states.get(job_id)
            if state is None:
                handle.ended = handle.seen is not None  # SLURM no longer lists it: it ended
            elif state != handle.seen:
                self._report(run, handle, state, log)
                handle.seen = state
            if state is not None and (why := slurm.never_starts(state, self.options)):
                handle.hopeless_since = handle.hopeless_since or now
                if now - handle.hopeless_since >= self.hopeless_seconds:
                    with contextlib.suppress(Exception):
                        handle.job.cancel(check=False)
                    handle.error = (f"SLURM will never start job {job_id} ({why}); it was cancelled after "
                                    f"{now - handle.submitted:.0f}s pending")
            else:
                handle.hopeless_since = None
        if now - self._said >= self.heartbeat_seconds and jobs:
            seen = [h.seen.state for _, h in jobs.values() if h.seen]
            first = min(h.submitted for _, h in jobs.values())
            self._say(log, f"[waiting]  {len(jobs)} job(s): {seen.count('RUNNING')} running, "
                           f"{seen.count('PENDING')} pending; {duration(now - first)} since the first was submitted")

    def _report(self, run: PlannedRun, handle: SlurmJob, state: slurm.QueueState, log: Log) -> None:
        job_id, before = handle.job.job_id, handle.seen
        reason = "" if state.reason in ("None", "") else f" ({state.reason})"
        if before is not None and state.restarts > before.restarts:
            handle.attempts = state.restarts + 1
            self._say(log, f"[requeued] {run.label}: job {job_id} was requeued; attempt {handle.attempts} "
                           f"is {state.state.lower()}{reason}")
        elif state.state == "PENDING" and (before is None or before[:2] != state[:2]):
            why = slurm.never_starts(state, self.options)
            later = (f"; it never starts ({why}): cancelled in {self.hopeless_seconds:.0f}s unless it does"
                     if why else "")
            self._say(log, f"[pending]  {run.label}: job {job_id} waits{reason or ' in the queue'}{later}")
        elif state.state == "RUNNING" and (before is None or before.state != "RUNNING"):
            attempt = f", attempt {handle.attempts}" if handle.attempts > 1 else ""
            self._say(log, f"[running]  {run.label}: job {job_id} runs on {state.node}{attempt}")
        elif state.state not in ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD",
                                 "REQUEUE_FED", "RESIZING", "SUSPENDED"):
            handle.ended = True

    def _say(self, log: Log, line: str) -> None:
        log(line)
        self._said = time.monotonic()

    def poll(self, run: PlannedRun, handle: SlurmJob, log: Log) -> RunResult | None:
        if handle.error:
            self._say(log, f"[FAILED]   {run.label}: {handle.error}")
            return RunResult(run.spec.notebook, run.run_dir, FAILED, run.params, handle.error)
        job = handle.job
        if not job.done(force_check=handle.ended):
            return None
        with contextlib.suppress(Exception):  # a job that died: the run's status file says so
            job.result()
        state = job.watcher.get_state(job.job_id, mode="force") if self.cluster == "slurm" else job.state
        log_path = Path(job.paths.stdout)
        if state.upper().startswith("CANCELLED") and _mark_cancelled(run.run_dir, f"job {job.job_id} was cancelled"):
            self._say(log, f"[cancelled] {run.label}: job {job.job_id} was cancelled ({state}); submit again to "
                           f"resume from its last checkpoint in {run.run_dir} (log {log_path})")
            return RunResult(run.spec.notebook, run.run_dir, FAILED, run.params,
                             f"job {job.job_id} was cancelled; submit again to resume")
        if handle.attempts > 1:
            log = _with_attempts(log, handle.attempts, time.monotonic() - handle.submitted)
        return _ended(run, log_path, log, f"job {job.job_id} ended in state {state}"
                      + ("; submit again to resume from its last checkpoint" if state.upper() != "COMPLETED" else ""))

    def cancel(self, jobs: list[SlurmJob], log: Log) -> None:
        """Cancel every job this launcher is waiting for."""
        for handle in jobs:
            with contextlib.suppress(Exception):
                handle.job.cancel(check=False)
        log("[cancelled] the launcher cancelled its jobs; submit again to resume")


@dataclass
class NotebookTask:
    """What a submitit job executes: one run (pickled by submitit). ``checkpoint`` is submitit's
    pre-emption hook: the job is requeued as it is, and the run resumes from its last checkpoint.
    ``rerun`` applies to a job's first attempt only: a requeued attempt resumes what the first
    started instead of moving it aside again. ``params``: the run's parameters as planned."""

    spec: RunSpec
    params: dict[str, Any]
    label: str
    rerun: bool
    parent: str
    executor: str

    def __call__(self) -> dict[str, Any]:
        import socket

        import submitit

        job_id = submitit.JobEnvironment().job_id
        marker = f"{self.executor} job {job_id}"
        rerun = self.rerun and self._first_attempt(marker)
        os.environ[EXECUTOR_ENV] = marker
        os.environ[PARENT_ENV] = self.parent
        if not self.parent:
            del os.environ[PARENT_ENV]
        print(f"{self.label} on {socket.gethostname()}, job {job_id}"
              + ("" if rerun == self.rerun else " (requeued: it resumes instead of --rerun)"), flush=True)
        result = run_resolved(self.spec.notebook, self.spec.profile, self.params, rerun=rerun)
        if result.status != COMPLETED and self.executor == "slurm":
            _await_slurms_kill(job_id)
        return {"status": result.status, "run_dir": str(result.run_dir), "error": result.error}

    def _first_attempt(self, marker: str) -> bool:
        """Whether this is the job's first attempt: SLURM counts restarts, and a run this very job
        already started records the job in its ``status.json``."""
        if int(os.environ.get("SLURM_RESTART_COUNT") or 0) > 0:
            return False
        status = read_status(self.spec.resolve()[1], lambda _: None) or {}
        return status.get("executor") != marker

    def checkpoint(self) -> Any:
        import submitit

        interrupt_kernels()  # the notebook stops training now; the requeued job resumes from its checkpoint
        again = NotebookTask(self.spec, self.params, self.label, False, self.parent, self.executor)
        return submitit.helpers.DelayedSubmission(again)


def _await_slurms_kill(job_id: str, seconds: float = 300) -> None:
    """When SLURM is ending this job (``scancel``, ``scontrol requeue``: it sent every process of
    the job SIGTERM, which killed the kernel), wait for its SIGKILL instead of returning: a result
    would tell the launcher that the job ended while SLURM requeues it. A job SLURM still counts
    as running (its kernel died of something else) returns at once."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        states = slurm.queue_states([job_id])
        state = (states or {}).get(job_id)
        if state is None or state.state == "RUNNING":
            return
        time.sleep(1)


def _mark_cancelled(run_dir: Path, why: str) -> bool:
    """Record a run whose job was cancelled as ``cancelled`` (it resumes when submitted again),
    whatever its kernel said as SLURM's SIGTERM reached it; False when it completed first."""
    status = read_status(run_dir, lambda _: None)
    if status is None:
        return True  # it never started
    if status.get("status") == COMPLETED:
        return False  # it ended on its own before the cancel reached it
    write_json(run_dir / "status.json", {**status, "status": CANCELLED, "error": why})
    return True


def _with_attempts(log: Log, attempts: int, seconds: float) -> Log:
    """``log`` with a run's attempts and its time since submission added to its ``[done]`` line."""
    def say(line: str) -> None:
        if line.startswith("[done]"):
            head, _, tail = line.partition(" -> ")
            line = f"{head} of its last attempt ({attempts} attempts, {duration(seconds)} since submitted) -> {tail}"
        log(line)
    return say


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
    length in its profile's expected minutes (:func:`~reprlab.workbench.spec.expected_minutes`;
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
                  options: "slurm.SlurmOptions | None" = None) -> Executor:
    """The executor ``kind`` (one of :data:`EXECUTORS`) with its options, checked now."""
    if kind not in EXECUTORS:
        raise ValueError(f"--executor {kind!r} is not allowed; allowed values: {', '.join(EXECUTORS)}")
    if kind != "local" and (jobs or gpus):
        raise ValueError(f"--jobs and --gpus belong to --executor local, not {kind}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "local":
        return LocalExecutor(jobs, tuple(gpus))
    return SubmititExecutor(options or slurm.SlurmOptions(), cluster="slurm" if kind == "slurm" else "local")


def run_log_path(run_dir: Path) -> Path:
    """Where a worker's output goes: ``<runs>/.logs/<notebook>/<run>.log`` (appended to)."""
    path = paths.runs_dir() / ".logs" / run_dir.parent.name / f"{run_dir.name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _announce(run: PlannedRun, log_path: Path, log: Log, what: str = "", verb: str = "") -> None:
    verb = verb or ("[resumes]" if run.state == "resume" else "[starts] ")
    where = f"{what}, " if what else ""
    log(f"{verb}  {run.label} -> {run.run_dir} ({where}log {log_path})")


def _ended(run: PlannedRun, log_path: Path, log: Log, otherwise: str) -> RunResult:
    """The result of a run a worker or job executed, read from its ``status.json``."""
    status = read_status(run.run_dir, lambda _: None) or {}
    if status.get("status") == COMPLETED:
        log(f"[done]     {run.label} in {status.get('seconds', 0):.0f}s -> {run.run_dir}")
        return RunResult(run.spec.notebook, run.run_dir, COMPLETED, run.params)
    error = status.get("error") or otherwise
    log(f"[FAILED]   {run.label}: {error}; run directory {run.run_dir}, log {log_path}")
    return RunResult(run.spec.notebook, run.run_dir, FAILED, run.params, error)


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
