"""The ``paper`` profile's CPU rehearsal, run whole once, its GPU-hour plan, and a broken setting
found before any run starts."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reprlab import paths
from reprlab.io import read_json
from reprlab.rehearsal import read_measurements
from reprlab.workbench.claims import REHEARSED, score
from reprlab.workbench.papers import installed_papers
from reprlab.workbench.report import build_report, find_runs


def _reprlab(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reprlab", *args], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory) -> tuple[Path, dict[str, str], str]:
    """``run-all --profile paper --rehearse`` on the local pool (two workers), as ``make rehearse``
    runs it: (rehearsal folder, environment, what it printed)."""
    root = tmp_path_factory.mktemp("rehearsal")
    env = {**os.environ, "REPRLAB_REHEARSAL_DIR": str(root), "REPRLAB_RUNS": str(root / "real-runs")}
    done = _reprlab("run-all", "--profile", "paper", "--rehearse", "--executor", "local", "--jobs", "2", env=env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return root, env, done.stdout


@pytest.mark.slow
def test_the_rehearsal_completes_every_run_of_the_paper_profile_and_says_what_it_cut(rehearsal):
    root, env, printed = rehearsal
    planned = _reprlab("run-all", "--profile", "paper", "--rehearse", "--dry-run", env=env).stdout
    assert re.search(r"(\d+) runs: \1 complete \(reused\), 0 to resume, 0 new", planned), planned[-500:]
    assert ("rehearsal cuts label_less_data: seeds=[7] (the profile: [7, 77]), levels=[1.0, 8.0, 20.0] "
            "(the profile: [1.0, 2.0, 4.0, 8.0, 10.0, 20.0])") in printed
    assert "rehearsal cuts agreement: networks=4 (the profile: 5)" in printed
    runs = [p.parent for p in (root / "runs").glob("*/*/status.json")]
    assert len(runs) == int(re.search(r"(\d+) runs:", planned).group(1))
    for run in runs:
        status = read_json(run / "status.json")
        assert status["status"] == "completed" and status["rehearsal"]["epochs"] == 2, run
    assert not (root / "real-runs").exists()  # nothing of a rehearsal is where real runs live
    for dataset in ("cifar-10-batches-py", "cifar-100-python"):  # torchvision's layout, the real sizes
        assert (root / "data" / dataset).is_dir()


@pytest.mark.slow
def test_every_training_of_the_rehearsal_ran_two_capped_epochs_with_a_resume_and_was_measured(rehearsal):
    root, _, _ = rehearsal
    trained = [p.parent for p in (root / "runs").glob("*/*/history.json")]
    assert {p.parent.name for p in trained} >= {"train_classifier", "mcr2_train", "agreement_network",
                                                 "label_training", "frequency_gradients", "duet_train"}
    for run in trained:
        history = read_json(run / "history.json")
        assert [r["epoch"] for r in history] == [1, 2], run
        measured = read_measurements(run)
        assert measured and all(m["flops_per_step_measured"] > 0 and m["batch_size_measured"] <= 4
                                and m["steps_per_epoch_paper"] >= 1 for m in measured), run
    log = (root / "runs" / ".logs" / "train_classifier").glob("*.log")
    assert any("rehearsal: resumed from" in p.read_text() for p in log)


@pytest.mark.slow
def test_every_paper_claim_reads_a_written_metric_and_shows_as_rehearsed(rehearsal, tmp_path):
    root, _, _ = rehearsal
    rows = score(find_runs(root / "runs"), installed_papers(), profiles=["paper"])
    verdicts = {row.id: row.results["paper"].verdict for row in rows if "paper" in row.results}
    assert len(verdicts) >= 20
    assert {v for v in verdicts.values()} == {REHEARSED}, {k: v for k, v in verdicts.items() if v != REHEARSED}
    index = build_report(root / "runs", tmp_path / "report")
    assert REHEARSED in index.read_text() and "does not hold" not in index.read_text()


@pytest.mark.slow
def test_the_plan_costs_every_paper_run_from_the_rehearsal_and_totals_each_paper(rehearsal):
    _, env, _ = rehearsal
    done = _reprlab("run-all", "--profile", "paper", "--dry-run", "--plan", "--gpu", "a100", env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "not rehearsed yet" not in out
    assert "cut: costed as its rehearsed twin with seed=7" in out  # the seed-77 runs
    totals = {m.group(1): float(m.group(2)) for m in re.finditer(r"^(\w+)\s+\d+\s+[\d.]+\s+([\d.]+)$", out, re.M)}
    assert set(totals) == {"other", "mcr2", "agreement", "labels", "frequency", "duet", "lenses", "total"}, out[-1500:]
    # the plan costs training steps: the lenses train nothing (they look at the papers' models)
    assert totals.pop("lenses") == 0 and all(hours > 0 for hours in totals.values())
    assert totals["total"] == pytest.approx(sum(v for k, v in totals.items() if k != "total"), rel=0.02)
    slurm = _reprlab("run-all", "--profile", "paper", "--dry-run", "--plan", "--executor", "slurm", "--time", "60",
                     env=env).stdout
    assert re.search(r"warning: duet_train\[paper\] needs about \d+ min, more than --time 60", slurm)


@pytest.mark.slow
def test_flops_per_step_of_resnet32_on_cifar10_agree_with_a_hand_count(rehearsal):
    """He et al.'s ResNet-32: a 3x3 conv 3->16 at 32x32, then 5 blocks of two 3x3 convs per stage
    (16 ch at 32x32, 32 at 16x16, 64 at 8x8; option-A shortcuts have no FLOPs), a 64->10 linear.
    A training step is forward plus backward (about twice the forward) on 128 images."""
    root, _, _ = rehearsal
    macs = 32 * 32 * 16 * 3 * 9 + 10 * 32 * 32 * 16 * 16 * 9
    macs += 16 * 16 * 32 * 16 * 9 + 9 * 16 * 16 * 32 * 32 * 9 + 8 * 8 * 64 * 32 * 9 + 9 * 8 * 8 * 64 * 64 * 9 + 64 * 10
    hand = 3 * 2 * macs * 128
    run = next(p.parent for p in (root / "runs" / "train_classifier").glob("*/params.json")
               if read_json(p)["parameters"]["model"] == "resnet32")
    measured = read_measurements(run)[0]
    assert measured["batch_size_paper"] == 128 and measured["steps_per_epoch_paper"] == 50000 // 128
    assert measured["flops_per_step_paper"] == pytest.approx(hand, rel=0.10)


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("model", "resnet99", "model='resnet99' is not allowed; allowed values:"),
    ("milestones", [0.5, 1.5], "milestones"),
])
def test_a_broken_paper_setting_fails_the_rehearsal_before_any_run_naming_it(tmp_path, setting, value, message):
    copy = tmp_path / "notebooks"
    import shutil

    shutil.copytree(paths.notebooks_dir(), copy)
    profile = copy / "profiles" / "paper.yaml"
    content = yaml.safe_load(profile.read_text())
    content["label_training"][setting] = value
    profile.write_text(yaml.safe_dump(content, sort_keys=False))
    env = {**os.environ, "REPRLAB_NOTEBOOKS": str(copy), "REPRLAB_REHEARSAL_DIR": str(tmp_path / "rehearsal")}
    done = _reprlab("run-all", "--profile", "paper", "--rehearse", env=env)
    assert done.returncode == 2
    assert "label_training" in done.stderr and message in done.stderr, done.stderr
    assert not (tmp_path / "rehearsal" / "runs").exists()


def test_a_profile_without_a_rehearsal_section_says_so(capsys):
    from reprlab.workbench.cli import main

    assert main(["run-all", "--profile", "smoke", "--rehearse"]) == 2
    assert "profile='smoke' has no rehearsal: section" in capsys.readouterr().err


def test_plan_goes_with_dry_run(capsys):
    from reprlab.workbench.cli import main

    assert main(["run-all", "--profile", "paper", "--plan"]) == 2
    assert "--plan goes with --dry-run" in capsys.readouterr().err


@pytest.mark.slow
def test_a_launcher_that_is_no_rehearsal_never_reuses_a_rehearsed_run(rehearsal):
    root, env, _ = rehearsal
    real = {**env, "REPRLAB_RUNS": str(root / "runs")}  # a real launcher pointed, by mistake, at the rehearsal's runs
    out = _reprlab("run", "train_classifier", "--profile", "paper", "--dry-run", env=real).stdout
    assert "1 runs: 0 complete (reused), 0 to resume, 1 out of date, 0 new" in out, out
