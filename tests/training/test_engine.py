import pytest
import torch
import torch.nn as nn

from reprlab.data import load_splits, make_loader
from reprlab.models import build_model
from reprlab.training import Hook, TrainConfig, evaluate, fit
from reprlab.training.seeding import seed_everything


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


def test_an_unfinished_run_keeps_two_checkpoints_and_a_finished_one_keeps_one(tmp_path, device):
    model, train, _ = _setup(device)
    fit(model, train, TrainConfig(epochs=3, lr=0.05), out_dir=tmp_path, until_epoch=2)
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["last.pt", "previous_last.pt"]
    model, train, _ = _setup(device)
    fit(model, train, TrainConfig(epochs=3, lr=0.05), out_dir=tmp_path)
    assert [p.name for p in (tmp_path / "checkpoints").iterdir()] == ["last.pt"]
    assert torch.load(tmp_path / "checkpoints" / "last.pt", weights_only=False)["epoch"] == 3


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

    def on_train_batch(self, epoch, batch, outputs):
        self.seen.append((epoch, batch.indices.clone()))

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


def test_without_a_predictor_eval_loaders_report_the_loss_only(device):
    model, train, test = _setup(device)
    history = fit(model, train, TrainConfig(epochs=1, lr=0.05), predict=None, eval_loaders={"test": test})
    assert "test_accuracy" not in history[0] and "train_accuracy" not in history[0]
    reference = evaluate(model, test)  # the same loss as the engine's evaluation after epoch 1
    assert history[0]["test_loss"] == pytest.approx(reference.loss, rel=1e-6)
    result = evaluate(model, test, predict=None)
    assert result.predictions is None and result.accuracy != result.accuracy  # NaN
    assert result.loss == pytest.approx(reference.loss, rel=1e-6)


def test_a_step_sees_the_whole_batch_and_logs_its_terms(device):
    """A self-supervised step reads what the loader put in ``extras`` and logs several terms."""
    from reprlab.training import Batch, StepOutput

    model, train, _ = _setup(device)
    seen_extras = []

    class WithExtras:
        def __init__(self, loader):
            self.loader = loader

        def __len__(self):
            return len(self.loader)

        def __iter__(self):
            for batch in self.loader:
                yield Batch(batch.images, batch.targets, batch.indices, {"flipped": batch.images.flip(3)})

        def state_dict(self):
            return self.loader.state_dict()

        def load_state_dict(self, state):
            self.loader.load_state_dict(state)

    def consistency_step(net, batch):
        seen_extras.append(sorted(batch.extras))
        a, b = net(batch.images), net(batch.extras["flipped"])
        ce = nn.functional.cross_entropy(a, batch.targets)
        agree = (a.softmax(1) - b.softmax(1)).pow(2).sum(1).mean()
        return StepOutput(ce + agree, a, {"ce": ce.detach(), "agree": agree.detach()})

    history = fit(model, WithExtras(train), TrainConfig(epochs=1, lr=0.05), step=consistency_step)
    assert seen_extras[0] == ["flipped"] and len(seen_extras) == len(train)
    record = history[0]
    assert record["train_loss"] == pytest.approx(record["train_ce"] + record["train_agree"], rel=1e-5)
    assert 0 < record["train_accuracy"] <= 1


