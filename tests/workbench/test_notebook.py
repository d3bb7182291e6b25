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
