"""The rehearsal's caps where they act: loaders, the engine, the step meter, the fixtures."""

import hashlib
import json

import pytest
import torch
import torch.nn as nn

from reprlab import rehearsal
from reprlab.data import ImageSet, load_dataset, make_loader
from reprlab.training import TrainConfig, fit

CAPS = {"steps_per_epoch": 2, "epochs": 2, "eval_batches": 1, "max_batch_size": 4}


@pytest.fixture
def rehearsing(monkeypatch):
    monkeypatch.setenv(rehearsal.ENV, json.dumps(CAPS))


def _data(n: int = 40) -> ImageSet:
    g = torch.Generator().manual_seed(0)
    return ImageSet("cifar10", torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=g),
                    torch.randint(0, 10, (n,), generator=g), [str(i) for i in range(10)])


def test_loaders_keep_the_paper_batch_and_length_and_yield_a_few_small_batches(rehearsing):
    train = make_loader(_data(), 16, train=True)
    assert (train.paper_batch_size, train.paper_len) == (16, 2)  # 40 // 16, the last batch dropped
    assert [len(b) for b in train] == [4, 4] and len(train) == 2
    test = make_loader(_data(), 16, train=False)
    assert [len(b) for b in test] == [4]


def test_outside_a_rehearsal_nothing_is_capped():
    assert rehearsal.caps() is None
    assert [len(b) for b in make_loader(_data(), 16, train=False)] == [16, 16, 8]


def test_fit_runs_the_capped_epochs_resumes_once_and_measures_the_step(rehearsing, tmp_path, monkeypatch):
    monkeypatch.setenv(rehearsal.RUN_DIR_ENV, str(tmp_path))
    lines = []
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
    history = fit(model, make_loader(_data(), 16, train=True), TrainConfig(epochs=600, amp=False),
                  out_dir=tmp_path / "train", log=lines.append)
    assert [r["epoch"] for r in history] == [1, 2]
    assert history[1]["lr"] == pytest.approx(0.001)  # milestones 0.5, 0.75 of the compressed run both passed
    assert any(line.startswith("rehearsal: resumed from") for line in lines)
    measured = rehearsal.read_measurements(tmp_path)[-1]
    forward = 2 * 4 * 3 * 32 * 32 * 10  # a linear layer: 2 FLOPs a multiply-add, batch 4
    assert measured["flops_per_step_measured"] == 2 * forward  # backward: the weight gradient (inputs need none)
    assert measured["flops_per_step_paper"] == 2 * forward * 16 / 4 and measured["extrapolated_from_batch"] == 4
    assert (measured["epochs_paper"], measured["steps_per_epoch_paper"], measured["batch_size_paper"]) == (600, 2, 16)
    assert measured["parameters"] == 3 * 32 * 32 * 10 + 10


def test_caps_are_checked_naming_the_setting():
    with pytest.raises(ValueError, match=r"profile 'p', section rehearsal: rehearsal: epochs=1 is out of range"):
        rehearsal.Caps.from_section({"epochs": 1}, "profile 'p', section rehearsal")
    with pytest.raises(ValueError, match=r"'steps' is no rehearsal setting; allowed values: steps_per_epoch"):
        rehearsal.Caps.from_section({"steps": 3}, "here")


def test_a_fixture_loads_through_torchvision_with_its_own_checksums_only_in_a_rehearsal(tmp_path, monkeypatch):
    from reprlab.data import fixtures

    fixtures.write_cifar(tmp_path, 10, 6, seed=0)
    sums = {p.name: hashlib.md5(p.read_bytes()).hexdigest()
            for p in (tmp_path / fixtures.FOLDERS["cifar10"]).iterdir()}
    (tmp_path / rehearsal.FIXTURE_CHECKSUMS).write_text(json.dumps({"cifar10": sums}))
    with pytest.raises(FileNotFoundError):  # the official md5s do not match random pixels
        load_dataset("cifar10", "train", tmp_path, download=False)
    monkeypatch.setenv(rehearsal.ENV, json.dumps(CAPS))
    train = load_dataset("cifar10", "train", tmp_path, download=False)
    assert len(train) == 30 and train.classes[0] == "airplane"


def test_a_run_is_reused_only_by_the_same_kind_of_launcher(monkeypatch):
    assert rehearsal.mismatch(None) == ""
    assert rehearsal.mismatch(CAPS) == "a rehearsal's run is never a real one"
    monkeypatch.setenv(rehearsal.ENV, json.dumps(CAPS))
    assert rehearsal.mismatch(CAPS) == ""
    assert rehearsal.mismatch(None) == "a real run is not rehearsed over"
    assert rehearsal.mismatch({**CAPS, "epochs": 3}) == "it was rehearsed with other caps"
