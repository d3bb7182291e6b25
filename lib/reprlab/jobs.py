"""Experiment jobs built from a notebook's parameters.

The notebook's ``parameters`` cell is the one source of every default, type, allowed value and
range: a job dataclass declares *which* parameters an experiment driver reads (its fields, with no
defaults of their own), and is always built from a full parameter set, e.g. the runner's resolved
parameters, the notebook's own ``run.params``, or :meth:`NotebookJob.defaults` in plain Python.
"""

import dataclasses
import typing
from typing import Any, ClassVar, TypeVar

Job = TypeVar("Job", bound="NotebookJob")


class NotebookJob:
    """Mixin for job dataclasses whose fields are parameters of the notebook ``NOTEBOOK``."""

    NOTEBOOK: ClassVar[str] = ""

    @classmethod
    def from_params(cls: type[Job], params: dict[str, Any]) -> Job:
        """Pick this job's fields out of ``params`` (every field must be there). Lists become
        tuples where the field is a tuple (YAML profiles and papermill give lists)."""
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        missing = [f.name for f in fields if f.name not in params]
        if missing:
            raise ValueError(f"{cls.__name__} needs the {cls.NOTEBOOK} parameters {', '.join(missing)}; "
                             f"build it from a full parameter set ({cls.__name__}.defaults(...))")
        values = {}
        for field in fields:
            value = params[field.name]
            is_tuple = field.type is tuple or typing.get_origin(field.type) is tuple
            values[field.name] = tuple(value) if is_tuple and isinstance(value, list) else value
        return cls(**values)

    @classmethod
    def defaults(cls: type[Job], **overrides: Any) -> Job:
        """The job with the notebook's defaults, then ``overrides`` (validated like ``-p``)."""
        from reprlab.workbench.parameters import default_parameters, validate

        return cls.from_params({**default_parameters(cls.NOTEBOOK), **validate(cls.NOTEBOOK, overrides)})


@dataclasses.dataclass
class TrainingJob(NotebookJob):
    """The optimisation parameters every training notebook declares, read by
    :meth:`reprlab.training.TrainConfig.from_job` (with ``warmup``, ``amp``, ``compile`` where a
    notebook has them)."""

    epochs: int
    batch_size: int
    lr: float
    optimizer: str
    momentum: float
    weight_decay: float
    schedule: str
    milestones: tuple[float, ...]
