"""The papers the workbench receives: each is one :class:`Paper` (its title, claims, notebooks,
the runs its notebooks start, the registries of allowed values it contributes, and the checks of
parameter combinations), and the workbench imports none of them by name.

A package contributes papers through the entry-point group ``reprlab.papers`` (reprlab's own:
``reprlab.papers.workbook:PAPERS``, declared in ``pyproject.toml``); an entry point names a
sequence of :class:`Paper`. reprlab's papers come first, in their listed order (the scorecard's
and the report's), then other packages' by entry-point name.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from reprlab.workbench.claims import Claim

ENTRY_POINT_GROUP = "reprlab.papers"
#: ``sweep(resolved parameters, profile) -> [RunSpec, ...]``: the runs a notebook starts
Sweep = Callable[[dict[str, Any], str], list[Any]]
#: ``check(resolved parameters)``: raises ``ValueError`` naming the parameter of a bad combination
Check = Callable[[dict[str, Any]], object]


@dataclass(frozen=True)
class Paper:
    """One paper of the workbook.

    ``name`` its package name; ``notebooks`` in the order a reader follows them; ``sweeps``
    ``{notebook: Sweep}``; ``registries`` ``{name: () -> allowed values}`` that a parameter names
    as ``one of: {name}``; ``checks`` ``{notebook: Check}`` for what single-parameter constraints
    cannot say (DUET's ``equi_tx`` must be one of ``tx``); ``models`` ``{notebook: loader}`` for
    the notebooks that train a model, ``loader(run_dir, parameters, test images) ->``
    :class:`~reprlab.models.trained.TrainedModel`. Claim ids are unique (checked)."""

    name: str
    title: str
    claims: tuple[Claim, ...]
    notebooks: tuple[str, ...] = ()
    sweeps: Mapping[str, Sweep] = field(default_factory=dict)
    registries: Mapping[str, Callable[[], Sequence[str]]] = field(default_factory=dict)
    checks: Mapping[str, Check] = field(default_factory=dict)
    models: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = [c.id for c in self.claims]
        if len(ids) != len(set(ids)):
            raise ValueError(f"paper {self.name!r} declares a claim id twice: {ids}")
        strays = sorted((set(self.sweeps) | set(self.checks) | set(self.models)) - set(self.notebooks))
        if strays:
            raise ValueError(f"paper {self.name!r} has sweeps, checks or models for notebooks it does not list: "
                             f"{strays}")


@cache
def installed_papers() -> tuple[Paper, ...]:
    """Every paper of every installed package (entry-point group ``reprlab.papers``), reprlab's
    first. Raises ``RuntimeError`` when none is installed, and ``ValueError`` when two papers share
    a name or two packages contribute the same registry."""
    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name != "reprlab", ep.name))
    if not found:
        raise RuntimeError(f"no papers are installed (entry-point group {ENTRY_POINT_GROUP!r}); "
                           "install reprlab with `pip install -e .` (make does it)")
    papers = tuple(paper for ep in found for paper in ep.load())
    check_papers(papers)
    return papers


def check_papers(papers: Sequence[Paper]) -> None:
    """Raise ``ValueError`` when two papers share a name, a notebook or a registry."""
    for what, keys in (("name", lambda p: [p.name]), ("notebook", lambda p: p.notebooks),
                       ("registry", lambda p: list(p.registries))):
        seen: dict[str, str] = {}
        for paper in papers:
            for key in keys(paper):
                if key in seen:
                    raise ValueError(f"papers {seen[key]!r} and {paper.name!r} both declare the {what} {key!r}")
                seen[key] = paper.name


def paper_registries() -> dict[str, Callable[[], Sequence[str]]]:
    """``{registry name: () -> allowed values}`` over every installed paper."""
    return {name: values for paper in installed_papers() for name, values in paper.registries.items()}


def sweep_of(notebook: str) -> Sweep | None:
    """The sweep a paper declares for ``notebook`` (None: it starts no runs)."""
    return next((p.sweeps[notebook] for p in installed_papers() if notebook in p.sweeps), None)


def check_of(notebook: str) -> Check | None:
    """The combination check a paper declares for ``notebook`` (None: there is none)."""
    return next((p.checks[notebook] for p in installed_papers() if notebook in p.checks), None)


def paper_of(notebook: str) -> Paper | None:
    """The paper that lists ``notebook`` (None: a notebook of no paper, e.g. the classifier)."""
    return next((p for p in installed_papers() if notebook in p.notebooks), None)