def test_mcr2_selfsupervised_views_resume_bit_for_bit(tmp_path, device):
    """MCR2's self-supervised mode through the batch contract: the pseudo-labels come in
    ``batch.extras``, and a run split in two processes equals one straight run."""
    from reprlab.data.views import MultiViewLoader
    from reprlab.losses import MCR2Loss
    from reprlab.papers.mcr2.training import build_mcr2_model
    from reprlab.training import supervised_step

    def setup():
        seed_everything(0, deterministic=True)
        data = load_splits("digits", split_seed=0, subset=400).train
        model = build_mcr2_model("resnet20", 16, 1, 8).to(device)
        return model, MultiViewLoader(data, 10, 4, device=device, seed=0)

    config = TrainConfig(epochs=2, lr=0.01, optimizer="adam", schedule="cosine", amp=False)
    step = supervised_step(MCR2Loss(10, eps=0.5), "pseudo_labels")
    model, loader = setup()
    straight = fit(model, loader, config, step=step, predict=None, out_dir=tmp_path / "a")
    straight_state = model.state_dict()
    model, loader = setup()
    fit(model, loader, config, step=step, predict=None, out_dir=tmp_path / "b", until_epoch=1)
    model, loader = setup()
    resumed = fit(model, loader, config, step=step, predict=None, out_dir=tmp_path / "b")
    assert [r["train_delta_R"] for r in resumed] == [r["train_delta_R"] for r in straight]
    for key, value in model.state_dict().items():
        assert torch.equal(value, straight_state[key]), key


def test_eval_every_evaluates_on_schedule_and_after_the_last_epoch(device):
    model, train, test = _setup(device)
    config = TrainConfig(epochs=3, lr=0.05, eval_every=2, best_metric="test_accuracy")
    history = fit(model, train, config, eval_loaders={"test": test})
    assert ["test_accuracy" in r for r in history] == [False, True, True]


def test_a_damaged_checkpoint_falls_back_to_the_one_before_and_resume_stays_exact(tmp_path, device):
    config = TrainConfig(epochs=3, lr=0.05, schedule="cosine", weight_decay=5e-4)
    model, train, _ = _setup(device)
    straight = fit(model, train, config, out_dir=tmp_path / "a")
    model, train, _ = _setup(device)
    fit(model, train, config, out_dir=tmp_path / "b", until_epoch=2)
    last = tmp_path / "b" / "checkpoints" / "last.pt"
    last.write_bytes(last.read_bytes()[:1000])  # truncated, as by a full disk or a kill mid-copy
    messages = []
    model, train, _ = _setup(device)
    resumed = fit(model, train, config, out_dir=tmp_path / "b", log=messages.append)
    assert any(str(last) in m and "previous checkpoint" in m and "after epoch 1" in m for m in messages)
    assert [r["train_loss"] for r in resumed] == [r["train_loss"] for r in straight]


def test_two_damaged_checkpoints_name_both_files(tmp_path, device):
    model, train, _ = _setup(device)
    fit(model, train, CONFIG, out_dir=tmp_path, until_epoch=2)
    for name in ("last.pt", "previous_last.pt"):
        (tmp_path / "checkpoints" / name).write_bytes(b"not a checkpoint")
    model, train, _ = _setup(device)
    with pytest.raises(RuntimeError, match=r"last\.pt and .*previous_last\.pt are both damaged"):
        fit(model, train, CONFIG, out_dir=tmp_path)


def test_epoch_lines_show_elapsed_time_and_eta():
    from reprlab.training.engine import format_record

    history = [{"epoch": 1, "lr": 0.1, "train_loss": 1.0, "seconds": 30.0},
               {"epoch": 2, "lr": 0.1, "train_loss": 0.5, "seconds": 50.0}]
    line = format_record(history[-1], 10, history)
    assert line.startswith("epoch  2/10 | lr 0.1 | train loss 0.5000")
    assert line.endswith("50.0s | elapsed 1m20s, ETA 5m20s")  # 8 epochs left at 40 s each


def test_the_progress_bar_goes_to_stdout_not_to_jupyterlabs_pink_stderr(capsys):
    from reprlab.data import load_dataset, make_loader
    from reprlab.models import build_model
    from reprlab.training import TrainConfig, fit

    train = make_loader(load_dataset("digits").subset(range(64)), 32, train=True)
    fit(build_model("resnet20", 10, 1, 8), train, TrainConfig(epochs=1, lr=0.01, amp=False), progress=True,
        log=lambda _: None)
    out, err = capsys.readouterr()
    assert "epoch 1:" in out and "it/s" in out and err == ""
