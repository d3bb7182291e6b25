"""Sweeps as data: a notebook's child runs are known before it runs, planned children first and
each once, and ``--dry-run`` says which are complete, which resume and which are new."""

from reprlab.io import write_json
from reprlab.workbench.cli import main
from reprlab.workbench.spec import RunSpec, resolve_parameters
from reprlab.workbench.sweeps import child_runs, plan


def test_a_sweep_declares_its_runs_from_its_parameters():
    params = resolve_parameters("label_less_data", "smoke")
    children = child_runs("label_less_data", params, "smoke")
    assert len(children) == 2 * 2 * 2  # labels x levels x seeds
    assert {(c.overrides["label"], c.overrides["level"], c.overrides["seed"]) for c in children} == {
        (label, level, seed) for label in ("category", "random") for level in (50.0, 100.0) for seed in (7, 8)}
    assert all(c.notebook == "label_training" and c.profile == "smoke" for c in children)
    # the MCR2 baseline trains on what mcr2_train trains on: same data, backbone, corrupted labels
    mcr2, baseline = child_runs("mcr2_evaluate", resolve_parameters("mcr2_evaluate", "smoke", {"train_overrides":
                                                                                            {"lcr": 0.3}}), "smoke")
    assert mcr2.overrides == {"lcr": 0.3} and baseline.overrides["corruption"] == 0.3
    assert baseline.overrides["model"] == resolve_parameters("mcr2_train", "smoke")["model"]
    essl = child_runs("duet_evaluate", resolve_parameters("duet_evaluate", "smoke"), "smoke")[-1]
    assert essl.overrides["model"] == "essl" and "rot" not in essl.overrides["tx"]  # ESSL drops equi_tx
    assert child_runs("train_classifier", resolve_parameters("train_classifier", "smoke"), "smoke") == []
    # a label_training run reads the label bank of its profile's label_generation run, for its dataset
    speech = resolve_parameters("label_training", "smoke", {"label": "speech", "dataset": "digits"})
    bank = RunSpec("label_generation", "smoke", {"dataset": "digits"})
    assert child_runs("label_training", speech, "smoke") == [bank]
    assert child_runs("label_training", resolve_parameters("label_training", "smoke"), "smoke") == []  # category


def test_the_plan_puts_children_first_and_lists_each_run_once():
    specs = [RunSpec("mcr2_evaluate", "smoke"), RunSpec("mcr2_corruption_sweep", "smoke")]
    planned = plan(specs)
    dirs = [p.run_dir for p in planned]
    assert len(dirs) == len(set(dirs)) == 2 + 4 + 2 - 2  # ratio 0 of the sweep is the evaluation's pair
    assert [p.depth for p in planned] == [0, 0, 0, 0, 1, 1]
    parents = {p.spec.notebook: p for p in planned[4:]}
    assert set(parents) == {"mcr2_evaluate", "mcr2_corruption_sweep"}
    assert set(parents["mcr2_corruption_sweep"].needs) == set(dirs[:4]) and len(parents["mcr2_evaluate"].needs) == 2
    assert all(p.parent for p in planned[:4]) and not any(p.parent for p in planned[4:])


def test_dry_run_says_which_runs_are_complete_which_resume_and_which_are_new(capsys):
    spec = RunSpec("label_attacks", "smoke")
    category, bank, speech, attacks = plan([spec])  # the label bank before the run that reads it
    assert [p.spec.notebook for p in (category, bank, speech, attacks)] == [
        "label_training", "label_generation", "label_training", "label_attacks"]
    assert speech.needs == (bank.run_dir,) and attacks.needs == (category.run_dir, speech.run_dir)
    write_json(category.run_dir / "status.json", {"status": "completed"})
    write_json(speech.run_dir / "status.json", {"status": "interrupted", "attempt": 1})
    assert main(["run", "label_attacks", "--profile", "smoke", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "== label_attacks[smoke]"
    assert out[1].split()[:2] == ["reuse", "label_training[smoke]"] and out[1].endswith(str(category.run_dir))
    assert out[2].split()[:2] == ["run", "label_generation[smoke]"]
    assert out[3].split()[:3] == ["resume", "label_training[smoke]", "label=speech"]
    assert out[4].split()[:2] == ["run", "label_attacks[smoke]"]
    assert out[5] == "4 runs: 1 complete (reused), 1 to resume, 2 new"
    assert not attacks.run_dir.exists()  # nothing ran
