"""The runs the frequency-bias notebooks start, as data: each evaluates or builds on the
``frequency_gradients`` baseline of its ``train_profile``."""

from reprlab.papers.frequency.training import baseline_spec

SWEEPS = {notebook: (lambda p, _profile: [baseline_spec(p["train_profile"])])
          for notebook in ("frequency_filtering", "frequency_hars", "spectral_density")}
