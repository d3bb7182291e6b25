"""The whole ``smoke`` profile, run once by the local pool as one graph (``smoke_workbook``): every
run the notebooks used was declared as data, each ran once, and every quick claim finds its keys."""

from pathlib import Path

from reprlab.io import read_json
from reprlab.workbench.claims import MissingMetric
from reprlab.workbench.papers import installed_papers
from reprlab.workbench.spec import RunSpec, load_profile
from reprlab.workbench.sweeps import plan_by_request


def test_the_runs_declared_as_data_are_exactly_the_runs_the_notebooks_used(smoke_workbook, monkeypatch):
    smoke_workbook.use(monkeypatch)
    declared = {run.run_dir for runs in plan_by_request([RunSpec(nb, "smoke") for nb in load_profile("smoke")]).values()
                for run in runs}
    assert smoke_workbook.started == declared  # a notebook that started an undeclared run would add one
    statuses = [read_json(d / "status.json") for d in declared]
    assert all(s["status"] == "completed" and s["attempt"] == 1 for s in statuses)  # each ran once
    assert {s["executor"] for s in statuses} == {"local"} and all(s["host"] for s in statuses)
    # a run that needs another started after it had finished (the graph was respected)
    starts, ends = {}, {}
    for i, line in enumerate(smoke_workbook.log):
        if line.startswith(("[starts]", "[done]", "[reused]")):
            run_dir = Path(line.split(" -> ", 1)[1].split(" (", 1)[0])
            (starts if line.startswith("[starts]") else ends).setdefault(run_dir, i)
    assert set(starts) == declared  # every run was started once by the launcher, none reused
    for runs in plan_by_request([RunSpec(nb, "smoke") for nb in load_profile("smoke")]).values():
        for run in runs:
            assert all(ends[need] < starts[run.run_dir] for need in run.needs), run.label
            started = read_json(run.run_dir / "status.json")["started"]
            assert all(read_json(need / "status.json")["finished"] <= started for need in run.needs)


def test_every_quick_claim_finds_its_numbers_in_its_notebooks_metrics(smoke_workbook):
    # (a series over epochs has one entry here: smoke trains MCR2 for one epoch)
    for paper in installed_papers():
        for claim in paper.claims:
            if "quick" in claim.profiles:
                try:
                    claim.decide(smoke_workbook[claim.notebook].metrics)
                except MissingMetric as err:
                    assert "fewer than 2 entries" in str(err), (claim.id, err)


def test_run_all_ends_with_a_timing_table_of_every_run_once(smoke_workbook):
    lines = smoke_workbook.log[-1].splitlines()
    assert lines[0].split() == ["run", "minutes", "share", "status"]
    rows = [line for line in lines[2:] if not line.startswith(("total", "wall"))]
    assert len(rows) == len(smoke_workbook.started) and all(row.endswith("completed") for row in rows)
    assert sum(row.startswith("label_training[smoke] label=speech ") for row in rows) == 1


def test_every_figure_a_run_saved_is_shown_in_its_executed_notebook(smoke_workbook):
    import json

    for run_dir in sorted(smoke_workbook.started):
        notebook = run_dir.parent.name
        executed = json.loads((run_dir / f"{notebook}.ipynb").read_text())
        shown = sum("image/png" in out.get("data", {}) for cell in executed["cells"]
                    for out in cell.get("outputs", []))
        saved = len(list((run_dir / "figures").glob("*.png")))
        assert shown >= saved, f"{run_dir}: {saved} figures saved, {shown} shown"
