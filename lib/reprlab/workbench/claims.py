"""Claims as data, and the scorecard that decides them.

Each paper declares its claims once (:class:`~reprlab.workbench.papers.Paper`'s ``claims``): a
sentence, the notebook whose ``metrics.json`` it reads, the rule that decides it, the paper's own
value where one is known, the profiles it applies to and the figure that shows it.
:func:`score` decides every claim from run directories alone: it reads ``metrics.json`` and never
recomputes, so a verdict can be checked by opening the run it links to.
"""

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

HOLDS, FAILS, NOT_RUN, NOT_MEASURED = "holds", "does not hold", "not run yet", "not measured"
REHEARSED = "rehearsed (not a result)"  # a CPU rehearsal's run: capped, on fixture data
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
_SHOWN_OP = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


class MissingMetric(KeyError):
    """A key the rule reads is not in the run's ``metrics.json`` (an older run, or a profile that
    does not measure it)."""


def lookup(metrics: dict[str, Any], path: str) -> Any:
    """The value at ``path`` ("models/duet/knn_accuracy": keys joined by "/") in ``metrics``."""
    value: Any = metrics
    for part in path.split("/"):
        if not isinstance(value, dict) or part not in value:
            raise MissingMetric(path)
        value = value[part]
    return value


def series(value: Any, path: str) -> list[tuple[str, float]]:
    """A list (index order) or a mapping with numeric keys (numeric order, e.g. radii or label-noise
    probabilities) as ``[(key, value), ...]``."""
    if isinstance(value, list):
        return [(str(i), float(v)) for i, v in enumerate(value)]
    if isinstance(value, dict):
        try:
            return sorted(((k, float(v)) for k, v in value.items()), key=lambda kv: float(kv[0]))
        except (TypeError, ValueError) as err:
            raise MissingMetric(f"{path} (not a series with numeric keys: {err})") from None
    raise MissingMetric(f"{path} (not a list or mapping)")


class NotANumber(MissingMetric):
    """The key is there but holds no number (NaN: e.g. a correlation of a constant metric)."""


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise NotANumber(f"{path} (not a number: {value!r})")
    return float(value)


# ---------------------------------------------------------------------------------------------
# operands: what a rule compares


@dataclass(frozen=True)
class Key:
    """One number in ``metrics.json``. With ``pick="first"`` or ``"last"`` the path is a series
    (see :func:`series`) and its first or last entry is taken (e.g. the smallest radius)."""

    path: str
    pick: str | None = None
    label: str = ""

    def read(self, metrics: dict[str, Any]) -> float:
        value = lookup(metrics, self.path)
        if self.pick is not None:
            entries = series(value, self.path)
            if not entries:
                raise MissingMetric(f"{self.path} (empty)")
            value = entries[0 if self.pick == "first" else -1][1]
        return _number(value, self.path)

    @property
    def text(self) -> str:
        return self.label or (f"{self.path} ({self.pick})" if self.pick else self.path)


@dataclass(frozen=True)
class Reduce:
    """``min``, ``max`` or ``mean`` of the entries ``names`` of the mapping at ``path`` that the
    run has (at least one must be there)."""

    how: str
    path: str
    names: tuple[str, ...]
    label: str = ""

    def read(self, metrics: dict[str, Any]) -> float:
        mapping = lookup(metrics, self.path)
        present = [n for n in self.names if isinstance(mapping, dict) and n in mapping]
        values = [_number(mapping[n], f"{self.path}/{n}") for n in present]
        if not values:
            raise MissingMetric(f"{self.path}/{{{','.join(self.names)}}}")
        return {"min": min, "max": max, "mean": lambda v: sum(v) / len(v)}[self.how](values)

    @property
    def text(self) -> str:
        return self.label or f"{self.how} of {self.path} over {', '.join(self.names)}"


class Operand(Protocol):
    text: str

    def read(self, metrics: dict[str, Any]) -> float: ...


# ---------------------------------------------------------------------------------------------
# rules: how a claim is decided


