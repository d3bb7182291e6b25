"""Execute one notebook headlessly with papermill under a named profile (the run as
:mod:`reprlab.workbench.spec` resolves it): its kernel, Ctrl-C and SIGTERM, a dead kernel, and
its ``status.json``. Every run gets its own directory (see :mod:`reprlab.workbench.rundir`). A
completed run is reused, an interrupted or failed one resumes in place (its earlier executed notebooks are kept under
``attempts/``), and ``rerun=True`` moves the old directory aside instead of overwriting it.
"""

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reprlab import paths, rehearsal
from reprlab.io import read_json, write_json
from reprlab.workbench.parameters import (
    notebook_path,
)
from reprlab.workbench.rundir import (
    COMPLETED,
    FAILED,
    INTERACTIVE,
    INTERRUPTED,
    REUSED,
    RUNNING,
    move_aside,
    out_of_date,
    read_status,
    run_dir_for,
    run_lock,
)
from reprlab.workbench.spec import RunSpec, resolve_parameters

PARENT_ENV = "REPRLAB_PARENT_RUN"
EXECUTOR_ENV = "REPRLAB_EXECUTOR"  # set by a worker of the local pool or a SLURM job: what ran the run


def run_spec(spec: RunSpec, *, rerun: bool = False, log=print) -> "RunResult":
    """:func:`run_notebook` of ``spec``; raises ``RuntimeError`` naming the run directory if it
    failed (for notebooks that use a child run's results)."""
    result = run_notebook(spec.notebook, spec.profile, dict(spec.overrides), rerun=rerun, log=log)
    if result.status == FAILED:
        raise RuntimeError(f"{spec.describe()} failed: {result.error} (see {result.run_dir})")
    return result


@dataclass
class RunResult:
    """A run of ``notebook``: its directory, how it ended (``"completed"``, ``"reused"`` or
    ``"failed"``), the error if it failed, the parameters it ran with (every parameter), the
    wall seconds this call took (a reused run: the lookup only), and a one-line label (the run's
    :meth:`RunSpec.describe`, set by executors)."""

    notebook: str
    run_dir: Path
    status: str
    params: dict[str, Any]
    error: str = ""
    seconds: float = 0.0
    label: str = ""

    @property
    def metrics(self) -> dict[str, Any]:
        path = self.run_dir / "metrics.json"
        try:
            return read_json(path) if path.exists() else {}
        except ValueError as err:
            raise ValueError(f"{path} is damaged ({err}); running {self.notebook} again rewrites it") from None


def run_notebook(notebook: str, profile: str, overrides: dict[str, Any] | None = None, *,
                 rerun: bool = False, log=print) -> RunResult:
    """Execute ``notebooks/<notebook>.py`` under ``profile`` with ``overrides``.

    Parameters are validated (:func:`~reprlab.workbench.spec.resolve_parameters`) before
    anything executes, then :func:`run_resolved` runs them.
    """
    return run_resolved(notebook, profile, resolve_parameters(notebook, profile, overrides), rerun=rerun, log=log)


def run_resolved(notebook: str, profile: str, params: dict[str, Any], *, rerun: bool = False,
                 log=print) -> RunResult:
    """Execute ``notebooks/<notebook>.py`` under ``profile`` with every parameter ``params`` as
    :func:`~reprlab.workbench.spec.resolve_parameters` gave them where the run was planned (they
    are carried, not resolved again: a worker or a SLURM job that starts later runs what the plan
    showed, even if the profile file changed meanwhile).

    The run directory is locked while the run executes: the same run started twice waits for the
    first. Returns a :class:`RunResult`; a failing notebook gives status ``"failed"`` with its
    partial outputs left in the run directory. Ctrl-C (or SIGTERM, which the command line turns
    into Ctrl-C) records ``interrupted`` and re-raises ``KeyboardInterrupt``; the next call resumes.
    """
    params = dict(params)
    run_dir = run_dir_for(notebook, profile, params)
    start = time.perf_counter()
    with run_lock(run_dir, lambda line: log(f"[{notebook}] {line}")):
        result = _run_locked(notebook, profile, params, run_dir, rerun, log)
    result.seconds = time.perf_counter() - start
    return result


