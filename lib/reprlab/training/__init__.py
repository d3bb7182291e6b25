"""The one training engine every experiment uses, with its batch contract, hooks, device and
seeding helpers."""

from reprlab.training.batch import Batch, Step, StepOutput, argmax_predict, supervised_step
from reprlab.training.distributed import resolve_device
from reprlab.training.engine import EvalResult, TrainConfig, evaluate, fit
from reprlab.training.hooks import Hook, PredictionRecorder
from reprlab.training.seeding import seed_everything

__all__ = ["Batch", "EvalResult", "Hook", "PredictionRecorder", "Step", "StepOutput", "TrainConfig", "argmax_predict",
           "evaluate", "fit", "resolve_device", "seed_everything", "supervised_step"]
