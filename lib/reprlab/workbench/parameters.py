"""A notebook's parameter contract, read from its ``parameters`` cell: the one source of every
parameter's name, type, default, help text, allowed values and range.

Each line of the cell is ``name: type = default  # help; constraint; constraint``. Constraints:

- ``one of: a, b, c`` — allowed values; ``one of: {models}`` takes them from a registry
  (:func:`registries`: models, datasets, schedules, optimizers, attacks, transforms, devices,
  and those the papers contribute: labels, label_types, encoders, ...);
- ``each one of: ...`` — the same for every element of a list;
- ``range: [0, 100]`` — an interval, ``(``/``)`` open and ``[``/``]`` closed ends, ``inf`` for
  none (``range: [1, inf)``); ``each in range: ...`` for every element of a list.

Used by the runner (to validate everything before anything executes), by ``reprlab params``, and
by notebooks and jobs (to collect their parameters and defaults).
"""

import ast
import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reprlab import paths
from reprlab.workbench.papers import check_of, paper_registries

_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "list": list, "dict": dict}


def _models() -> Sequence[str]:
    from reprlab.models import MODELS

    return tuple(MODELS)


def _datasets() -> Sequence[str]:
    from reprlab.data import DATASETS

    return tuple(name for name in DATASETS if name != "imagefolder")


def _schedules() -> Sequence[str]:
    from reprlab.training.schedules import SCHEDULES

    return SCHEDULES


def _optimizers() -> Sequence[str]:
    from reprlab.training.optim import OPTIMIZERS

    return OPTIMIZERS


def _attacks() -> Sequence[str]:
    from reprlab.evaluation.attacks import METHODS

    return METHODS


def _transforms() -> Sequence[str]:
    from reprlab.augment import TRANSFORMS

    return TRANSFORMS


def _devices() -> Sequence[str]:
    return ("auto", "cpu", "mps", "cuda", *(f"cuda:{i}" for i in range(16)))


#: The workbench's registries a parameter's allowed values can name (``one of: {models}``); the
#: papers add theirs (:func:`registries`).
REGISTRIES: dict[str, Callable[[], Sequence[str]]] = {
    "models": _models, "datasets": _datasets, "schedules": _schedules, "optimizers": _optimizers,
    "attacks": _attacks, "transforms": _transforms, "devices": _devices,
}


def registries() -> dict[str, Callable[[], Sequence[str]]]:
    """Every registry a parameter can name: the workbench's and the installed papers'."""
    return {**REGISTRIES, **paper_registries()}