def _run_locked(notebook: str, profile: str, params: dict[str, Any], run_dir: Path, rerun: bool,
                log) -> RunResult:
    import jupytext
    import papermill as pm
    from nbclient.exceptions import DeadKernelError

    status_path = run_dir / "status.json"
    status = read_status(run_dir, lambda line: log(f"[{notebook}] {line}"))
    caps = rehearsal.caps()
    stale = (rehearsal.mismatch(status.get("rehearsal")) or out_of_date(run_dir)) if status else ""
    if stale:
        log(f"[{notebook}] the run in {run_dir} is out of date ({stale}); it runs again, the old one moved to "
            f"{move_aside(run_dir)}")
        status = None
    if status and status["status"] == COMPLETED and not (rerun or params.get("fresh")):
        log(f"[{notebook}] reusing completed run {run_dir} (pass --rerun to run it again)")
        return RunResult(notebook, run_dir, REUSED, params)
    if run_dir.exists() and (rerun or params.get("fresh")):
        log(f"[{notebook}] moved the previous run to {move_aside(run_dir)}")
        status = None
    attempt = (status or {}).get("attempt", 0) + 1
    executed = run_dir / f"{notebook}.ipynb"
    if status:
        log(f"[{notebook}] resuming {status['status']} run {run_dir} (attempt {attempt})")
        if executed.exists():
            (run_dir / "attempts").mkdir(exist_ok=True)
            executed.rename(run_dir / "attempts" / f"{attempt - 1}-{notebook}.ipynb")
    else:
        log(f"[{notebook}] new run {run_dir}")
    run_dir.mkdir(parents=True, exist_ok=True)
    params["run_dir"] = str(run_dir)
    if "progress" in params:
        params["progress"] = False  # live bars freeze in saved notebooks
    parent = os.environ.get(PARENT_ENV, "")  # set when a notebook runs another notebook
    write_json(status_path, {"status": RUNNING, "attempt": attempt, "profile": profile, "parent": parent,
                             "executor": os.environ.get(EXECUTOR_ENV, "serial"), "host": socket.gethostname(),
                             "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "parameters": params,
                             "rehearsal": asdict(caps) if caps else None})
    _stream_notebook_output()
    start = time.time()
    os.environ[PARENT_ENV] = str(run_dir)  # inherited by the kernel, so its own runs know their caller
    kernels: list = []
    _LIVE_KERNELS[run_dir] = kernels
    try:
        with _interrupts_reach(kernels) as interrupted:
            pm.execute_notebook(jupytext.read(notebook_path(notebook)), str(executed), parameters=params,
                                kernel_name="python3", cwd=str(run_dir), progress_bar=False, log_output=True,
                                kernel_manager_class=_kernel_manager(run_dir / "kernel.log", kernels))
    except pm.PapermillExecutionError as err:
        if interrupted:  # the kernel stopped its cell because we passed it the user's Ctrl-C
            _finish(status_path, INTERRUPTED, start, error="interrupted (Ctrl-C or SIGTERM)")
            log(f"[{notebook}] interrupted; run it again to resume from the last checkpoint in {run_dir}")
            raise KeyboardInterrupt from None
        message = f"{err.ename}: {err.evalue}"
        _finish(status_path, FAILED, start, error=message)
        log(f"[{notebook}] FAILED ({message}); partial outputs kept in {run_dir}, see {executed}")
        return RunResult(notebook, run_dir, FAILED, params, message)
    except KeyboardInterrupt:
        _finish(status_path, INTERRUPTED, start, error="interrupted (Ctrl-C or SIGTERM)")
        log(f"[{notebook}] interrupted; run it again to resume from the last checkpoint in {run_dir}")
        raise
    except SystemExit:  # submitit's pre-emption hook requeues the job, then exits its process
        _finish(status_path, INTERRUPTED, start, error="pre-empted: the job exited (requeued on SLURM)")
        log(f"[{notebook}] pre-empted; the requeued job resumes from the last checkpoint in {run_dir}")
        raise
    except DeadKernelError:  # killed from outside: the OOM killer, kill -9, a node going down
        message = f"the kernel died ({_kernel_exit(kernels)})"
        _finish(status_path, FAILED, start, error=message)
        log(f"[{notebook}] FAILED: {message}; run it again to resume from the last checkpoint in {run_dir}")
        return RunResult(notebook, run_dir, FAILED, params, message)
    except BaseException as err:  # a full disk, a lost kernel connection: never leave "running" behind
        with contextlib.suppress(OSError):  # the disk may still be full
            _finish(status_path, FAILED, start, error=f"{type(err).__name__}: {err}")
        raise
    finally:
        del _LIVE_KERNELS[run_dir]
        if parent:
            os.environ[PARENT_ENV] = parent
        else:
            del os.environ[PARENT_ENV]
    _finish(status_path, COMPLETED, start)
    log(f"[{notebook}] completed in {time.time() - start:.0f}s -> {run_dir}")
    return RunResult(notebook, run_dir, COMPLETED, params)


