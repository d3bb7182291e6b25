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
