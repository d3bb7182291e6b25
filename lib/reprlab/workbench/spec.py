"""What a run is, before anything executes: profiles (``notebooks/profiles/<profile>.yaml``,
notebook names to parameter values, plus the sections of :data:`PROFILE_SECTIONS`), a notebook's
parameters resolved under a profile and overrides (defaults, then the profile, then the
overrides; every value checked), and :class:`RunSpec`, one run as data."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reprlab import paths, rehearsal
from reprlab.workbench.parameters import (
    check_combination,
    default_parameters,
    list_notebooks,
    notebook_path,
    validate,
)
from reprlab.workbench.rundir import run_dir_for


def list_profiles() -> list[str]:
    return sorted(p.stem for p in (paths.notebooks_dir() / "profiles").glob("*.yaml"))


def profile_description(profile: str) -> str:
    """The first comment line of the profile's YAML file (what it is for, at which scale)."""
    path = paths.notebooks_dir() / "profiles" / f"{profile}.yaml"
    lines = path.read_text().splitlines() if path.exists() else []
    first = next((line.lstrip("# ").strip() for line in lines if line.startswith("#")), "")
    return first.removeprefix(f"{profile}:").strip()


#: Profile sections that are no notebook: the resources of SLURM jobs (see ``slurm.SlurmOptions``),
#: measured minutes per run, and what a CPU rehearsal caps and cuts (see ``reprlab.workbench.rehearse``).
PROFILE_SECTIONS = ("slurm", "minutes", "rehearsal")


def load_profile(profile: str) -> dict[str, dict[str, Any]]:
    """``{notebook: {parameter: value}}`` of profile ``profile``, in file order. Every key must be a
    notebook (or a section of :data:`PROFILE_SECTIONS`, read by :func:`profile_section`); an empty
    section (``notebook: {}``) explicitly runs that notebook's defaults."""
    content = _profile_content(profile)
    return {nb: dict(values or {}) for nb, values in content.items() if nb not in PROFILE_SECTIONS}


def profile_section(profile: str, section: str) -> dict[str, Any]:
    """The profile's ``section`` (one of :data:`PROFILE_SECTIONS`), ``{}`` when it has none."""
    return dict(_profile_content(profile).get(section) or {})


def expected_minutes(profile: str) -> dict[str, float]:
    """The profile's ``minutes`` section: ``{notebook: minutes}`` one run of that notebook takes on
    one CPU thread (measured; the local pool's workers get one thread each). Executors start first
    the runs that the longest chain, in these minutes, waits for; a notebook not listed counts 1.
    In a rehearsal, the ``minutes`` of the profile's ``rehearsal:`` section (one rehearsed run)."""
    rehearsing = rehearsal.caps() is not None
    where = "rehearsal.minutes" if rehearsing else "minutes"
    minutes = (dict(profile_section(profile, "rehearsal").get("minutes") or {}) if rehearsing
               else profile_section(profile, "minutes"))
    for notebook, value in minutes.items():
        if notebook not in list_notebooks():
            raise ValueError(f"profile={profile!r}: {where} names {notebook!r}, which is no notebook; "
                             f"notebooks: {', '.join(list_notebooks())}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"profile={profile!r}: {where}.{notebook}={value!r} is out of range; "
                             "allowed range: (0, inf)")
    return {notebook: float(value) for notebook, value in minutes.items()}


def _profile_content(profile: str) -> dict[str, Any]:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", profile):
        raise ValueError(f"profile={profile!r} is not a profile name; allowed values: {', '.join(list_profiles())}")
    path = paths.notebooks_dir() / "profiles" / f"{profile}.yaml"
    if not path.exists():
        raise ValueError(f"profile={profile!r} does not exist; allowed values: {', '.join(list_profiles())}")
    try:
        content = yaml.load(path.read_text(), Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as err:
        raise ValueError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(content, dict) or not all(isinstance(v, dict | None) for v in content.values()):
        raise ValueError(f"{path} must map notebook names to parameter mappings")
    unknown = [name for name in content if name not in list_notebooks() and name not in PROFILE_SECTIONS]
    if unknown:
        raise ValueError(f"{path} names {', '.join(map(repr, unknown))}, which is no notebook; "
                         f"notebooks: {', '.join(list_notebooks())}")
    return content


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (plain YAML keeps the last: a
    second ``train_classifier:`` section would silently replace the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is given twice (lines {seen[key]} and {line}); keep one", key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["epochs=3", "lr=0.1"]`` -> ``{"epochs": "3", "lr": "0.1"}`` (typed later by validation)."""
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"-p {pair!r}: expected key=value")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def resolve_parameters(notebook: str, profile: str, overrides: dict[str, Any] | None = None, *,
                       check: bool = True) -> dict[str, Any]:
    """Notebook defaults, then the profile's values, then ``overrides``; all validated, and their
    combination checked unless ``check=False`` (to read a set that is still to be completed).
    The profile must name the notebook (a section of ``{}`` runs its defaults on purpose)."""
    notebook_path(notebook)
    sections = load_profile(profile)
    if notebook not in sections:
        raise ValueError(f"profile={profile!r} has no section for {notebook}; it names "
                         f"{', '.join(sections) or 'no notebook'} (add `{notebook}: {{}}` to run its defaults)")
    section = sections[notebook]
    values = {**validate(notebook, section), **validate(notebook, overrides or {})}
    resolved = {**default_parameters(notebook), **values}
    if check:
        check_combination(notebook, resolved)
    return resolved


@dataclass(frozen=True)
class RunSpec:
    """One run as data: ``notebook`` under ``profile`` with ``overrides`` (validated when resolved).
    Sweeps are lists of these; an executor runs them (see :mod:`reprlab.workbench.executors`)."""

    notebook: str
    profile: str
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self) -> tuple[dict[str, Any], Path]:
        """(every parameter of the run, its run directory), without executing anything."""
        params = resolve_parameters(self.notebook, self.profile, dict(self.overrides))
        return params, run_dir_for(self.notebook, self.profile, params)

    def describe(self) -> str:
        """``notebook[profile] key=value ...``: one line for progress messages, with the overrides
        that differ from the profile's values."""
        try:
            profile_values = resolve_parameters(self.notebook, self.profile, check=False)
            shown = {k: v for k, v in validate(self.notebook, dict(self.overrides)).items()
                     if profile_values.get(k) != v}
        except ValueError:
            shown = dict(self.overrides)
        return f"{self.notebook}[{self.profile}] {' '.join(f'{k}={v}' for k, v in shown.items())}".rstrip()

    def to_json(self) -> dict[str, Any]:
        return {"notebook": self.notebook, "profile": self.profile, "overrides": dict(self.overrides)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RunSpec":
        return cls(data["notebook"], data["profile"], data.get("overrides") or {})