def completed_run(notebook: str, profile: str, overrides: dict[str, Any] | None = None) -> Path:
    """The directory of the completed run of ``notebook`` under ``profile`` with ``overrides``,
    found without executing anything; a clear error says how to make it when there is none."""
    params = resolve_parameters(notebook, profile, overrides)
    run_dir = run_dir_for(notebook, profile, params)
    status = read_status(run_dir, lambda _: None) or {}
    if status.get("status") != COMPLETED:
        flags = " ".join(f"-p {k}={v}" for k, v in (overrides or {}).items())
        raise ValueError(f"{notebook} has no completed run under profile={profile!r} {flags}".rstrip()
                         + f" ({run_dir}); run `python -m reprlab run {notebook} --profile {profile} {flags}`".rstrip()
                         + " first")
    return run_dir


def find_run(run: "str | Path | tuple[str, str]", notebooks: tuple[str, ...], needed_by: str) -> Path:
    """The finished run directory ``run`` names, which must be a run of one of ``notebooks``:

    - a directory path (absolute, or relative to the working directory);
    - a path under the runs folder, with or without its leading ``runs/``
      (``runs/duet_generation/quick-1a2b3c``, ``duet_generation/quick-1a2b3c``), wherever the
      kernel runs and wherever ``$REPRLAB_RUNS`` points;
    - ``(notebook, profile)``: the completed run of that notebook under that profile.

    ``needed_by`` (an explorer's name) is said in errors. Raises ``ValueError`` saying where it
    looked, or which notebook made the run it found."""
    if isinstance(run, tuple):
        notebook, profile = run
        if notebook not in notebooks:
            raise ValueError(f"{needed_by} opens a run of {' or '.join(notebooks)}, not of {notebook}")
        return completed_run(notebook, profile)
    text = str(run)
    tail = text.removeprefix("runs/")
    candidates = [Path(text).expanduser(), paths.runs_dir() / tail, paths.REPO_ROOT / text]
    found = next((c.resolve() for c in candidates if (c / "params.json").exists()), None)
    if found is None:
        raise ValueError(f"{needed_by}: no run directory at {text!r}; looked in "
                         + ", ".join(str(c.resolve()) for c in dict.fromkeys(candidates)))
    made_by = read_json(found / "params.json").get("notebook")
    if made_by not in notebooks:
        raise ValueError(f"{needed_by} opens a run of {' or '.join(notebooks)}; {found} is a run of {made_by}")
    status = (read_status(found, lambda _: None) or {}).get("status")
    this_run = os.environ.get(PARENT_ENV) == str(found)  # a notebook exploring its own run, under papermill
    if status not in (COMPLETED, INTERACTIVE) and not this_run:
        raise ValueError(f"{needed_by}: {found} is not finished (its status is {status!r})")
    return found


