"""Static HTML report: every completed run's executed notebook rendered with nbconvert (code
hidden, parameter cells dropped) and ``index.html``, which opens with the reproduction scorecard
(every paper's claims, decided from the runs' ``metrics.json``; also ``claims.json``) and then has
one entry per experiment: its latest run's key metrics and figures, and links to every run."""

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from reprlab.io import atomic_write, read_json, write_json
from reprlab.workbench import claims
from reprlab.workbench.runner import profile_description


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
    def scalar_metrics(self) -> dict[str, str]:
        out = {}
        for key, value in self.metrics.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if isinstance(value, float) and "accuracy" in key and 0 <= value <= 1:
                out[key] = f"{100 * value:.2f} %"  # as the figures show accuracies
            else:
                out[key] = f"{value:.4g}" if isinstance(value, float) else str(value)
        return out

    def figure(self, stem: str) -> str:
        """The report-relative path of this run's figure ``stem`` (PNG), or "" if it has none."""
        return next((f for f in self.figures if Path(f).stem == stem), "")

    def differing(self, others: list["RunEntry"]) -> dict[str, Any]:
        """This run's parameters that differ between ``others`` (all runs of its notebook)."""
        mine = self.status.get("parameters", {})
        return {k: v for k, v in mine.items() if k not in ("run_dir", "progress", "fresh")
                and any(o.status.get("parameters", {}).get(k) != v for o in others)}


def find_runs(runs_dir: Path, warn: Callable[[str], None] = print) -> dict[str, list[RunEntry]]:
    """Completed runs per notebook: runs started directly first, then runs another notebook
    started (e.g. a sweep's points), each newest first. Directories moved aside (``~``) are skipped;
    a run with a damaged ``status.json`` or ``metrics.json`` is skipped with a warning naming it."""
    found: dict[str, list[RunEntry]] = {}
    for status_path in sorted(runs_dir.glob("*/*/status.json")):
        directory = status_path.parent
        if "~" in directory.name:
            continue
        try:
            status = read_json(status_path)
            # finished batch runs, and interactive runs that wrote their metrics
            if status.get("status") != "completed" and not (status.get("status") == "interactive"
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
        entries.sort(key=lambda e: e.status.get("finished", ""), reverse=True)
        entries.sort(key=lambda e: bool(e.status.get("parent")))
    return dict(sorted(found.items()))


def render_notebook(ipynb: Path, out_html: Path) -> None:
    """Render an executed notebook to standalone HTML without code cells or parameter cells."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(ipynb, as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    remove = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "no-report"})
    exporter.register_preprocessor(remove, enabled=True)
    body, _ = exporter.from_notebook_node(notebook)
    atomic_write(out_html, lambda p: p.write_text(body))


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
                    if not page.exists() or page.stat().st_mtime < executed.stat().st_mtime:
                        render_notebook(executed, page)
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
    rows = claims.score(runs)
    tally = {p: claims.tally(rows, p) for p in claims.profiles_of(rows)}
    write_json(out_dir / "claims.json", {"generated": time.strftime("%Y-%m-%dT%H:%M:%S"), "runs": str(runs_dir),
                                         "tally": tally, "claims": [row.as_json() for row in rows]})
    index = out_dir / "index.html"
    page = _TEMPLATE.render(runs=runs, rows=rows, profiles=list(tally), tally=tally,
                            described={p: profile_description(p) for p in tally})
    atomic_write(index, lambda p: p.write_text(page))
    return index


_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    (Path(__file__).parent / "report_index.html.j2").read_text())
