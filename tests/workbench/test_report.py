import re
import shutil
import socket
import subprocess
from html.parser import HTMLParser

import pytest

from reprlab import paths
from reprlab.workbench.cli import main
from reprlab.workbench.runner import run_notebook


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if tag == "a":
            self.links.append(attrs["href"])


@pytest.fixture
def report():
    run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1}, log=lambda _: None)
    run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1, "seed": 1}, log=lambda _: None)
    assert main(["report"]) == 0
    return paths.reports_dir() / "index.html"


def test_index_links_real_pages_and_images(report):
    html = report.read_text()
    parser = _Links()
    parser.feed(html)
    assert len(parser.images) == 2  # latest run's two figures
    for src in parser.images + parser.links:
        if src.startswith("#"):  # the table of contents and the scorecard's links within the page
            assert f'id="{src[1:]}"' in html, src
        else:
            assert (report.parent / src.split("#")[0]).exists(), src
    for src in parser.images:
        assert (report.parent / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "test_accuracy" in html and html.count('<span class="wiring">wiring only</span>') >= 3  # smoke runs
    host = socket.gethostname()  # which executor and host ran each run
    assert f"executor <code>serial</code> on <code>{host}</code>" in html and f"serial on {host}" in html
    assert re.search(r"<td>test_accuracy</td><td class=\"num\">\d+\.\d\d %</td>", html)  # in %, as the figures
    # both runs side by side, the seed that tells them apart named
    assert html.count("seed=0") == 1 and html.count("seed=1") == 1
    # a claim with no run says why and how to get one
    assert "no completed run of mcr2_train: python -m reprlab run mcr2_train --profile quick" in html
    assert "train_classifier has runs only under smoke" not in html  # train_classifier has no claim


def test_rendered_notebook_has_figures_no_code_and_no_errors(report):
    pages = list((report.parent / "train_classifier").glob("*.html"))
    assert len(pages) == 2
    page = pages[0].read_text()
    assert page.count("data:image/png;base64") >= 2
    assert "Traceback" not in page and "widget-view+json" not in page
    assert "run = nb.start_run" not in page  # code cells are hidden
    assert "Injected parameters" not in page and "run_dir: str" not in page  # parameter cells dropped
    assert not re.findall(r"<script[^>]+src=|<link[^>]+href=\"http", page)  # nothing loaded from the network
    assert f"<title>train_classifier · {pages[0].stem}</title>" in page
    assert '<a href="../index.html#train_classifier">← reprlab report</a>' in page


def test_the_report_groups_experiments_by_paper_and_flattens_nested_metrics(tmp_path):
    from reprlab.io import write_json
    from reprlab.workbench.report import RunEntry, build_report

    for notebook, profile, metrics in (
            ("mcr2_train", "quick", {"knn_accuracy": 0.8, "delta_R_per_epoch": [1.0, 2.0]}),
            ("label_attacks", "quick", {"per_eps": {"fgsm": {"0.03": 0.5}}, "reference_eps": 0.03}),
            ("train_classifier", "interactive", {"test_accuracy": 0.7}),
            ("train_classifier", "quick", {"test_accuracy": 0.9})):
        run = paths.runs_dir() / notebook / f"{profile}-0"
        write_json(run / "status.json", {"status": profile if profile == "interactive" else "completed",
                                         "profile": profile, "parameters": {}, "finished": "2026-12-07T05:00:00"})
        write_json(run / "metrics.json", metrics)
    html = build_report(paths.runs_dir(), paths.reports_dir()).read_text()
    order = [html.index(f'<section id="{anchor}">') for anchor in ("scorecard", "train_classifier", "mcr2_train",
                                                                    "label_attacks")]
    assert order[0] < order[1] < order[2]
    assert html.index('id="paper-labels"') < html.index('id="paper-mcr2"')  # the papers' order
    assert '<a href="#label_attacks">label_attacks</a>' in html  # the table of contents
    assert "<td>per_eps.fgsm.0.03</td>" in html and "<td>delta_R_per_epoch</td><td class=\"num\">1, 2</td>" in html
    lead = html[html.index('<section id="train_classifier">'):]
    assert lead.index("<code>quick-0</code>") < lead.index("interactive-0")  # a quick run leads, not JupyterLab's
    entry = RunEntry("nb", "x", tmp_path, {}, {"curve": list(range(20)), "rows": [{"a": 1}]})
    assert entry.scalar_metrics == {"curve": "20 values: 0 … 19", "rows": "1 entries (see metrics.json)"}


def test_a_metric_table_is_drawn_as_a_table_with_its_rows_and_columns(tmp_path):
    from reprlab.io import write_json
    from reprlab.workbench.report import build_report

    run = paths.runs_dir() / "lenses" / "quick-0"
    table = {"model a": {"notebook": "train_classifier", "robustness/bim_accuracy": 0.25},
             "model b": {"notebook": "duet_train", "coding_rate/delta_R": 3.5}}
    write_json(run / "status.json", {"status": "completed", "profile": "quick", "parameters": {},
                                     "finished": "2026-12-07T05:00:00"})
    write_json(run / "metrics.json", {"tables": {"lens matrix": table}, "test_images": 500})
    html = build_report(paths.runs_dir(), paths.reports_dir()).read_text()
    drawn = html[html.index("<caption>lens matrix</caption>"):]
    drawn = drawn[:drawn.index("</table>")]
    assert "<th>notebook</th><th>robustness/bim_accuracy</th><th>coding_rate/delta_R</th>" in drawn
    assert '<tr><th>model a</th><td class="num">train_classifier</td><td class="num">25.00 %</td>' \
           '<td class="num"></td></tr>' in drawn
    assert "tables.lens matrix" not in html  # not flattened into the metric list as well


def test_runs_started_by_another_notebook_are_listed_after_direct_runs(monkeypatch):
    from reprlab.workbench.report import find_runs
    from reprlab.workbench.runner import PARENT_ENV

    direct = run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1}, log=lambda _: None)
    monkeypatch.setenv(PARENT_ENV, "/runs/mcr2_corruption_sweep/smoke-1")  # as inside a sweep's kernel
    nested = run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1, "seed": 3}, log=lambda _: None)
    runs = find_runs(paths.runs_dir())["train_classifier"]
    assert [e.directory for e in runs] == [direct.run_dir, nested.run_dir]  # the older direct run leads
    assert runs[1].status["parent"] == "/runs/mcr2_corruption_sweep/smoke-1"