@dataclass(frozen=True)
class Outcome:
    """A decided rule: whether it holds, the numbers it read in one line, and those numbers."""

    holds: bool
    measured: str
    values: dict[str, float]


@dataclass(frozen=True)
class Compare:
    """``a op b + margin`` with ``op`` one of > ≥ < ≤; ``b`` an operand or a number, ``margin``
    in the values' own units (0.02 of an accuracy is 2 points)."""

    a: Operand
    op: str
    b: Operand | float = 0.0
    margin: float = 0.0

    def decide(self, metrics: dict[str, Any], show: Callable[[float], str], delta: Callable[[float], str]) -> Outcome:
        a = self.a.read(metrics)
        b = self.b if isinstance(self.b, int | float) else self.b.read(metrics)
        holds = _OPS[self.op](a, b + self.margin)
        if isinstance(self.b, int | float):
            return Outcome(holds, show(a), {self.a.text: a})
        return Outcome(holds, f"{show(a)} vs {show(b)} ({delta(a - b)})", {self.a.text: a, self.b.text: b})

    def text(self, delta: Callable[[float], str]) -> str:
        right = f"{self.b:g}" if isinstance(self.b, int | float) else self.b.text
        margin = f" {'+' if self.margin > 0 else '−'} {delta(abs(self.margin)).lstrip('+')}" if self.margin else ""
        return f"{self.a.text} {_SHOWN_OP[self.op]} {right}{margin}"


@dataclass(frozen=True)
class Trend:
    """The series at ``path`` (epochs, radii, probabilities) ends above (``rises``) or below
    (``falls``) where it starts, after skipping ``start`` entries."""

    path: str
    direction: str
    start: int = 0

    def decide(self, metrics: dict[str, Any], show: Callable[[float], str], delta: Callable[[float], str]) -> Outcome:
        entries = series(lookup(metrics, self.path), self.path)[self.start:]
        if len(entries) < 2:
            raise MissingMetric(f"{self.path} (fewer than 2 entries)")
        (k0, first), (k1, last) = entries[0], entries[-1]
        holds = last > first if self.direction == "rises" else last < first
        return Outcome(holds, f"{show(first)} → {show(last)} ({k0} → {k1}: {delta(last - first)})",
                       {f"{self.path}/{k0}": first, f"{self.path}/{k1}": last})

    def text(self, delta: Callable[[float], str]) -> str:
        skip = f" from entry {self.start}" if self.start else ""
        return f"{self.path} {self.direction} (last vs first{skip})"


@dataclass(frozen=True)
class Ordering:
    """``operands[0] > operands[1] > ...``, strictly."""

    operands: tuple[Operand, ...]

    def decide(self, metrics: dict[str, Any], show: Callable[[float], str], delta: Callable[[float], str]) -> Outcome:
        values = [o.read(metrics) for o in self.operands]
        holds = all(x > y for x, y in itertools.pairwise(values))
        return Outcome(holds, " > ".join(show(v) for v in values) if holds else ", ".join(show(v) for v in values),
                       {o.text: v for o, v in zip(self.operands, values, strict=True)})

    def text(self, delta: Callable[[float], str]) -> str:
        return " > ".join(o.text for o in self.operands)


@dataclass(frozen=True)
class Pointwise:
    """``a[k] op b[k]`` at every key ``k`` of the mapping at ``a`` (e.g. every radius); ``b`` is
    a second mapping with the same keys, or a number."""

    a: str
    op: str
    b: str | float = 0.0

    def decide(self, metrics: dict[str, Any], show: Callable[[float], str], delta: Callable[[float], str]) -> Outcome:
        left = dict(series(lookup(metrics, self.a), self.a))
        right = (dict.fromkeys(left, float(self.b)) if isinstance(self.b, int | float)
                 else dict(series(lookup(metrics, self.b), self.b)))
        if not left or set(left) != set(right):
            raise MissingMetric(f"{self.a} and {self.b} (different keys)")
        diffs = {k: left[k] - right[k] for k in left}
        passed = [k for k in left if _OPS[self.op](left[k], right[k])]
        worst = min(diffs, key=diffs.get) if self.op in (">", ">=") else max(diffs, key=diffs.get)
        measured = f"{len(passed)} of {len(left)} (worst at {worst}: {delta(diffs[worst])})"
        return Outcome(len(passed) == len(left), measured, {f"{self.a}/{k}": v for k, v in left.items()})

    def text(self, delta: Callable[[float], str]) -> str:
        right = f"{self.b:g}" if isinstance(self.b, int | float) else self.b
        return f"{self.a} {_SHOWN_OP[self.op]} {right} at every entry"