@dataclass(frozen=True)
class Range:
    """An interval of numbers; ``low``/``high`` may be ±inf; ``*_open`` excludes the end."""

    low: float
    high: float
    low_open: bool
    high_open: bool

    @classmethod
    def parse(cls, text: str) -> "Range":
        """``[0, 100]``, ``(0, inf)``, ``[1, inf)``, ..."""
        text = text.strip()
        if len(text) < 5 or text[0] not in "[(" or text[-1] not in "])" or "," not in text:
            raise ValueError(f"range {text!r} must look like [low, high], (low, high], ...")
        low, high = (float(part) for part in text[1:-1].split(","))
        return cls(low, high, text[0] == "(", text[-1] == ")")

    def __contains__(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below and not math.isnan(value)

    def __str__(self) -> str:
        def show(x: float) -> str:
            return "inf" if math.isinf(x) else str(int(x)) if x.is_integer() else f"{x:g}"

        low = "-inf" if self.low == -math.inf else show(self.low)
        return f"{'(' if self.low_open else '['}{low}, {show(self.high)}{')' if self.high_open else ']'}"


@dataclass(frozen=True)
class Parameter:
    """One parameter of a notebook's contract. ``choices`` may name a registry (``{models}``)."""

    name: str
    type: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    each_choices: tuple[str, ...] = ()
    range: Range | None = None
    each_range: Range | None = None

    @property
    def allowed(self) -> tuple[str, ...]:
        """The allowed values (registries resolved), for the value or, for a list, its elements."""
        return _resolve(self.choices or self.each_choices)

    def describe(self) -> str:
        """``epochs: int = 200, range [1, inf)  # training epochs``: one line for ``reprlab params``."""
        line = f"{self.name}: {self.type} = {self.default!r}"
        if self.choices or self.each_choices:
            line += f", {'each ' if self.each_choices else ''}one of: {', '.join(self.allowed)}"
        if self.range or self.each_range:
            line += f", {'each in ' if self.each_range else ''}range {self.range or self.each_range}"
        return line + (f"  # {self.help}" if self.help else "")

    def coerce(self, value: Any, notebook: str) -> Any:
        """Check ``value`` (a YAML value, or a string from the command line) against this
        parameter; return it converted, or raise ``ValueError`` naming the parameter."""
        if isinstance(value, str) and self.type != "str":
            value = parse_literal(value)
        expected = _TYPES.get(self.type)
        ok = expected is None or isinstance(value, expected)
        if self.type == "int" and isinstance(value, bool):
            ok = False
        if self.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ValueError(f"{notebook}: parameter {self.name!r} expects {self.type}, got {value!r} "
                             f"({type(value).__name__}); {self.help}")
        if self.choices and str(value) not in self.allowed:
            raise ValueError(f"{notebook}: {self.name}={value!r} is not allowed; allowed values: "
                             f"{', '.join(self.allowed)}")
        if self.each_choices:
            bad = [v for v in value if str(v) not in self.allowed]
            if bad:
                raise ValueError(f"{notebook}: {self.name} contains {', '.join(map(repr, bad))}, not allowed; "
                                 f"allowed values: {', '.join(self.allowed)}")
        if self.range is not None and value not in self.range:
            raise ValueError(f"{notebook}: {self.name}={value!r} is out of range; allowed range: {self.range}")
        if self.each_range is not None:
            bad = [v for v in value if not isinstance(v, int | float) or v not in self.each_range]
            if bad:
                raise ValueError(f"{notebook}: {self.name} contains {', '.join(map(repr, bad))}, out of range; "
                                 f"allowed range for each: {self.each_range}")
        return value


def _resolve(choices: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for choice in choices:
        if choice.startswith("{") and choice.endswith("}"):
            name, known = choice[1:-1], registries()
            if name not in known:
                raise ValueError(f"unknown registry {choice}; known: {', '.join(known)}")
            out.extend(known[name]())
        else:
            out.append(choice)
    return tuple(out)


def parse_literal(text: str) -> Any:
    """A Python literal (``5e-4``, ``[0.5, 0.75]``, ``True``), else a YAML scalar (``true``),
    else the text itself."""
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_help(name: str, type_name: str, default: Any, comment: str) -> Parameter:
    """A :class:`Parameter` from its parameters-cell comment (see the module docstring)."""
    help_parts, constraints = [], {}
    for part in (p.strip() for p in comment.split(";")):
        for key in ("each one of:", "one of:", "each in range:", "range:"):
            if part.startswith(key):
                constraints[key] = part[len(key):].strip()
                break
        else:
            if part:
                help_parts.append(part)

    def choices(key: str) -> tuple[str, ...]:
        return tuple(c.strip() for c in constraints[key].split(",")) if key in constraints else ()

    def interval(key: str) -> Range | None:
        return Range.parse(constraints[key]) if key in constraints else None

    return Parameter(name, type_name, default, "; ".join(help_parts), choices("one of:"), choices("each one of:"),
                     interval("range:"), interval("each in range:"))


def notebook_path(notebook: str) -> Path:
    """``notebooks/<notebook>.py``; ``notebook`` is a plain name (no path). Raises ``ValueError``
    listing the notebooks."""
    path = paths.notebooks_dir() / f"{notebook}.py"
    if not re.fullmatch(r"[A-Za-z0-9_]+", notebook) or not path.exists():
        raise ValueError(f"notebook={notebook!r} does not exist; allowed values: {', '.join(list_notebooks())}")
    return path


def list_notebooks() -> list[str]:
    """Names of the notebooks under ``notebooks/``."""
    return sorted(p.stem for p in paths.notebooks_dir().glob("*.py"))


@functools.cache
def _inspect(path: Path, mtime: float) -> dict[str, Parameter]:
    import jupytext
    import papermill as pm

    raw = pm.inspect_notebook(jupytext.read(path))
    spec = {}
    for name, info in raw.items():
        default = parse_literal(info["default"]) if info["default"] else None
        type_name = (info["inferred_type_name"] or "None").split("[")[0]
        spec[name] = parse_help(name, type_name, default, info["help"] or "")
    return spec


def notebook_parameters(notebook: str) -> dict[str, Parameter]:
    """The parameters declared in the ``parameters`` cell of ``notebooks/<notebook>.py``."""
    path = notebook_path(notebook)
    return _inspect(path, path.stat().st_mtime)


def default_parameters(notebook: str) -> dict[str, Any]:
    """``{name: default}`` of every parameter of ``notebook``."""
    return {name: p.default for name, p in notebook_parameters(notebook).items()}


def validate(notebook: str, values: dict[str, Any]) -> dict[str, Any]:
    """Check names, types, allowed values and ranges of ``values`` against the notebook's
    contract; return them coerced. Raises ``ValueError`` naming the parameter."""
    spec = notebook_parameters(notebook)
    checked = {}
    for name, value in values.items():
        if name not in spec:
            raise ValueError(f"{notebook}: unknown parameter {name!r}; allowed parameters: {', '.join(spec)}")
        checked[name] = spec[name].coerce(value, notebook)
    return checked


def check_combination(notebook: str, params: dict[str, Any]) -> None:
    """Check what single-parameter constraints cannot (e.g. DUET's ``equi_tx`` must be one of
    ``tx``) on a full parameter set, before anything runs: the check the notebook's paper
    declares, which raises ``ValueError`` naming the parameter."""
    check = check_of(notebook)
    if check is not None:
        check(params)
