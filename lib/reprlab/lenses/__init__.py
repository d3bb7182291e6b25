"""Every paper's instrument on every trained model: models rebuilt from run directories
(:mod:`reprlab.lenses.models`) and the lenses applied to them (:mod:`reprlab.lenses.instruments`).
Above the papers: it imports their instruments; nothing below imports it."""
