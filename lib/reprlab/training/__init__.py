"""The one training engine every experiment uses."""

from reprlab.training.engine import EvalResult, TrainConfig, evaluate, fit
from reprlab.training.hooks import Hook, PredictionRecorder

__all__ = ["EvalResult", "Hook", "PredictionRecorder", "TrainConfig", "evaluate", "fit"]
