"""The parameters of one experiment run, built from a notebook's parameters."""

import dataclasses
from typing import Any, TypeVar

Job = TypeVar("Job", bound="NotebookJob")


class NotebookJob:
    """Mixin for job dataclasses whose fields mirror a notebook's parameters."""

    @classmethod
    def from_params(cls: type[Job], params: dict[str, Any]) -> Job:
        """Pick this job's fields out of ``params``. Lists become tuples where the field's default
        is a tuple (YAML profiles and papermill give lists)."""
        values = {}
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.name in params:
                value = params[field.name]
                values[field.name] = tuple(value) if isinstance(field.default, tuple) else value
        return cls(**values)
