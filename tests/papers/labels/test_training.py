import json

import numpy as np
import pytest
import torch

from reprlab.data import DeviceLoader, dataset_info, load_splits
from reprlab.evaluation.attacks import evaluate_attack
from reprlab.papers.labels import bank
from reprlab.papers.labels import recipes as lb
from reprlab.papers.labels.training import LabelJob, budget_for_level, label_task, nearest_label, train_labels


def test_label_task_losses_and_decoding():
    bank = lb.random_labels(10)
    task = label_task("random", 64, 10, bank)
    classes = torch.tensor([2, 5])
    exact = torch.tensor(bank)[classes]
    assert float(task.loss(exact, classes)) == 0.0 and task.predict(exact).tolist() == [2, 5]
    assert float(task.attack_loss(exact + 1, classes)) == pytest.approx(2 * 0.5)  # smooth-L1 of 1 is 0.5
    assert task.head(torch.randn(4, 64)).shape == (4, 64, 64)  # the 64x64 decoder
    assert label_task("bert", 64, 10, lb.random_labels(10, size=48)).head(torch.randn(4, 64)).shape == (4, 48, 48)
    assert label_task("lowdim", 64, 10, lb.lowdim_labels(10)).head.out_features == 10
    assert label_task("category", 64, 10, None).head.out_features == 10


def test_bad_label_names_the_allowed_values():
    with pytest.raises(ValueError, match=r"label=.onehot. is not allowed; allowed values: category, speech"):
        LabelJob.defaults(label="onehot")


def _train_and_attack(label: str, labels_dir, out_dir):
    job = LabelJob.defaults(dataset="digits", model="resnet20", label=label, epochs=6, lr=0.05, schedule="onecycle",
                   val_size=200, batch_size=64, device="cpu")
    result = train_labels(job, labels_dir, out_dir)
    test = load_splits("digits", val_size=200, split_seed=job.seed).test
    info = dataset_info("digits")
    attacked = {method: evaluate_attack(result.model.eval(), DeviceLoader(test, 500, train=False), [0.0, 0.1],
                                        method=method, loss_fn=result.task.attack_loss, predict=result.task.predict,
                                        mean=info.mean, std=info.std, num_classes=10).accuracy
                for method in ("fgsm", "bim")}
    return result, attacked


def test_composite_labels_match_category_accuracy_and_resist_attacks_better(tmp_path):
    """The paper's two claims at the smallest scale: on digits a composite (high-dimensional) label
    reaches category-level accuracy and keeps clearly more of it under FGSM and BIM at eps 0.1."""
    bank.write_label(tmp_path / "labels", "digits", "composite", lb.composite_labels(10), seed=None, source="test")
    category, category_attacked = _train_and_attack("category", tmp_path / "labels", tmp_path / "category")
    composite, composite_attacked = _train_and_attack("composite", tmp_path / "labels", tmp_path / "composite")
    assert category.test.accuracy > 0.9 and composite.test.accuracy > category.test.accuracy - 0.03
    for method in ("fgsm", "bim"):
        assert composite_attacked[method][0] == pytest.approx(composite.test.accuracy)
        assert composite_attacked[method][1] > category_attacked[method][1] + 0.1, method
    # validation and test are both reported, the kept weights are the best on validation
    history = json.loads((tmp_path / "composite" / "history.json").read_text())
    assert composite.val.accuracy == pytest.approx(max(r["val_accuracy"] for r in history))
    assert (tmp_path / "composite" / "checkpoints" / "best.pt").exists()


def test_level_is_passed_to_the_splits_and_the_train_size_reported(tmp_path):
    """digits: 1347 training images, 200 held out; upstream's ``level_of="all"``: 25 % of all 1347."""
    job = LabelJob.defaults(dataset="digits", model="resnet20", label="category", epochs=1, val_size=200, level=25.0,
                   level_of="all", device="cpu")
    result = train_labels(job, tmp_path, tmp_path / "run")
    full = load_splits("digits", val_size=200, split_seed=job.seed)
    assert result.train_size == round(0.25 * 1347)
    assert result.val.predictions.numel() == len(full.val) == 200
    assert result.test.predictions.numel() == len(full.test)