@dataclass(frozen=True)
class Near:
    """``|a − target| ≤ tolerance``: a measured value against the paper's own number."""

    a: Operand
    target: float
    tolerance: float

    def decide(self, metrics: dict[str, Any], show: Callable[[float], str], delta: Callable[[float], str]) -> Outcome:
        a = self.a.read(metrics)
        return Outcome(abs(a - self.target) <= self.tolerance,
                       f"{show(a)} vs {show(self.target)} ({delta(a - self.target)})", {self.a.text: a})

    def text(self, delta: Callable[[float], str]) -> str:
        return f"|{self.a.text} − {self.target:g}| ≤ {delta(self.tolerance).lstrip('+')}"


class Rule(Protocol):
    def decide(self, metrics: dict[str, Any], show: Callable[[float], str],
               delta: Callable[[float], str]) -> Outcome: ...

    def text(self, delta: Callable[[float], str]) -> str: ...


# ---------------------------------------------------------------------------------------------
# claims


@dataclass(frozen=True)
class Claim:
    """One claim of a paper. ``unit="%"`` shows fractions as percentages and their differences in
    points; ``""`` shows plain numbers. ``profiles``: where the claim is expected to be measured
    (a profile not listed shows "n/a"). ``figure``: the stem of the run's figure that shows it."""

    id: str
    sentence: str
    notebook: str
    rule: Rule
    paper_value: str = ""
    profiles: tuple[str, ...] = ("quick", "paper")
    figure: str = ""
    unit: str = "%"

    def show(self, value: float) -> str:
        return f"{100 * value:.1f} %" if self.unit == "%" else f"{value:.4g}"

    def delta(self, value: float) -> str:
        return f"{100 * value:+.1f} pts" if self.unit == "%" else f"{value:+.3g}"

    @property
    def rule_text(self) -> str:
        return self.rule.text(self.delta)

    def decide(self, metrics: dict[str, Any]) -> Outcome:
        return self.rule.decide(metrics, self.show, self.delta)


# ---------------------------------------------------------------------------------------------
# the scorecard


class RunLike(Protocol):
    """What the scorecard needs of a completed run (``reprlab.workbench.report.RunEntry``)."""

    name: str
    directory: Path
    status: dict[str, Any]
    metrics: dict[str, Any]


class PaperLike(Protocol):
    """What the scorecard needs of a paper (:class:`reprlab.workbench.papers.Paper`)."""

    name: str
    title: str
    claims: tuple[Claim, ...]


@dataclass
class Result:
    """One claim under one profile: verdict, the numbers in one line, and the run it read."""

    verdict: str
    measured: str = ""
    values: dict[str, float] = field(default_factory=dict)
    run: RunLike | None = None

    def as_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "measured": self.measured, "values": self.values,
                "run": str(self.run.directory) if self.run is not None else None}


@dataclass
class Row:
    """One scorecard row: a claim and its result under each profile it applies to."""

    paper: PaperLike
    claim: Claim
    results: dict[str, Result]

    @property
    def id(self) -> str:
        return f"{self.paper.name}.{self.claim.id}"

    def as_json(self) -> dict[str, Any]:
        c = self.claim
        return {"id": self.id, "paper": self.paper.title, "claim": c.sentence, "notebook": c.notebook,
                "rule": c.rule_text, "paper_value": c.paper_value, "figure": c.figure,
                "results": {p: r.as_json() for p, r in self.results.items()}}


