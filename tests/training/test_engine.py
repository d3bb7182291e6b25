import pytest
import torch
import torch.nn as nn

from reprlab.data import load_splits, make_loader
from reprlab.models import build_model
from reprlab.seeding import seed_everything
from reprlab.training import Hook, TrainConfig, evaluate, fit


def _setup(device, seed=0):
    seed_everything(seed, deterministic=True)
    splits = load_splits("digits", split_seed=0)
    model = build_model("resnet20", 10, 1, 8).to(device)
    train = make_loader(splits.train, 64, train=True, seed=seed, device=device)
    test = make_loader(splits.test, 500, train=False, device=device)
    return model, train, test


CONFIG = TrainConfig(epochs=2, lr=0.05, schedule="cosine", weight_decay=5e-4)


def test_training_learns_digits(device):
    model, train, test = _setup(device)
    before = evaluate(model, test).accuracy
    history = fit(model, train, TrainConfig(epochs=3, lr=0.05, schedule="onecycle"), eval_loaders={"test": test})
    assert before < 0.3 and history[-1]["test_accuracy"] > 0.85
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert [r["epoch"] for r in history] == [1, 2, 3]


def test_resume_is_bit_for_bit(tmp_path, device):
    model, train, test = _setup(device)
    straight = fit(model, train, CONFIG, eval_loaders={"test": test}, out_dir=tmp_path / "a")
    straight_state = model.state_dict()

    model, train, test = _setup(device)
    fit(model, train, CONFIG, eval_loaders={"test": test}, out_dir=tmp_path / "b", until_epoch=1)
    assert (tmp_path / "b" / "checkpoints" / "last.pt").exists()
    model, train, test = _setup(device)  # a fresh process: new model, new loader, then resume
    resumed = fit(model, train, CONFIG, eval_loaders={"test": test}, out_dir=tmp_path / "b")

    assert [r["train_loss"] for r in resumed] == [r["train_loss"] for r in straight]
    assert [r["test_accuracy"] for r in resumed] == [r["test_accuracy"] for r in straight]
    for key, value in model.state_dict().items():
        assert torch.equal(value, straight_state[key]), key
    assert (tmp_path / "b" / "history.csv").read_text().count("\n") == 3


def test_resume_refuses_a_changed_config(tmp_path, device):
    model, train, _ = _setup(device)
    fit(model, train, CONFIG, out_dir=tmp_path, until_epoch=1)
    model, train, _ = _setup(device)
    changed = TrainConfig(epochs=2, lr=0.1, schedule="cosine", weight_decay=5e-4)
    with pytest.raises(RuntimeError, match=r"cannot resume .*lr: 0.05 -> 0.1"):
        fit(model, train, changed, out_dir=tmp_path)


def test_best_checkpoint_tracks_the_selection_metric(tmp_path, device):
    model, train, test = _setup(device)
    config = TrainConfig(epochs=2, lr=0.05, best_metric="test_accuracy")
    history = fit(model, train, config, eval_loaders={"test": test}, out_dir=tmp_path)
    best = torch.load(tmp_path / "checkpoints" / "best.pt", weights_only=False)
    assert best["test_accuracy"] == max(r["test_accuracy"] for r in history)


class _Recorder(Hook):
    def __init__(self):
        self.seen, self.evals, self.epochs = [], [], []

    def on_train_batch(self, epoch, indices, outputs, targets):
        self.seen.append((epoch, indices.clone()))

    def on_eval(self, epoch, split, result):
        self.evals.append((epoch, split, result.predictions.clone(), result.indices.clone()))

    def on_epoch_end(self, epoch, model, record):
        self.epochs.append(record["epoch"])


def test_hooks_see_every_training_example_and_every_eval_prediction(device):
    model, train, test = _setup(device)
    hook = _Recorder()
    fit(model, train, CONFIG, eval_loaders={"test": test}, hooks=[hook])
    epoch1 = torch.cat([idx for e, idx in hook.seen if e == 1])
    assert len(epoch1) == len(train) * 64 and len(set(epoch1.tolist())) == len(epoch1)
    assert [(e, s) for e, s, _, _ in hook.evals] == [(1, "test"), (2, "test")]
    assert len(hook.evals[-1][2]) == len(test.data) and hook.epochs == [1, 2]


def test_nan_loss_stops_with_a_clear_error(device):
    model, train, _ = _setup(device)

    def broken(outputs, targets):
        return nn.functional.cross_entropy(outputs, targets) * float("nan")

    with pytest.raises(FloatingPointError, match="epoch 1"):
        fit(model, train, TrainConfig(epochs=1), loss_fn=broken)
