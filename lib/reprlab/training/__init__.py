"""The one training engine every experiment uses."""

from reprlab.training.engine import EvalResult, TrainConfig, evaluate, fit
from reprlab.training.hooks import Hook

__all__ = ["EvalResult", "Hook", "TrainConfig", "evaluate", "fit"]
