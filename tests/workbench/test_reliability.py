"""Bad input, damaged files, two runs at once and interrupted runs: nothing is silently replaced,
nothing is lost, and every message names the file or parameter at fault."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reprlab import paths
from reprlab.io import read_json, write_json
from reprlab.workbench.cli import main
from reprlab.workbench.rundir import read_status, run_lock
from reprlab.workbench.runner import run_notebook

SMOKE = ["--profile", "smoke", "-p", "subset=300", "-p", "epochs=1"]


@pytest.fixture
def notebooks_copy(tmp_path, monkeypatch):
    """A copy of notebooks/ (to add profiles to) as REPRLAB_NOTEBOOKS."""
    copy = tmp_path / "notebooks"
    shutil.copytree(paths.notebooks_dir(), copy)
    monkeypatch.setenv("REPRLAB_NOTEBOOKS", str(copy))
    return copy


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "train_classifier", "--profile", "random_labels"],
     "profile='random_labels' has no section for train_classifier; it names agreement"),
    (["run", "sub/../../x/train_classifier", "--profile", "smoke"],
     "notebook='sub/../../x/train_classifier' does not exist; allowed values: agreement"),
    (["params", "../../etc/train_classifier"], "notebook='../../etc/train_classifier' does not exist"),
    (["run-all", "--profile", "smoke", "-p", "epoch=3", "-p", "nonsense=1"],
     "no notebook of profile='smoke' takes 'epoch', 'nonsense'"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "lr=-1"],
     "train_classifier: lr=-1.0 is out of range; allowed range: (0, inf)"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "epochs=0"], "epochs=0 is out of range"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "level=150"], "level=150.0 is out of range"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "batch_size=0"], "batch_size=0 is out of range"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "subset=-5"], "subset=-5 is out of range"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "corruption=1.5"], "corruption=1.5 is out of range"),
    (["run", "mcr2_train", "--profile", "smoke", "-p", "lcr=1.5"], "mcr2_train: lcr=1.5 is out of range"),
    (["run-all", "--profile", "smoke", "-p", "epochs=0"], "epochs=0 is out of range"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "seed=-1"],
     "train_classifier: seed=-1 is out of range; allowed range: [0, 4294967295]"),
    (["run", "mcr2_train", "--profile", "smoke", "-p", f"seed={2**64}"], f"seed={2**64} is out of range"),
    (["run", "train_classifier", "--profile", "smoke", "-p", "device=gpu"],
     "train_classifier: device='gpu' is not allowed; allowed values: auto, cpu, mps, cuda, cuda:0, cuda:1"),
    (["run", "label_less_data", "--profile", "smoke", "-p", "seeds=[7,-7]"], "seeds contains -7, out of range"),
    (["report", "--runs", "/nonexistent"], "--runs /nonexistent is no directory of runs"),
])
def test_bad_input_fails_before_anything_runs(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not paths.runs_dir().exists()


def test_every_profile_key_must_be_a_notebook(notebooks_copy, capsys):
    (notebooks_copy / "profiles" / "typo.yaml").write_text("train_classifer:\n  epochs: 1\n")
    assert main(["run", "train_classifier", "--profile", "typo"]) == 2
    assert "names 'train_classifer', which is no notebook" in capsys.readouterr().err
    (notebooks_copy / "profiles" / "defaults.yaml").write_text("train_classifier: {}\n")
    from reprlab.workbench.spec import resolve_parameters

    assert resolve_parameters("train_classifier", "defaults")["epochs"] == 200  # an empty section: on purpose


def test_params_with_a_profile_prints_the_values_a_run_would_use(capsys):
    assert main(["params", "train_classifier", "--profile", "smoke", "-p", "epochs=3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "epochs = 3  # -p" in lines and "model = 'lenet5'  # smoke" in lines and "lr = 0.01  # smoke" in lines
    assert "momentum = 0.9  # default" in lines
    assert not paths.runs_dir().exists()


def test_a_damaged_status_file_names_itself_and_the_run_resumes(tmp_path):
    messages = []
    (tmp_path / "status.json").write_text('{"status": "runn')
    assert read_status(tmp_path, messages.append)["status"] == "interrupted"
    assert str(tmp_path / "status.json") in messages[0] and "damaged" in messages[0]
    write_json(tmp_path / "status.json", {"state": "completed"})
    assert read_status(tmp_path, messages.append)["status"] == "interrupted"
    assert "no 'status' entry" in messages[1]


def test_run_with_a_truncated_status_resumes_and_rerun_still_works():
    done = run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1}, log=lambda _: None)
    status_path = done.run_dir / "status.json"
    status_path.write_text(status_path.read_text()[:25])
    messages = []
    again = run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1}, log=messages.append)
    assert again.status == "completed" and any(str(status_path) in m for m in messages)
    executed = (again.run_dir / "train_classifier.ipynb").read_text()
    assert "training already finished (1/1 epochs)" in executed  # the checkpoint is reused, loudly
    status_path.write_text("{")
    assert main(["run", "train_classifier", *SMOKE, "--rerun"]) == 0
    assert read_json(status_path)["status"] == "completed"


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path):
    run_dir = tmp_path / "runs" / "nb" / "smoke-1"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from reprlab.workbench.rundir import run_lock\n"
        f"with run_lock(Path({str(run_dir)!r}), lambda _: None):\n"
        "    print('locked', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()  # kill -9: no clean-up runs
    holder.wait()
    messages = []
    start = time.monotonic()
    with run_lock(run_dir, messages.append):
        pass
    assert messages == [] and time.monotonic() - start < 5


def _reprlab(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "reprlab", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)


def test_two_identical_runs_at_once_train_once():
    first, second = _reprlab("run", "train_classifier", *SMOKE), _reprlab("run", "train_classifier", *SMOKE)
    out = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert first.returncode == second.returncode == 0, out
    joined = "\n".join(out)
    assert joined.count("new run") == 1 and joined.count("reusing completed run") == 1
    assert "is in use by process" in joined  # the second one said why it waited
    run_dir = next((paths.runs_dir() / "train_classifier").glob("smoke-*"))
    assert read_json(run_dir / "status.json")["attempt"] == 1 and not (run_dir / "attempts").exists()


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_an_interrupted_run_says_so_in_one_line_and_resumes(how):
    args = ["run", "train_classifier", "--profile", "smoke", "-p", "subset=1000", "-p", "epochs=12"]
    process = _reprlab(*args, start_new_session=True)
    checkpoint = None
    deadline = time.monotonic() + 300
    while checkpoint is None and time.monotonic() < deadline:
        found = list((paths.runs_dir() / "train_classifier").glob("smoke-*/checkpoints/last.pt"))
        checkpoint = found[0] if found else time.sleep(0.5)
    assert checkpoint is not None, "training never wrote a checkpoint"
    if how == "ctrl-c":  # the terminal sends SIGINT to the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    else:  # a scheduler or kill sends SIGTERM to the launcher
        process.send_signal(signal.SIGTERM)
    out = process.communicate(timeout=120)[0]
    assert process.returncode == 130, out
    assert "Traceback" not in out and "interrupted; run it again to resume" in out
    run_dir = checkpoint.parent.parent
    assert read_json(run_dir / "status.json")["status"] == "interrupted"

    resumed = _reprlab(*args)
    out = resumed.communicate(timeout=600)[0]
    assert resumed.returncode == 0, out
    assert "resuming interrupted run" in out and "resumed from" in out
    history = read_json(run_dir / "history.json")
    assert [r["epoch"] for r in history] == list(range(1, 13))


def test_an_unwritable_runs_folder_gives_one_clear_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("REPRLAB_RUNS", str(blocker / "runs"))  # even root cannot create a folder in a file
    assert main(["run", "train_classifier", *SMOKE]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write") and str(blocker) in err and "Traceback" not in err


def test_make_refuses_an_old_python_with_a_clear_message(tmp_path):
    fake = tmp_path / "python3.10"
    fake.write_text("#!/bin/sh\n[ \"$1\" = -V ] && { echo 'Python 3.10.12'; exit 0; }\nexit 1\n")
    fake.chmod(0o755)
    result = subprocess.run(["make", "-C", str(Path(__file__).parents[2]), f"VENV={tmp_path / 'venv'}",
                             f"PYTHON={fake}", f"{tmp_path / 'venv'}/.installed"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "reprlab needs Python >= 3.11" in result.stderr and "Python 3.10.12" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_section_or_key_given_twice_in_a_profile_is_refused_naming_file_and_lines(notebooks_copy, capsys):
    smoke = notebooks_copy / "profiles" / "smoke.yaml"
    lines = smoke.read_text().count("\n")
    smoke.write_text(smoke.read_text() + "train_classifier:\n  dataset: cifar10\n")
    assert main(["run", "train_classifier", "--profile", "smoke"]) == 2
    err = capsys.readouterr().err
    assert f"{smoke} is not valid YAML" in err and f"'train_classifier' is given twice (lines 2 and {lines + 1})" in err
    smoke.write_text("train_classifier:\n  epochs: 1\n  model: lenet5\n  epochs: 2\n")
    assert main(["run", "train_classifier", "--profile", "smoke"]) == 2
    assert "'epochs' is given twice (lines 2 and 4)" in capsys.readouterr().err
    assert not paths.runs_dir().exists()
