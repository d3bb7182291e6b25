from reprlab.io import read_json
from reprlab.workbench.notebook import start_run
from reprlab.workbench.parameters import default_parameters


def test_interactive_runs_say_when_they_reuse_a_run_and_start_fresh_on_request(capsys):
    namespace = {**default_parameters("train_classifier"), "epochs": 1}
    run = start_run("train_classifier", namespace)
    assert read_json(run.dir / "status.json")["status"] == "interactive"  # the report lists it
    (run.dir / "checkpoints").mkdir()
    capsys.readouterr()
    again = start_run("train_classifier", namespace)
    assert again.dir == run.dir and "already holds a run made by commit" in capsys.readouterr().out
    fresh = start_run("train_classifier", {**namespace, "fresh": True})
    assert fresh.dir == run.dir and not (run.dir / "checkpoints").exists()
    assert "moved to" in capsys.readouterr().out and len(list(run.dir.parent.glob(run.dir.name + "~*"))) == 1


def test_metrics_print_one_line_each_not_a_json_dump(capsys):
    from reprlab.workbench.notebook import show_metrics

    show_metrics({"test_accuracy": 0.7905, "epochs": 3, "table": {"label": ["a", "b"]}, "per_level": {"10": 0.5}})
    assert capsys.readouterr().out.splitlines() == [
        "test_accuracy: 0.7905 (79.05 %)", "epochs: 3", "table: dict of 1 (see metrics.json)", "per_level: 10 0.5"]


def test_a_bad_value_in_a_hand_run_notebook_fails_at_start_run_and_makes_no_run_directory():
    import pytest

    from reprlab import paths

    for bad, message in (({"model": "resnet99"}, "model='resnet99' is not allowed; allowed values: "),
                         ({"epochs": 0}, "epochs=0 is out of range; allowed range: [1, inf)"),
                         ({"epochs": 2.5}, "parameter 'epochs' expects int, got 2.5")):
        with pytest.raises(ValueError) as err:
            start_run("train_classifier", {**default_parameters("train_classifier"), **bad})
        assert message in str(err.value)
    assert not paths.runs_dir().exists()


def test_a_profile_chosen_for_jupyterlab_replaces_the_cells_defaults_and_cell_edits_win(monkeypatch, capsys):
    from reprlab.workbench.spec import resolve_parameters

    monkeypatch.setenv("REPRLAB_PROFILE", "smoke")
    namespace = {**default_parameters("train_classifier"), "epochs": 1}  # one value edited in the cell
    run = start_run("train_classifier", namespace)
    smoke = resolve_parameters("train_classifier", "smoke", {"epochs": 1})
    assert {k: v for k, v in run.params.items() if k != "run_dir"} == {k: v for k, v in smoke.items() if k != "run_dir"}
    assert namespace["model"] == "lenet5" and namespace["dataset"] == "fashionmnist"  # later cells see them
    out = capsys.readouterr().out
    assert "REPRLAB_PROFILE=smoke: dataset='fashionmnist', model='lenet5'" in out
    assert "kept from the parameters cell: epochs=1" in out
    assert read_json(run.dir / "status.json")["at_profile"] == "smoke"
    monkeypatch.setenv("REPRLAB_PROFILE", "huge")
    import pytest

    with pytest.raises(ValueError, match="profile='huge' does not exist; allowed values: paper, quick"):
        start_run("train_classifier", dict(namespace))
