"""The SLURM executor against a real one-node SLURM cluster (``tests/slurm_cluster.py``): a sweep
gives the local pool's numbers, ``sbatch``'s refusals and a controller that does not answer are
one-line errors or retries, every job's state changes are said, a job that never starts fails
after a bounded wait, a cancelled or requeued job resumes, ``--time`` too short is warned about.
Skipped (with the reason) where SLURM's Debian packages are not installed; CI installs them."""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reprlab import paths
from reprlab.io import read_json
from reprlab.workbench.cli import main
from reprlab.workbench.executors import LocalExecutor, SubmititExecutor
from reprlab.workbench.slurm import SlurmOptions, time_warnings
from reprlab.workbench.spec import RunSpec
from tests.slurm_cluster import MAX_MINUTES, SlurmCluster, missing

#: A hung job or launcher fails its test within minutes instead of holding CI to pytest's global timeout.
pytestmark = pytest.mark.timeout(420)

SWEEP = [RunSpec("train_classifier", "smoke", {"subset": 300, "epochs": 1, "seed": seed}) for seed in range(2)]
FAST = {"poll_seconds": 0.5, "status_seconds": 0.5}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    why = missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs SLURM, yet: {why}")
        pytest.skip(why)
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm")).start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SLURM_CONF", str(cluster.conf))
        mp.setenv("OMP_NUM_THREADS", "1")  # the same arithmetic as the local pool's workers
        yield cluster
    cluster.stop()


def _numbers(result) -> dict:
    return {k: v for k, v in result.metrics.items() if "seconds" not in k}


def _leftovers() -> list[str]:
    """Files of submissions that never became a job (a submitted job's script is a link there)."""
    folder = paths.runs_dir() / ".submitit"
    files = folder.glob("*") if folder.exists() else []
    return sorted(p.name for p in files if re.fullmatch(r"[0-9a-f]{32}\.pkl", p.name)
                  or (p.name.startswith(".submission_file_") and not p.is_symlink()))


def test_a_sweep_on_slurm_gives_the_local_pools_numbers_and_says_where_each_job_runs(cluster, tmp_path,
                                                                                     monkeypatch):
    monkeypatch.setenv("REPRLAB_RUNS", str(tmp_path / "local"))
    local = LocalExecutor(jobs=2).run(SWEEP, log=lambda _: None)
    monkeypatch.setenv("REPRLAB_RUNS", str(tmp_path / "slurm"))
    lines = []
    # no --gpus-per-job: on a CPU partition the defaults work (they asked for a GPU before)
    results = SubmititExecutor(SlurmOptions(partition="debug", time=10), **FAST).run(SWEEP, log=lines.append)
    assert [r.status for r in results] == ["completed"] * 2, lines
    assert [_numbers(r) for r in results] == [_numbers(r) for r in local]
    joined = "\n".join(lines)
    assert joined.count("[submitted]") == 2 and joined.count("[done]") == 2, joined
    assert re.search(r"\[running\]  train_classifier\[smoke\] .*: job \d+ runs on localhost", joined), joined
    status = read_json(results[0].run_dir / "status.json")
    assert re.fullmatch(r"slurm job \d+", status["executor"])


@pytest.mark.parametrize("flags, message", [
    (["--partition", "nope"], "--partition nope: SLURM has no such partition; partitions here: debug"),
    (["--mem", "90"], "no node of the partition has what the job asks (--mem 90 GB); nodes here: 2 CPUs, 4 GB"),
    (["--gpus-per-job", "1"], "--gpus-per-job 1: the partition has no GPUs"),
], ids=["partition", "mem", "gpus"])
def test_a_refused_submission_fails_its_run_in_one_line_naming_the_flag(cluster, flags, message, capsys):
    code = main(["run", "train_classifier", "--profile", "smoke", "--executor", "slurm", "--time", "10", *flags])
    out, err = capsys.readouterr()
    assert code == 1 and message in out + err, out + err
    assert "Traceback" not in out + err and "sbatch: error" not in out + err
    assert _leftovers() == []  # no submission script or pickle of a job that was never submitted


def test_a_controller_that_does_not_answer_is_retried_then_a_clear_error(cluster):
    cluster.stop_controller()
    try:
        lines = []
        executor = SubmititExecutor(SlurmOptions(time=10), retry_seconds=(0.5, 0.5), **FAST)
        (result,) = executor.run(SWEEP[:1], log=lines.append)
    finally:
        cluster.start_controller()
    assert result.status == "failed"
    assert sum(line.startswith("[retry]") for line in lines) == 2, lines
    assert ("the SLURM controller did not answer sbatch in 3 tries" in result.error
            and "submit again once `scontrol ping` says it is UP" in result.error), result.error
    assert _leftovers() == []


def test_a_controller_gone_in_the_middle_of_a_sweep_is_waited_for_and_every_job_watched(cluster):
    lines = []

    def log(line: str) -> None:
        lines.append(line)
        if line.startswith("[submitted]") and len(lines) == 1:  # the first job is in; the controller goes
            cluster.stop_controller()
            threading.Timer(6, cluster.start_controller).start()

    results = SubmititExecutor(SlurmOptions(time=10), retry_seconds=(2, 4, 8, 16), **FAST).run(SWEEP, log=log)
    joined = "\n".join(lines)
    assert [r.status for r in results] == ["completed"] * 2, joined
    assert "[retry]" in joined and "Unable to contact slurm controller" in joined
    assert joined.count("[done]") == 2


