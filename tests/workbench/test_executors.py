"""Executors: a sweep gives the same numbers on every executor, a killed worker's run resumes when
submitted again, two launchers on one sweep train each run once, Ctrl-C stops the workers."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reprlab import paths
from reprlab.io import read_json
from reprlab.workbench.cli import main
from reprlab.workbench.executors import LocalExecutor, SerialExecutor, SlurmJob, SubmititExecutor, make_executor
from reprlab.workbench.spec import RunSpec
from reprlab.workbench.sweeps import plan

SWEEP = [RunSpec("train_classifier", "smoke", {"subset": 300, "epochs": 1, "seed": seed}) for seed in range(4)]


def _numbers(result) -> dict:
    """A run's metrics without its timings (which differ from run to run)."""
    return {k: v for k, v in result.metrics.items() if "seconds" not in k}


def test_a_sweep_gives_the_same_metrics_serially_in_a_local_pool_and_as_submitit_jobs(tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the same arithmetic in every process
    outcomes = {}
    for name, executor, specs in (("serial", SerialExecutor(), SWEEP), ("local", LocalExecutor(jobs=2), SWEEP),
                                  ("submitit", SubmititExecutor(cluster="local", poll_seconds=0.2), SWEEP[:1])):
        monkeypatch.setenv("REPRLAB_RUNS", str(tmp_path / name))
        lines = []
        outcomes[name] = executor.run(specs, log=lines.append)
        assert [r.status for r in outcomes[name]] == ["completed"] * len(specs), lines
        if name != "serial":  # a line per run as it starts and as it ends, with its log
            assert sum(line.startswith("[starts]") for line in lines) == len(specs)
            assert sum(line.startswith("[done]") for line in lines) == len(specs)
            assert all(os.path.exists(line.rsplit("log ", 1)[1].rstrip(")")) for line in lines
                       if line.startswith("[starts]"))
        recorded = read_json(outcomes[name][0].run_dir / "status.json")
        assert recorded["executor"].startswith({"submitit": "submitit-local job"}.get(name, name))
        assert recorded["host"]
    serial = [_numbers(r) for r in outcomes["serial"]]
    assert len({str(s) for s in serial}) == 4  # four different runs, not one reused
    assert [_numbers(r) for r in outcomes["local"]] == serial
    assert [_numbers(r) for r in outcomes["submitit"]] == serial[:1]
    assert [r.run_dir.name for r in outcomes["local"]] == [r.run_dir.name for r in outcomes["serial"]]

    monkeypatch.setenv("REPRLAB_RUNS", str(tmp_path / "local"))
    again = LocalExecutor(jobs=2).run(SWEEP, log=lambda _: None)  # resubmitted: everything is reused
    assert [r.status for r in again] == ["reused"] * 4


def _launch(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "reprlab", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _first_checkpoint(notebook: str, process: subprocess.Popen):
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        found = list((paths.runs_dir() / notebook).glob("smoke-*/checkpoints/last.pt"))
        if found:
            return found[0].parent.parent
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint was written: {process.communicate()[0]}")


LONG = ["train_classifier", "--profile", "smoke", "-p", "epochs=12", "--executor", "local"]


def test_a_killed_worker_leaves_a_run_that_resubmitting_resumes_from_its_checkpoint():
    launcher = _launch("run", *LONG)
    run_dir = _first_checkpoint("train_classifier", launcher)
    worker = int((run_dir.parent / f".{run_dir.name}.lock").read_text())
    os.killpg(worker, signal.SIGKILL)  # as a scheduler kills a job: no chance to clean up
    out = launcher.communicate(timeout=120)[0]
    assert launcher.returncode == 1 and "worker killed by signal 9" in out, out
    assert read_json(run_dir / "status.json")["status"] == "running"  # it never got to say otherwise

    again = _launch("run", *LONG)
    out = again.communicate(timeout=600)[0]
    assert again.returncode == 0, out
    assert f"[resumes]  train_classifier[smoke] epochs=12 -> {run_dir}" in out
    log = (paths.runs_dir() / ".logs" / "train_classifier" / f"{run_dir.name}.log").read_text()
    assert "resumed from" in log and "after epoch" in log
    assert read_json(run_dir / "status.json")["attempt"] == 2
    assert [r["epoch"] for r in read_json(run_dir / "history.json")] == list(range(1, 13))


def test_two_launchers_on_the_same_sweep_train_each_run_once():
    args = ["run", "label_attacks", "--profile", "smoke", "-p", "labels=[category]", "-p", "attacks=[fgsm]",
            "--executor", "local", "--jobs", "2"]
    first, second = _launch(*args), _launch(*args)
    outs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert first.returncode == second.returncode == 0, outs
    statuses = [read_json(p) for p in paths.runs_dir().glob("*/*/status.json")]
    assert sorted(s["parameters"].get("label", "-") for s in statuses) == ["-", "category"]
    assert all(s["attempt"] == 1 for s in statuses)  # nobody trained a run twice
    joined = "\n".join(outs)
    assert joined.count("[done]") == 2 and joined.count("[reused]") == 2, joined


def test_a_preempted_submitit_job_is_requeued_and_resumes_its_run():
    executor = SubmititExecutor(cluster="local", poll_seconds=0.2)
    (run,) = plan([RunSpec("train_classifier", "smoke", {"epochs": 20})])
    job = executor.start(run, False, lambda _: None).job
    deadline = time.monotonic() + 300
    while not (run.run_dir / "checkpoints" / "last.pt").exists():
        assert time.monotonic() < deadline and not job.done(), "training never wrote a checkpoint"
        time.sleep(0.05)
    task = int((run.run_dir.parent / f".{run.run_dir.name}.lock").read_text())  # the job's process
    os.kill(task, signal.SIGUSR2)  # what SLURM sends before pre-emption: submitit's checkpoint hook runs
    result = None
    while result is None:
        result = executor.poll(run, SlurmJob(job, time.monotonic()), lambda _: None)
        time.sleep(0.2)
    log = Path(job.paths.stdout).read_text()
    assert result.status == "completed" and "Requeued job" in log, log
    status = read_json(run.run_dir / "status.json")
    assert status["attempt"] == 2 and status["executor"].startswith("submitit-local job")
    resumed_after = int(re.search(r"resumed from .* after epoch (\d+)/20", log).group(1))
    assert resumed_after < 20  # the pre-empted kernel stopped training; the requeued job went on
    assert [r["epoch"] for r in read_json(run.run_dir / "history.json")] == list(range(1, 21))


def test_ctrl_c_in_the_launcher_stops_its_workers_and_the_runs_resume():
    launcher = _launch("run", *LONG, "--jobs", "1")
    run_dir = _first_checkpoint("train_classifier", launcher)
    os.killpg(launcher.pid, signal.SIGINT)  # the terminal's Ctrl-C reaches the launcher's group only
    out = launcher.communicate(timeout=120)[0]
    assert launcher.returncode == 130 and "[cancelled]" in out, out
    assert read_json(run_dir / "status.json")["status"] == "interrupted"


def test_a_failed_child_fails_its_sweep_with_the_childs_error_and_directory(monkeypatch):
    monkeypatch.setenv("REPRLAB_DATA", "/proc/nonexistent")  # every training fails inside its kernel
    lines = []
    result, = SerialExecutor().run([RunSpec("frequency_filtering", "smoke")], log=lines.append)
    child = next((paths.runs_dir() / "frequency_gradients").glob("smoke-*"))
    assert result.status == "failed" and "frequency_gradients" in result.error and str(child) in result.error
    assert not (paths.runs_dir() / "frequency_filtering").exists()  # the parent never started


@pytest.mark.parametrize(("argv", "message"), [
    (["--executor", "cloud"], "--executor 'cloud' is not allowed; allowed values: serial, local, slurm"),
    (["--executor", "local", "--jobs", "-1"], "--jobs -1 is out of range"),
    (["--executor", "local", "--gpus", "0,x"], "--gpus '0,x': expected GPU ids"),
    (["--executor", "local", "--gpus", "0,1", "--jobs", "3"], "one run per GPU, so at most 2 jobs"),
    (["--jobs", "2"], "--jobs and --gpus belong to --executor local, not serial"),
    (["--executor", "local", "--partition", "gpu"], "--partition belongs to --executor slurm, not local"),
    (["--executor", "slurm"], "--executor slurm needs SLURM's sbatch on PATH"),
    (["--executor", "submitit-local", "--time", "0"], "time=0 is out of range"),
])
def test_bad_executor_options_fail_before_anything_runs(argv, message, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no sbatch here, whatever the machine has
    assert main(["run", "train_classifier", "--profile", "smoke", *argv]) == 2
    assert message in capsys.readouterr().err
    assert not paths.runs_dir().exists()


def test_a_profile_gives_slurm_options_and_the_command_line_overrides_them(tmp_path, monkeypatch):
    import shutil

    from reprlab.workbench.cli import _executor, _parser

    copy = tmp_path / "notebooks"
    shutil.copytree(paths.notebooks_dir(), copy)
    monkeypatch.setenv("REPRLAB_NOTEBOOKS", str(copy))
    (copy / "profiles" / "cluster.yaml").write_text(
        "slurm: {partition: gpu, time: 1440, mem: 32}\ntrain_classifier: {epochs: 1}\n")
    args = _parser().parse_args(["run", "train_classifier", "--profile", "cluster", "--executor", "submitit-local",
                                 "--time", "90"])
    options = _executor(args).options.submitit_parameters()
    assert options["slurm_partition"] == "gpu" and options["mem_gb"] == 32 and options["timeout_min"] == 90
    (copy / "profiles" / "cluster.yaml").write_text("slurm: {partition: gpu, qos: high}\ntrain_classifier: {}\n")
    with pytest.raises(ValueError, match=r"section slurm: unknown SLURM option\(s\) qos"):
        _executor(args)
    assert make_executor("local", gpus=(0, 1)).jobs == 2


def test_runs_start_longest_chain_first_in_the_profiles_expected_minutes(tmp_path, monkeypatch):
    import shutil

    from reprlab.workbench.executors import _longest_chain_first
    from reprlab.workbench.spec import expected_minutes
    from reprlab.workbench.sweeps import plan

    copy = tmp_path / "notebooks"
    shutil.copytree(paths.notebooks_dir(), copy)
    monkeypatch.setenv("REPRLAB_NOTEBOOKS", str(copy))
    sections = ("label_generation: {}\nlabel_training: {}\nlabel_attacks: {labels: [category, speech]}\n"
                "frequency_gradients: {}\nspectral_density: {}\ntrain_classifier: {}\n")
    specs = [RunSpec(nb, "timed") for nb in ("train_classifier", "label_attacks", "spectral_density")]
    (copy / "profiles" / "timed.yaml").write_text(sections)  # no minutes: a chain's length is its number of runs
    order = [p.spec.notebook for p in _longest_chain_first(plan(specs))]
    assert order[:2] == ["label_generation", "label_training"]  # the 3-run chain first
    # spectral_density takes 9 minutes: the chain through frequency_gradients (3 + 9) is the longest
    (copy / "profiles" / "timed.yaml").write_text(
        sections + "minutes: {frequency_gradients: 3, spectral_density: 9, label_training: 2.5, label_attacks: 2}\n")
    order = [p.spec.notebook for p in _longest_chain_first(plan(specs))]
    assert order == ["frequency_gradients", "spectral_density", "label_generation", "label_training",
                     "label_training", "label_attacks", "train_classifier"]
    (copy / "profiles" / "timed.yaml").write_text(sections + "minutes: {spectral_density: 0}\n")
    with pytest.raises(ValueError, match=r"minutes.spectral_density=0 is out of range; allowed range: \(0, inf\)"):
        expected_minutes("timed")


def _kernel_of(process: subprocess.Popen) -> int:
    """The PID of the ipykernel that ``process`` (a launcher, or one of its workers) started."""
    import psutil

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        kernels = [p for p in psutil.Process(process.pid).children(recursive=True)
                   if "ipykernel_launcher" in " ".join(p.cmdline())]
        if kernels:
            return kernels[0].pid
        time.sleep(0.1)
    raise AssertionError("no kernel was started")


def _lock_is_free(run_dir: Path) -> bool:
    import fcntl

    with open(run_dir.parent / f".{run_dir.name}.lock") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
    return True


@pytest.mark.parametrize("executor", ["serial", "local"])
def test_a_kernel_killed_mid_run_fails_the_run_at_once_and_it_resumes(executor):
    """What the OOM killer does on a GPU box: the kernel dies with SIGKILL and the launcher must not
    wait for it forever."""
    args = ["train_classifier", "--profile", "smoke", "-p", "epochs=12", "--executor", executor]
    launcher = _launch("run", *args)
    run_dir = _first_checkpoint("train_classifier", launcher)
    os.kill(_kernel_of(launcher), signal.SIGKILL)
    out = launcher.communicate(timeout=120)[0]  # it used to hang here for good
    assert launcher.returncode == 1, out
    status = read_json(run_dir / "status.json")
    assert status["status"] == "failed"
    assert status["error"].startswith("the kernel died (killed by signal 9, SIGKILL"), status
    assert "run it again to resume from the last checkpoint" in (
        out if executor == "serial" else (paths.runs_dir() / ".logs" / "train_classifier" / f"{run_dir.name}.log"
                                          ).read_text())
    assert _lock_is_free(run_dir)

    again = _launch("run", *args)
    out = again.communicate(timeout=600)[0]
    assert again.returncode == 0, out
    assert read_json(run_dir / "status.json")["attempt"] == 2
    assert [r["epoch"] for r in read_json(run_dir / "history.json")] == list(range(1, 13))


def test_a_worker_does_not_outlive_its_killed_launcher():
    import psutil

    launcher = _launch("run", *LONG)
    run_dir = _first_checkpoint("train_classifier", launcher)
    worker = psutil.Process(int((run_dir.parent / f".{run_dir.name}.lock").read_text()))
    os.kill(launcher.pid, signal.SIGKILL)  # no chance to stop its workers
    launcher.communicate(timeout=60)
    worker.wait(timeout=60)  # it sees it was orphaned and stops by itself
    assert read_json(run_dir / "status.json")["status"] == "interrupted"
    assert _lock_is_free(run_dir)


def test_a_worker_runs_the_parameters_its_plan_resolved_even_after_the_profile_changed(tmp_path, monkeypatch):
    # a run waits in a pool or a SLURM queue while its user edits the profile: it must run what the
    # plan showed, into the directory the plan named (its parameters' hash), not the edited values
    notebooks = tmp_path / "notebooks"
    shutil.copytree(paths.notebooks_dir(), notebooks)
    monkeypatch.setenv("REPRLAB_NOTEBOOKS", str(notebooks))
    [planned] = plan([RunSpec("train_classifier", "smoke", {"subset": 300, "epochs": 1})])
    profile = notebooks / "profiles" / "smoke.yaml"
    profile.write_text(profile.read_text().replace("  lr: 0.01\n", "  lr: 0.5\n", 1))
    run = json.dumps({"notebook": "train_classifier", "profile": "smoke", "params": planned.params})
    done = subprocess.run([sys.executable, "-m", "reprlab.workbench.worker", run], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert read_json(planned.run_dir / "status.json")["status"] == "completed"
    assert read_json(planned.run_dir / "params.json")["parameters"]["lr"] == 0.01
    assert [d.name for d in planned.run_dir.parent.iterdir() if not d.name.startswith(".")] == [planned.run_dir.name]
