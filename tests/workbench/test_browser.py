"""The way a researcher uses reprlab, in a real browser (Debian's Chromium driven by Playwright):
``python -m reprlab lab`` (what ``make lab`` runs) opens a notebook as a notebook on its URL, Run All
runs it at the profile given on the command line, every figure the run saved is shown, an
explorer's slider redraws its figure; then the report built from those runs reads offline, with no
console error and no dead link. Every process the test starts is stopped by its PID."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from reprlab import paths
from reprlab.workbench.cli import main

TOKEN = "reprlab-test"

#: Done when no cell is running and every code cell ran, or one failed (the rest then never run).
FINISHED = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
  const failed = document.querySelector('.jp-Notebook [data-mime-type="application/vnd.jupyter.error"]');
  const ran = prompts.every(t => /\\[\\d+\\]/.test(t));
  return prompts.length > 0 && !prompts.some(t => t.includes('*')) && (failed || ran);
}"""


#: The status bar names the notebook's kernel and says it is idle: Run All will run.
KERNEL_IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-Item')]
  .some(item => /\\(ipykernel\\) \\| Idle/.test(item.textContent))"""
#: Some cell has been queued or has run.
STARTED = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
  .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path, monkeypatch):
    """JupyterLab as ``make lab PROFILE=smoke`` starts it, over a copy of the notebooks (JupyterLab
    saves what it opens), with its own runs folder, workspace and user settings; stopped by PID."""
    shutil.copytree(paths.notebooks_dir(), tmp_path / "lab" / "notebooks")
    monkeypatch.setenv("REPRLAB_NOTEBOOKS", str(tmp_path / "lab" / "notebooks"))
    port = _free_port()
    command = [sys.executable, "-m", "reprlab", "lab", "--profile", "smoke", "--port", str(port), "--no-browser",
               "--", f"--ServerApp.token={TOKEN}", "--ServerApp.ip=127.0.0.1",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", f"--LabApp.user_settings_dir={tmp_path / 'user'}"]
    log = open(tmp_path / "lab.log", "wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "lab.log").read_text()
            assert time.monotonic() < deadline, "JupyterLab did not start in 2 minutes"
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)  # the server shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_jupyterlab_runs_a_notebook_at_a_profile_shows_its_figures_and_explorer_and_the_report_reads_offline(
        browser, lab, tmp_path):  # browser first: without Chromium it skips before JupyterLab starts
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab}/lab/tree/notebooks/mcr2_evaluate.py?token={TOKEN}")
    # it opens as a notebook, not in the text editor
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-CodeCell", timeout=90_000)
    # Run All before the kernel is connected ("No Kernel | Initializing") runs nothing: wait, as a person would
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    try:
        page.wait_for_function(STARTED, timeout=60_000)
        page.wait_for_function(FINISHED, timeout=240_000)
    finally:
        page.screenshot(path=str(tmp_path / "notebook.png"))
    errors = page.locator(".jp-Notebook [data-mime-type='application/vnd.jupyter.error']").all_inner_texts()
    assert not errors, errors[0][-2000:]
    out = page.locator(".jp-Notebook .jp-OutputArea-output").all_inner_texts()
    assert any("REPRLAB_PROFILE=smoke:" in text for text in out)  # the profile replaced the paper's defaults

    (run_dir,) = (paths.runs_dir() / "mcr2_evaluate").glob("interactive-*")
    saved = sorted((run_dir / "figures").glob("*.png"))
    shown = page.locator(".jp-Notebook .jp-OutputArea-output:not(.widget-output) > img").count()
    assert len(saved) >= 3 and shown >= len(saved), (shown, [p.name for p in saved])

    slider = page.locator(".widget-slider").first  # the explorer's test-example slider
    slider.scroll_into_view_if_needed()
    before = page.locator(".widget-output img").first.get_attribute("src")
    slider.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(before) => { const img = document.querySelector('.widget-output img');"
                           " return img && img.src !== before; }", arg=before, timeout=30_000)
    assert slider.locator(".widget-readout").inner_text().strip() == "1"

    assert main(["report"]) == 0
    index = paths.reports_dir() / "index.html"
    offline = browser.new_context(offline=True)
    problems: list[str] = []
    report = offline.new_page()
    report.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    report.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    report.goto(index.as_uri())
    hrefs = report.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert len(hrefs) > 10
    for href in hrefs:
        url = urlparse(href)
        assert url.scheme == "file", href  # nothing from the network
        assert Path(unquote(url.path)).exists(), href
        if url.fragment and Path(unquote(url.path)) == index:
            assert report.locator(f"[id='{url.fragment}']").count() == 1, href
    # the executed notebook of a run the explorer's notebook started (mcr2_train at smoke)
    page_of_run = Path(unquote(urlparse(next(h for h in hrefs if "/mcr2_train/smoke-" in h)).path))
    report.goto(page_of_run.as_uri())
    assert report.title() == f"mcr2_train · {page_of_run.stem}"
    assert report.locator("main img").count() >= 1
    report.get_by_role("link", name="← reprlab report").click()
    report.wait_for_load_state()
    assert urlparse(report.url).path == index.as_posix() and urlparse(report.url).fragment == "mcr2_train"
    report.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert not problems, problems