def latest_run(runs: dict[str, Sequence[RunLike]], notebook: str, profile: str) -> RunLike | None:
    """The run a verdict reads: the first of ``runs[notebook]`` (ordered as
    :func:`reprlab.workbench.report.find_runs` orders them: started directly first, newest first)
    made under ``profile``."""
    return next((r for r in runs.get(notebook, ()) if r.status.get("profile") == profile), None)


def decide(claim: Claim, run: RunLike | None) -> Result:
    """The claim's verdict from one completed run (None: not run yet)."""
    if run is None:
        return Result(NOT_RUN)
    rehearsed = Result(REHEARSED, "every metric it reads was written (values from a capped run on fixture data)",
                       run=run)
    try:
        outcome = claim.decide(run.metrics)
    except NotANumber as err:
        return rehearsed if run.status.get("rehearsal") else Result(NOT_MEASURED, f"metrics.json has {err.args[0]}",
                                                                     run=run)
    except MissingMetric as err:
        return Result(NOT_MEASURED, f"metrics.json has no {err.args[0]}", run=run)
    if run.status.get("rehearsal"):  # every metric the claim reads is there; its values mean nothing
        return rehearsed
    return Result(HOLDS if outcome.holds else FAILS, outcome.measured, outcome.values, run)


def score(runs: dict[str, Sequence[RunLike]], papers: Sequence[PaperLike],
          profiles: Sequence[str] | None = None) -> list[Row]:
    """Every claim of ``papers`` (:func:`reprlab.workbench.papers.installed_papers`) under each of
    its profiles (restricted to ``profiles`` when given), decided from ``runs`` (notebook ->
    completed runs)."""
    rows = []
    for paper in papers:
        for claim in paper.claims:
            wanted = [p for p in claim.profiles if profiles is None or p in profiles]
            results = {p: decide(claim, latest_run(runs, claim.notebook, p)) for p in wanted}
            for profile, result in results.items():
                if result.verdict == NOT_RUN:
                    result.measured = why_not_run(runs, claim.notebook, profile)
            rows.append(Row(paper, claim, results))
    return rows


def why_not_run(runs: dict[str, Sequence[RunLike]], notebook: str, profile: str) -> str:
    """Why a claim on ``notebook`` has no verdict under ``profile``, and the command that gives it one."""
    command = f"python -m reprlab run {notebook} --profile {profile}"
    made = sorted({str(r.status.get("profile")) for r in runs.get(notebook, ())})
    if not made:
        return f"no completed run of {notebook}: {command}"
    return f"{notebook} has runs only under {', '.join(made)}, which do not decide {profile} claims: {command}"


def profiles_of(rows: list[Row]) -> list[str]:
    """The profiles the rows have results for, in first-seen order (quick, paper, ...)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row.results))
    return list(seen)


def tally(rows: list[Row], profile: str) -> dict[str, int]:
    """How many claims hold, do not hold, are not run yet, not measured or rehearsed under ``profile``."""
    counts = dict.fromkeys((HOLDS, FAILS, NOT_RUN, NOT_MEASURED, REHEARSED), 0)
    for row in rows:
        if profile in row.results:
            counts[row.results[profile].verdict] += 1
    return counts


def format_table(rows: list[Row], described: dict[str, str] | None = None) -> str:
    """The scorecard for a terminal: a tally per profile (with its description from ``described``),
    then per paper one line per claim and profile."""
    lines = []
    for profile in profiles_of(rows):
        counts = tally(rows, profile)
        about = f" — {described[profile]}" if described and described.get(profile) else ""
        lines.append(f"{profile}: " + ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n) + about)
    paper = None
    for row in rows:
        if row.paper is not paper:
            paper = row.paper
            lines += ["", f"== {paper.title}"]
        lines.append(f"{row.id}: {row.claim.sentence}")
        for profile, result in row.results.items():
            measured = f"  {result.measured}" if result.measured else ""
            lines.append(f"    {profile:<14}{result.verdict:<15}{measured}")
        if not row.results:
            lines.append(f"    {'n/a':<14}measured under {', '.join(row.claim.profiles)}")
        if row.claim.paper_value:
            lines.append(f"    {'paper value':<14}{row.claim.paper_value}")
    return "\n".join(lines)
