import json

from reprlab import paths
from reprlab.io import read_json
from reprlab.workbench.cli import main
from reprlab.workbench.runner import run_notebook

SMOKE = {"subset": 300, "epochs": 1}


def test_bad_input_fails_before_anything_executes(capsys):
    assert main(["run", "train_classifier", "--profile", "smoke", "-p", "epochs=many"]) == 2
    assert "parameter 'epochs' expects int, got 'many'" in capsys.readouterr().err
    assert main(["run", "train_classifier", "--profile", "fast"]) == 2
    expected = "profile='fast' does not exist; allowed values: paper, quick, random_labels, smoke"
    assert expected in capsys.readouterr().err
    assert main(["run", "train_classifier", "-p", "dataset=svhn"]) == 2
    assert "dataset='svhn' is not allowed" in capsys.readouterr().err
    assert not paths.runs_dir().exists()


def test_run_directory_holds_everything_and_is_reused():
    result = run_notebook("train_classifier", "smoke", SMOKE, log=lambda _: None)
    assert result.status == "completed"
    d = result.run_dir
    assert d.parent == paths.runs_dir() / "train_classifier" and d.name.startswith("smoke-")
    for name in ("train_classifier.ipynb", "metrics.json", "params.json", "status.json", "history.csv",
                 "figures/learning_curves.png", "figures/learning_curves.svg", "figures/confusion_matrix.png",
                 "checkpoints/last.pt"):
        assert (d / name).exists(), name
    assert 0 < result.metrics["test_accuracy"] <= 1 and result.metrics["epochs"] == 1
    status = read_json(d / "status.json")
    assert status["status"] == "completed" and status["parameters"]["subset"] == 300
    executed = json.loads((d / "train_classifier.ipynb").read_text())
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in executed["cells"])

    mtime = (d / "metrics.json").stat().st_mtime
    again = run_notebook("train_classifier", "smoke", SMOKE, log=lambda _: None)
    assert again.status == "reused" and again.run_dir == d and (d / "metrics.json").stat().st_mtime == mtime

    other = run_notebook("train_classifier", "smoke", {**SMOKE, "seed": 1}, log=lambda _: None)
    assert other.run_dir != d

    rerun = run_notebook("train_classifier", "smoke", SMOKE, rerun=True, log=lambda _: None)
    assert rerun.status == "completed" and rerun.run_dir == d
    assert len(list(d.parent.glob(d.name + "~*"))) == 1  # the old run was moved aside, not overwritten


def test_failed_run_keeps_its_outputs_and_the_next_call_resumes(monkeypatch):
    messages = []
    # An unreadable dataset directory makes the notebook fail inside the kernel, after start-up.
    monkeypatch.setenv("REPRLAB_DATA", "/proc/nonexistent")
    failed = run_notebook("train_classifier", "smoke", SMOKE, log=messages.append)
    assert failed.status == "failed" and failed.error
    assert (failed.run_dir / "train_classifier.ipynb").exists() and (failed.run_dir / "params.json").exists()
    assert read_json(failed.run_dir / "status.json")["status"] == "failed"
    assert "partial outputs kept in" in messages[-1]

    monkeypatch.delenv("REPRLAB_DATA")
    resumed = run_notebook("train_classifier", "smoke", SMOKE, log=messages.append)
    assert resumed.status == "completed" and resumed.run_dir == failed.run_dir
    assert (resumed.run_dir / "attempts" / "1-train_classifier.ipynb").exists()
    assert read_json(resumed.run_dir / "status.json")["attempt"] == 2
    assert any("resuming failed run" in m for m in messages)


def test_a_run_is_found_by_its_path_under_the_runs_folder_from_any_working_directory(tmp_path, monkeypatch):
    import pytest

    from reprlab.io import write_json
    from reprlab.papers.frequency.explore import FrequencyExplorer
    from reprlab.workbench.runner import find_run

    run_dir = paths.runs_dir() / "mcr2_train" / "smoke-0123456789"
    write_json(run_dir / "params.json", {"notebook": "mcr2_train", "parameters": {}})
    write_json(run_dir / "status.json", {"status": "completed"})
    monkeypatch.chdir(tmp_path / "runs" / "mcr2_train")  # a kernel's working directory is its run's
    for name in ("runs/mcr2_train/smoke-0123456789", "mcr2_train/smoke-0123456789", str(run_dir)):
        assert find_run(name, ("mcr2_train",), "MCR2Explorer") == run_dir
    with pytest.raises(ValueError, match=r"FrequencyExplorer opens a run of frequency_filtering or .*; "
                                         f"{run_dir} is a run of mcr2_train"):
        FrequencyExplorer.from_run("runs/mcr2_train/smoke-0123456789")
    with pytest.raises(ValueError, match=r"MCR2Explorer: no run directory at 'runs/mcr2_train/smoke-x'; looked in "):
        find_run("runs/mcr2_train/smoke-x", ("mcr2_train",), "MCR2Explorer")
    write_json(run_dir / "status.json", {"status": "running"})
    with pytest.raises(ValueError, match="is not finished"):
        find_run(run_dir, ("mcr2_train",), "MCR2Explorer")


def test_a_run_whose_metrics_are_damaged_runs_again_and_a_failed_write_marks_it_failed(monkeypatch):
    import errno

    import papermill
    import pytest

    from reprlab.workbench.executors import SerialExecutor
    from reprlab.workbench.spec import RunSpec

    first = run_notebook("train_classifier", "smoke", SMOKE, log=lambda _: None)
    (first.run_dir / "metrics.json").write_text('{"test_accuracy": 0.8')  # cut short
    lines = []
    (again,) = SerialExecutor().run([RunSpec("train_classifier", "smoke", SMOKE)], log=lines.append)
    assert again.status == "completed" and again.metrics["test_accuracy"] > 0, lines  # not "[reused]"
    assert any("is out of date (its" in line and "metrics.json is damaged" in line for line in lines), lines

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(papermill, "execute_notebook", disk_full)
    with pytest.raises(OSError):
        run_notebook("train_classifier", "smoke", {**SMOKE, "seed": 1}, log=lambda _: None)
    statuses = [read_json(p) for p in paths.runs_dir().glob("train_classifier/smoke-*/status.json")]
    (failed,) = [s for s in statuses if s["parameters"]["seed"] == 1]
    assert failed["status"] == "failed" and "No space left on device" in failed["error"]  # never left "running"