def run_parameters(run_dir: str | Path) -> dict[str, Any]:
    """Every parameter a run was made with (its ``params.json``)."""
    path = Path(run_dir) / "params.json"
    if not path.exists():
        raise ValueError(f"{run_dir} is no run directory (it has no params.json)")
    return read_json(path)["parameters"]


def _finish(status_path: Path, state: str, start: float, error: str = "") -> None:
    status = read_status(status_path.parent, lambda _: None) or {}
    status.update(status=state, finished=time.strftime("%Y-%m-%dT%H:%M:%S"),
                  seconds=round(time.time() - start, 1), error=error)
    write_json(status_path, status)


#: The kernels of the runs executing in this process, by run directory.
_LIVE_KERNELS: dict[Path, list] = {}


def interrupt_kernels() -> None:
    """Interrupt (as Ctrl-C does) the kernel of every run executing in this process, so training
    stops at once; used before a pre-empted job exits, which would otherwise leave its kernel
    training on while the requeued job resumes the same run."""
    for kernels in _LIVE_KERNELS.values():
        for km in kernels:
            with contextlib.suppress(Exception):  # a kernel that already ended
                os.killpg(km.provisioner.pid, signal.SIGINT)


def _kernel_manager(log_path: Path, live: list) -> type:
    """A kernel manager whose kernel writes its own stdout and stderr (start-up warnings, a
    shutdown traceback) to ``log_path`` instead of the terminal, and that adds itself to ``live``
    so Ctrl-C can be passed on to it. Cell outputs still stream through papermill.

    It is the asynchronous manager on purpose: with the blocking one, nbclient waits for a cell's
    reply in a call that never returns, so its once-a-second check that the kernel is alive never
    runs and a kernel killed by the OOM killer hangs the run forever."""
    from jupyter_client.manager import AsyncKernelManager

    class LoggingKernelManager(AsyncKernelManager):
        process = None  # the kernel's Popen, kept after shutdown so its exit status can be told

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            log_file = open(log_path, "ab")
            kw.update(stdout=log_file, stderr=log_file)
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                log_file.close()
            self.process = getattr(self.provisioner, "process", None)
            live.append(self)

    return LoggingKernelManager


def _kernel_exit(kernels: list) -> str:
    """How the run's kernel ended, in words: ``killed by signal 9 (SIGKILL: out of memory?)``."""
    code = next((km.process.poll() for km in kernels if km.process is not None), None)
    if code is None:
        return "its exit status is unknown"
    if code < 0:
        name = signal.Signals(-code).name
        why = ": the OOM killer sends it when memory runs out" if name == "SIGKILL" else ""
        return f"killed by signal {-code}, {name}{why}"
    return f"it exited with code {code}"


@contextlib.contextmanager
def _interrupts_reach(kernels: list) -> Iterator[list[bool]]:
    """While a notebook executes, Ctrl-C and SIGTERM interrupt its kernel (which runs in a session
    of its own, out of the terminal's reach), so training stops at once and the run ends as
    interrupted; a second signal stops waiting for the kernel. Yields a list that is truthy once
    interrupted. Outside the main thread signals cannot be caught; nothing changes there."""
    interrupted: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return

    def handler(signum: int, frame: Any) -> None:
        if interrupted:
            raise KeyboardInterrupt
        interrupted.append(True)
        for km in kernels:
            with contextlib.suppress(Exception):  # a kernel that already ended
                os.killpg(km.provisioner.pid, signal.SIGINT)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield interrupted
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _stream_notebook_output() -> None:
    """Show the kernel's output (one line per epoch) on the console, without papermill's noise."""
    logger = logging.getLogger("papermill")
    if not any(getattr(h, "_reprlab", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("    %(message)s"))
        noise = ("Executing", "Ending Cell", "Input Notebook", "Output Notebook", "Working directory",
                 "without encryption", "KeyboardInterrupt caught in kernel", "<Figure size")
        handler.addFilter(lambda r: not any(n in r.getMessage() for n in noise))
        handler._reprlab = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
