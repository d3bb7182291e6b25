"""The runs the frequency-bias notebooks start, as data: each evaluates or builds on the
``frequency_gradients`` baseline of its ``train_profile``."""

from reprlab.workbench.runner import RunResult, run_spec
from reprlab.workbench.spec import RunSpec


def baseline_spec(train_profile: str) -> RunSpec:
    """The ``frequency_gradients`` run of ``train_profile``: the baseline model and the training
    settings the other frequency notebooks share."""
    return RunSpec("frequency_gradients", train_profile)


def baseline_run(train_profile: str) -> RunResult:
    """The run of :func:`baseline_spec` (executed, or reused when complete); raises if it failed."""
    return run_spec(baseline_spec(train_profile))


SWEEPS = {notebook: (lambda p, _profile: [baseline_spec(p["train_profile"])])
          for notebook in ("frequency_filtering", "frequency_hars", "spectral_density")}
