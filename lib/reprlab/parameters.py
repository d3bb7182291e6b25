"""A notebook's parameter contract, read from its ``parameters`` cell: names, types, defaults,
help text and (from ``# one of: a, b, c`` in the help) the allowed values. Used both by the runner
(to validate before executing) and by notebooks (to collect their own parameters)."""

import ast
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reprlab import paths

_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "list": list, "dict": dict}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()

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
        if self.choices and str(value) not in self.choices:
            raise ValueError(f"{notebook}: {self.name}={value!r} is not allowed; allowed values: "
                             f"{', '.join(self.choices)}")
        return value


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


def notebook_path(notebook: str) -> Path:
    """``notebooks/<notebook>.py``; raises ``ValueError`` listing the notebooks."""
    path = paths.notebooks_dir() / f"{Path(notebook).stem}.py"
    if not path.exists():
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
        help_text = info["help"] or ""
        choices: tuple[str, ...] = ()
        if "one of:" in help_text:
            choices = tuple(c.strip() for c in help_text.split("one of:", 1)[1].split(";")[0].split(","))
        default = parse_literal(info["default"]) if info["default"] else None
        spec[name] = Parameter(name, (info["inferred_type_name"] or "None").split("[")[0], default, help_text,
                               choices)
    return spec


def notebook_parameters(notebook: str) -> dict[str, Parameter]:
    """The parameters declared in the ``parameters`` cell of ``notebooks/<notebook>.py``."""
    path = notebook_path(notebook)
    return _inspect(path, path.stat().st_mtime)


def validate(notebook: str, values: dict[str, Any]) -> dict[str, Any]:
    """Check names and types of ``values`` against the notebook's contract; return them coerced."""
    spec = notebook_parameters(notebook)
    checked = {}
    for name, value in values.items():
        if name not in spec:
            raise ValueError(f"{notebook}: unknown parameter {name!r}; allowed parameters: {', '.join(spec)}")
        checked[name] = spec[name].coerce(value, notebook)
    return checked
