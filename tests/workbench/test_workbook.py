"""The whole ``smoke`` profile, run once by the local pool as one graph (``smoke_workbook``): every
run the notebooks used was declared as data, each ran once, and every quick claim finds its keys."""

from reprlab.io import read_json
from reprlab.workbench.claims import MissingMetric, all_papers
from reprlab.workbench.runner import RunSpec, load_profile, timing_table
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
    finished = {r.run_dir: i for i, r in enumerate(smoke_workbook.finished)}
    for runs in plan_by_request([RunSpec(nb, "smoke") for nb in load_profile("smoke")]).values():
        for run in runs:
            assert all(finished[need] < finished[run.run_dir] for need in run.needs), run.spec.describe()
            started = read_json(run.run_dir / "status.json")["started"]
            assert all(read_json(need / "status.json")["finished"] <= started for need in run.needs)


def test_every_quick_claim_finds_its_numbers_in_its_notebooks_metrics(smoke_workbook):
    # (a series over epochs has one entry here: smoke trains MCR2 for one epoch)
    for paper in all_papers():
        for claim in paper.claims:
            if "quick" in claim.profiles:
                try:
                    claim.decide(smoke_workbook[claim.notebook].metrics)
                except MissingMetric as err:
                    assert "fewer than 2 entries" in str(err), (claim.id, err)


def test_the_timing_table_lists_every_run_once(smoke_workbook):
    lines = timing_table(smoke_workbook.finished).splitlines()
    assert len(lines) == 2 + len(smoke_workbook.started) + 1  # header, rule, a run each, the total
    assert any(line.startswith("label_training[smoke] label=speech ") for line in lines)
