"""Static HTML report, readable offline: every completed run's executed notebook rendered with
nbconvert (code hidden, parameter cells dropped, a link back) and ``index.html``, which opens with a
table of contents and the reproduction scorecard (every paper's claims, decided from the runs'
``metrics.json``; also ``claims.json``), then per paper, in the papers' order, one entry per
experiment: its leading run's metrics and figures, every run side by side, and its claims beside
the paper's values. Smoke and interactive runs are listed as wiring only."""

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from reprlab.io import atomic_write, read_json, write_json
from reprlab.workbench import claims
from reprlab.workbench.papers import Paper, installed_papers
from reprlab.workbench.rundir import COMPLETED, INTERACTIVE
from reprlab.workbench.spec import profile_description


@dataclass
class RunEntry:
    notebook: str
    name: str
    directory: Path
    status: dict[str, Any]
    metrics: dict[str, Any]
    html: str = ""
    figures: tuple[str, ...] = ()

    @property
    def wiring_only(self) -> bool:
        """A smoke or interactive run: it shows the notebook works, not what the paper measures."""
        return self.status.get("profile") in WIRING_ONLY

    @property
    def scalar_metrics(self) -> dict[str, str]:
        """Every metric as text, nested ones flattened (``per_eps.fgsm.0.03``): accuracies in
        percent, as the figures show them; a short list of numbers in full, a long one summarised.
        ``tables`` (shown as tables, :attr:`tables`) is left out."""
        shown = {k: v for k, v in self.metrics.items() if k != TABLES}
        return {key: _show(key, value) for key, value in _flatten(shown).items()}

    @property
    def tables(self) -> dict[str, tuple[list[str], dict[str, list[str]]]]:
        """The run's metric ``tables`` (``{title: {row: {column: value}}}``), each as (columns,
        ``{row: cells as text}``), the columns in first-seen order."""
        out = {}
        for title, rows in (self.metrics.get(TABLES) or {}).items():
            columns = list(dict.fromkeys(column for cells in rows.values() for column in cells))
            out[title] = (columns, {row: [_show(column, cells[column]) if column in cells else ""
                                          for column in columns] for row, cells in rows.items()})
        return out

    def figure(self, stem: str) -> str:
        """The report-relative path of this run's figure ``stem`` (PNG), or "" if it has none."""
        return next((f for f in self.figures if Path(f).stem == stem), "")

    def differing(self, others: list["RunEntry"]) -> dict[str, Any]:
        """This run's parameters that differ between ``others`` (all runs of its notebook)."""
        mine = self.status.get("parameters", {})
        return {k: v for k, v in mine.items() if k not in ("run_dir", "progress", "fresh")
                and any(o.status.get("parameters", {}).get(k) != v for o in others)}


#: The metric a notebook writes tables under, shown as tables (``{title: {row: {column: value}}}``).
TABLES = "tables"
#: Profiles whose runs check the wiring, not the science (listed, never picked as an experiment's result).
WIRING_ONLY = ("smoke", "interactive")


def _flatten(metrics: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, bool) or isinstance(value, int | float | str) or _numbers(value):
            out[name] = value
        elif isinstance(value, list):
            out[name] = f"{len(value)} entries (see metrics.json)"
    return out


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value)


def _show(key: str, value: Any) -> str:
    percent = "accuracy" in key.lower()
    if isinstance(value, str | bool):
        return str(value)
    if _numbers(value):
        shown = [_show(key, v) for v in value]
        return ", ".join(shown) if len(shown) <= 12 else f"{len(shown)} values: {shown[0]} … {shown[-1]}"
    if isinstance(value, float) and percent and 0 <= value <= 1:
        return f"{100 * value:.2f} %"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def find_runs(runs_dir: Path, warn: Callable[[str], None] = print) -> dict[str, list[RunEntry]]:
    """Completed runs per notebook: runs started directly first, then runs another notebook
    started (e.g. a sweep's points), each newest first, wiring-only runs (:data:`WIRING_ONLY`) after
    the others of their kind. Directories moved aside (``~``) are skipped;
    a run with a damaged ``status.json`` or ``metrics.json`` is skipped with a warning naming it."""
    found: dict[str, list[RunEntry]] = {}
    for status_path in sorted(runs_dir.glob("*/*/status.json")):
        directory = status_path.parent
        if "~" in directory.name:
            continue
        try:
            status = read_json(status_path)
            # finished batch runs, and interactive runs that wrote their metrics
            if status.get("status") != COMPLETED and not (status.get("status") == INTERACTIVE
                                                            and (directory / "metrics.json").exists()):
                continue
            metrics_path = directory / "metrics.json"
            metrics = read_json(metrics_path) if metrics_path.exists() else {}
            if not isinstance(metrics, dict):
                raise ValueError("metrics.json is not a mapping")
        except (ValueError, OSError, AttributeError) as err:
            warn(f"warning: skipping {directory}: {err}")
            continue
        found.setdefault(directory.parent.name, []).append(
            RunEntry(directory.parent.name, directory.name, directory, status, metrics))
    for entries in found.values():
        entries.sort(key=lambda e: e.status.get("finished") or e.status.get("started", ""), reverse=True)
        entries.sort(key=lambda e: (bool(e.status.get("parent")), e.wiring_only))
    return dict(sorted(found.items()))


