import pytest

from reprlab.training.schedules import lr_factor


def test_multistep_decays_at_fractions_of_the_run():
    f = lr_factor("multistep", milestones=(0.5, 0.75), gamma=0.1)
    assert [f(p) for p in (0.0, 0.49, 0.5, 0.74, 0.75, 0.99)] == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])


def test_cosine_with_warmup():
    f = lr_factor("cosine", warmup=0.1)
    assert f(0.05) == pytest.approx(0.5)
    assert f(0.1) == pytest.approx(1.0)
    assert f(0.55) == pytest.approx(0.5)
    assert f(1.0) == pytest.approx(0.0, abs=1e-12)


def test_onecycle_rises_then_falls_to_zero():
    f = lr_factor("onecycle")
    assert f(0) == pytest.approx(1 / 25) and f(0.3) == pytest.approx(1.0) and f(1.0) == pytest.approx(0.0)
    assert f(0.15) < f(0.3) > f(0.6)


def test_unknown_schedule_names_the_allowed_values():
    with pytest.raises(ValueError, match=r"schedule='step'.*constant, multistep, cosine, onecycle"):
        lr_factor("step")


def test_upstream_duet_warmup_cosine_per_epoch():
    # upstream: epoch e <= W runs at max(e / W, 1e-3), then 0.5 (1 + cos(pi (e - W) / (E - W))); W = 10, E = 800
    f = lr_factor("warmup_cosine", warmup=10 / 800)
    epochs = [0, 1, 5, 10, 405, 800]
    expected = [1e-3, 0.1, 0.5, 1.0, 0.5, 0.0]
    assert [f(e / 800) for e in epochs] == pytest.approx(expected, abs=1e-9)


def test_the_engine_holds_the_lr_for_an_epoch_when_asked():
    from reprlab.data import load_dataset, make_loader
    from reprlab.models import build_model
    from reprlab.training import TrainConfig, fit

    model = build_model("resnet20", 10, 1, 8)
    train = make_loader(load_dataset("digits").subset(range(128)), 64, train=True)  # two steps an epoch
    config = TrainConfig(epochs=4, lr=1e-3, optimizer="adamw", schedule="warmup_cosine", warmup=0.5,
                         lr_per_epoch=True, betas=(0.9, 0.95), amp=False)
    history = fit(model, train, config, log=lambda _: None)
    # each epoch logs the lr it trained at: epochs 1..4 -> factors of 0/4, 1/4, 2/4, 3/4 of the run
    assert [r["lr"] for r in history] == pytest.approx([1e-3 * f for f in (1e-3, 0.5, 1.0, 0.5)], abs=1e-12)