def test_a_job_that_never_starts_is_reported_with_slurms_reason_and_cancelled(cluster):
    lines = []
    executor = SubmititExecutor(SlurmOptions(time=MAX_MINUTES + 30), hopeless_seconds=4, heartbeat_seconds=2, **FAST)
    (result,) = executor.run(SWEEP[:1], log=lines.append)
    joined = "\n".join(lines)
    assert result.status == "failed", joined
    assert re.search(r"\[pending\]  .*: job \d+ waits \(PartitionTimeLimit\); it never starts", joined), joined
    assert "[waiting]  1 job(s): 0 running, 1 pending" in joined
    assert "SLURM will never start job" in result.error and f"--time {MAX_MINUTES + 30}" in result.error
    assert "PD" not in cluster.run("squeue", "--noheader", "--format=%t")  # it was cancelled, not left queued


class Launcher:
    """``python -m reprlab run ARGS`` in a process of its own, its output lines read as they come."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen([sys.executable, "-m", "reprlab", "run", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()

    @property
    def out(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, done=lambda: True, timeout: float = 300) -> re.Match:
        """The first match of ``pattern`` in the output once ``done()`` holds as well."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.out)
            if found and done():
                return found
            assert self.process.poll() is None, f"the launcher ended first:\n{self.out}"
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} in time:\n{self.out}")

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code, self.out


def _trained(run_dir: Path, epochs: int, job: str) -> bool:
    """Whether job ``job`` has trained ``epochs`` epochs of the run in ``run_dir``."""
    status, history = run_dir / "status.json", run_dir / "history.json"
    return (status.exists() and read_json(status).get("executor") == f"slurm job {job}"
            and history.exists() and len(read_json(history)) >= epochs)


SUBMITTED = r"\[(?:re)?submitted\] .* -> (\S+) \(job (\d+),"


LONG = ["train_classifier", "--profile", "smoke", "-p", "epochs=16", "--executor", "slurm", "--time", "10"]


def test_a_cancelled_job_is_recorded_cancelled_and_resubmitting_resumes(cluster):
    launcher = Launcher(*LONG)
    run_dir, job = launcher.wait_for(SUBMITTED).groups()
    run_dir = Path(run_dir)
    launcher.wait_for(SUBMITTED, lambda: _trained(run_dir, 1, job))
    cluster.run("scancel", job)
    code, out = launcher.finish()
    assert code == 1, out
    assert f"job {job} was cancelled" in out and "submit again to resume from its last checkpoint" in out, out
    assert read_json(run_dir / "status.json")["status"] == "cancelled"

    code, out = Launcher(*LONG).finish()
    assert code == 0 and "[resubmitted]" in out, out
    assert read_json(run_dir / "status.json")["attempt"] == 2
    assert [r["epoch"] for r in read_json(run_dir / "history.json")] == list(range(1, 17))
    assert _leftovers() == []


def test_a_requeued_job_resumes_and_rerun_moves_the_old_run_aside_only_once(cluster):
    args = [*LONG[:4], "epochs=12", *LONG[5:]]
    assert Launcher(*args).finish()[0] == 0
    launcher = Launcher(*args, "--rerun")  # moves the complete run aside, trains anew; its job gets requeued
    run_dir, job = launcher.wait_for(SUBMITTED).groups()
    run_dir = Path(run_dir)
    launcher.wait_for(SUBMITTED, lambda: _trained(run_dir, 2, job))
    cluster.run("scontrol", "requeue", job)
    launcher.wait_for(r"\[requeued\]")
    deadline = time.monotonic() + 60
    while "BeginTime" not in cluster.run("squeue", "--noheader", f"--jobs={job}", "--format=%r"):
        assert time.monotonic() < deadline, "the requeued job never waited for its BeginTime"
        time.sleep(0.5)
    cluster.run("scontrol", "update", f"JobId={job}", "StartTime=now")  # instead of SLURM's 2 minutes
    code, out = launcher.finish()
    assert code == 0, out
    assert re.search(rf"\[requeued\] .*: job {job} was requeued; attempt 2", out), out
    assert re.search(rf"\[running\]  .*: job {job} runs on localhost, attempt 2", out), out
    assert re.search(r"\[done\] .* of its last attempt \(2 attempts, (\d+m)?\d+s since submitted\)", out), out
    moved_aside = [p for p in run_dir.parent.iterdir() if p.is_dir() and p.name.startswith(run_dir.name + "~")]
    assert len(moved_aside) == 1, moved_aside  # --rerun's; the requeued attempt resumed instead
    status = read_json(run_dir / "status.json")
    assert status["attempt"] == 2, status  # the second attempt resumed the first's run
    assert [r["epoch"] for r in read_json(run_dir / "history.json")] == list(range(1, 13))


def test_a_time_limit_shorter_than_the_first_checkpoint_is_warned_about(cluster, capsys):
    assert main(["run", "train_classifier", "--profile", "quick", "--executor", "slurm", "--time", "1",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "warning: --time 1 is too short for train_classifier[quick]" in out, out
    assert "every attempt ends before it saves anything" in out


def test_time_warnings_follow_the_checkpoint_signal_and_submitits_requeues():
    options = SlurmOptions(time=10)  # 8.5 usable minutes an attempt
    assert time_warnings([("short", 30.0, 10), ("unknown", None, 1)], options) == []
    (too_short,) = time_warnings([("one epoch", 9.0, 1)], options)
    assert "first checkpoint comes after about 9.5 min" in too_short and "at least --time 12" in too_short
    (too_many,) = time_warnings([("long", 60.0, 60)], options)  # 8 attempts; submitit gives 1 + 3
    assert "8 attempts" in too_many and "at most 3 times" in too_many