def render_notebook(ipynb: Path, out_html: Path, title: str = "", back: str = "../index.html") -> None:
    """Render an executed notebook to standalone HTML without code cells or parameter cells,
    titled ``title``, with a link to ``back`` (the report's index), loading nothing from the
    network (:file:`report_notebook.html.j2`)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(ipynb, as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            template_file=str(Path(__file__).parent / "report_notebook.html.j2"))
    remove = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "no-report"})
    exporter.register_preprocessor(remove, enabled=True)
    title = title or ipynb.stem
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title},
                                                               "reprlab": {"back": back, "heading": title}})
    atomic_write(out_html, lambda p: p.write_text(body))


@dataclass
class Section:
    """A part of the report: a paper (or the baseline) with its experiments that have runs."""

    anchor: str
    title: str
    notebooks: list[str]


def sections(runs: dict[str, list[RunEntry]], papers: Sequence[Paper]) -> list[Section]:
    """The report's order: the baseline experiments (notebooks no paper names) first, then each
    paper with its notebooks in its own order; only notebooks that have runs."""
    claimed = {nb for paper in papers for nb in paper.notebooks}
    out = [Section("paper-baseline", "Baseline", [nb for nb in runs if nb not in claimed])]
    out += [Section(f"paper-{paper.name}", paper.title, [nb for nb in paper.notebooks if nb in runs])
            for paper in papers]
    return [section for section in out if section.notebooks]


def headline(entries: list[RunEntry], limit: int = 6) -> list[str]:
    """The metrics an experiment's runs table shows side by side: the first ``limit`` single
    numbers of its leading run (timings left out)."""
    keys = [k for k, v in _flatten({k: v for k, v in entries[0].metrics.items() if k != TABLES}).items()
            if isinstance(v, int | float) and not isinstance(v, bool) and "seconds" not in k]
    return keys[:limit]


def build_report(runs_dir: Path, out_dir: Path, warn: Callable[[str], None] = print) -> Path:
    """Render every completed run under ``runs_dir`` into ``out_dir``; return ``index.html``. A
    broken run or notebook is skipped with a warning naming it; it never breaks the report."""
    runs = find_runs(runs_dir, warn)
    out_dir.mkdir(parents=True, exist_ok=True)
    for notebook, entries in runs.items():
        for entry in entries:
            target = out_dir / notebook / entry.name
            executed = entry.directory / f"{notebook}.ipynb"
            page = target.with_suffix(".html")
            if executed.exists():
                try:
                    if not page.exists() or page.stat().st_mtime < max(executed.stat().st_mtime, _TEMPLATE_TIME):
                        render_notebook(executed, page, f"{notebook} · {entry.name}", f"../index.html#{notebook}")
                    entry.html = f"{notebook}/{page.name}"
                except Exception as err:  # a damaged notebook: nbformat and nbconvert raise many kinds
                    warn(f"warning: cannot render {executed} ({type(err).__name__}: {err}); "
                         "its page is left out of the report")
            figures = []
            for png in sorted((entry.directory / "figures").glob("*.png")):
                (target / "figures").mkdir(parents=True, exist_ok=True)
                shutil.copy2(png, target / "figures" / png.name)
                figures.append(f"{notebook}/{entry.name}/figures/{png.name}")
            entry.figures = tuple(figures)
    papers = installed_papers()
    rows = claims.score(runs, papers)
    tally = {p: claims.tally(rows, p) for p in claims.profiles_of(rows)}
    write_json(out_dir / "claims.json", {"generated": time.strftime("%Y-%m-%dT%H:%M:%S"), "runs": str(runs_dir),
                                         "tally": tally, "claims": [row.as_json() for row in rows]})
    index = out_dir / "index.html"
    page = _TEMPLATE.render(runs=runs, rows=rows, profiles=list(tally), tally=tally, sections=sections(runs, papers),
                            headline={nb: headline(entries) for nb, entries in runs.items()},
                            claims_of={nb: [r for r in rows if r.claim.notebook == nb] for nb in runs},
                            described={p: profile_description(p) for p in tally}, wiring_only=WIRING_ONLY)
    atomic_write(index, lambda p: p.write_text(page))
    return index


_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    (Path(__file__).parent / "report_index.html.j2").read_text())
#: Pages rendered before the notebook page's template last changed are rendered again.
_TEMPLATE_TIME = (Path(__file__).parent / "report_notebook.html.j2").stat().st_mtime