def test_nearest_label_decoding():
    bank = torch.tensor(lb.random_labels(10))
    noisy = bank[[3, 7, 0]] + torch.randn(3, 64, 64) * 5
    assert nearest_label(noisy, bank).tolist() == [3, 7, 0]


def test_nearest_label_decides_near_ties_as_the_direct_squared_difference_rule():
    bank = torch.tensor(lb.random_labels(10))
    g = torch.Generator().manual_seed(0)
    a, b = bank[3].flatten(), bank[7].flatten()
    direction = b - a
    noise = torch.randn(2000, a.numel(), generator=g)
    noise -= (noise @ direction)[:, None] * direction / direction.dot(direction)  # equidistant from a and b
    step = (torch.rand(2000, generator=g) - 0.5) * 2e-4  # then a hair towards one of them
    outputs = ((a + b) / 2 + step[:, None] * direction + noise).view(2000, 64, 64)
    exact = ((outputs.double().flatten(1)[:, None] - bank.double().flatten(1)[None]) ** 2).mean(-1).argmin(1)
    upstream = torch.stack([((outputs - label) ** 2).flatten(1).mean(1) for label in bank], 1).argmin(1)
    decoded = nearest_label(outputs, bank)
    assert set(exact.tolist()) == {3, 7}
    assert torch.equal(decoded, exact) and torch.equal(decoded, upstream)  # the matrix form (cdist) misses some


def test_budget_for_level_trains_the_steps_of_the_full_data():
    assert budget_for_level(8, 100.0, "steps") == (8, 1)
    assert budget_for_level(8, 10.0, "steps") == (80, 10)
    assert budget_for_level(600, 25.0, "steps") == (2400, 4)
    assert budget_for_level(8, 10.0, "epochs") == (8, 1)  # upstream: the same epochs at every level
    with pytest.raises(ValueError, match="level_budget='fixed'; allowed values: steps, epochs"):
        budget_for_level(8, 10.0, "fixed")


def test_a_changed_bank_trains_again_and_a_deleted_bank_is_written_again(smoke_workbook, tmp_path, monkeypatch):
    """The bank is an input of every label_training run on it and an output of its label_generation
    run: reuse follows the bank's content, not only the parameters (workbook runs copied, not touched)."""
    import shutil

    from reprlab.io import read_json
    from reprlab.workbench.executors import SerialExecutor
    from reprlab.workbench.runner import run_notebook
    from reprlab.workbench.spec import RunSpec

    for notebook in ("label_generation", "label_training"):
        shutil.copytree(smoke_workbook.runs / notebook, tmp_path / "runs" / notebook)
        for files in (tmp_path / "runs" / notebook).glob("*/files.json"):  # as if made with these labels
            files.write_text(files.read_text().replace(str(smoke_workbook.labels), str(tmp_path / "labels")))
    shutil.copytree(smoke_workbook.labels, tmp_path / "labels", dirs_exist_ok=True)
    speech = tmp_path / "labels" / "fashionmnist_speech.npy"
    spec = [RunSpec("label_training", "smoke", {"label": "speech"})]
    (trained,) = [d for d in (tmp_path / "runs" / "label_training").glob("smoke-*")
                  if read_json(d / "params.json")["parameters"]["label"] == "speech"]
    assert list(read_json(trained / "files.json")["read"]) == [str(speech)]

    speech.unlink()
    lines = []
    (result,) = SerialExecutor().run(spec, log=lines.append)
    assert result.status in ("completed", "reused") and speech.exists(), lines
    assert any("label_generation] the run in" in line and "is missing" in line for line in lines), lines
    assert len(list((tmp_path / "runs" / "label_generation").glob("smoke-*~*"))) == 1  # the old run, kept

    # a bank with other values (sidecar and all), e.g. espeak-ng of another version spoke the names; run
    # directly (a plan would first run the bank's generation run again, which writes its own bank back)
    changed = np.load(speech) + 1.0
    bank.write_label(tmp_path / "labels", "fashionmnist", "speech", changed, seed=None, source="edited")
    lines = []
    result = run_notebook("label_training", "smoke", {"label": "speech"}, log=lines.append)
    assert result.status == "completed" and result.run_dir == trained, lines
    assert any("label_training] the run in" in line and "has changed since" in line for line in lines), lines
    assert read_json(result.run_dir / "status.json")["attempt"] == 1  # trained anew, not resumed
