"""run-all's timing table: each run's minutes and share, what a reused run took when it ran."""

from reprlab.io import write_json
from reprlab.workbench.launch import timing_table
from reprlab.workbench.runner import RunResult


def test_run_all_timing_table_gives_each_run_its_share_and_what_a_reused_run_took(tmp_path):
    write_json(tmp_path / "b" / "status.json", {"status": "completed", "seconds": 300.0})
    runs = [RunResult("train_classifier", tmp_path / "a", "completed", {}, seconds=90.0,
                      label="train_classifier[quick]"),
            RunResult("mcr2_train", tmp_path / "b", "reused", {}, seconds=0.5, label="mcr2_train[quick] lcr=0.4"),
            RunResult("agreement", tmp_path / "c", "completed", {}, seconds=29.5)]
    lines = timing_table(runs).splitlines()
    assert lines[2].split() == ["train_classifier[quick]", "1.5", "75%", "completed"]
    assert lines[3].split() == ["mcr2_train[quick]", "lcr=0.4", "0.0", "0%", "reused", "(ran", "5.0", "min)"]
    assert lines[-1].split() == ["total", "2.0"]
    overlapped = timing_table(runs, wall_seconds=66.0).splitlines()  # two runs at once
    assert overlapped[-2].split() == ["total", "2.0"] and overlapped[-1].split()[-1] == "1.1"