def test_failed_runs_are_not_reported(monkeypatch):
    monkeypatch.setenv("REPRLAB_DATA", "/proc/nonexistent")
    run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1}, log=lambda _: None)
    assert main(["report"]) == 0
    assert "No completed runs yet" in (paths.reports_dir() / "index.html").read_text()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="apt-get install chromium")
def test_headless_chromium_draws_the_index(report, tmp_path):
    import numpy as np
    from PIL import Image

    shot = tmp_path / "index.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1000,1400",
                    "--virtual-time-budget=3000", f"--screenshot={shot}", report.as_uri()],
                   check=True, capture_output=True, timeout=120)
    pixels = np.asarray(Image.open(shot).convert("L"))
    assert (pixels < 250).mean() > 0.02  # text, tables and the two figures, not a blank page


def test_a_broken_run_is_skipped_with_a_warning_that_names_it(tmp_path):
    from reprlab.io import write_json
    from reprlab.workbench.report import RunEntry, build_report

    good = run_notebook("train_classifier", "smoke", {"subset": 300, "epochs": 1}, log=lambda _: None)
    bad_status = paths.runs_dir() / "mcr2_train" / "smoke-broken"
    bad_status.mkdir(parents=True)
    (bad_status / "status.json").write_text('{"status": "compl')
    truncated = paths.runs_dir() / "image_statistics" / "smoke-truncated"
    write_json(truncated / "status.json", {"status": "completed", "profile": "smoke", "parameters": {}})
    (truncated / "image_statistics.ipynb").write_text('{"cells": [')
    warnings = []
    index = build_report(paths.runs_dir(), paths.reports_dir(), warn=warnings.append)
    assert any(str(bad_status) in w for w in warnings)
    assert any(str(truncated / "image_statistics.ipynb") in w for w in warnings)
    html = index.read_text()
    assert "train_classifier" in html and good.run_dir.name in html

    entry = RunEntry("nb", "x", tmp_path, {}, {"test_accuracy": 0.7905, "test_loss": 0.61234, "epochs": 3})
    assert entry.scalar_metrics == {"test_accuracy": "79.05 %", "test_loss": "0.6123", "epochs": "3"}
