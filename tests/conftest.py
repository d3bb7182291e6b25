import functools
import hashlib
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

#: ``make test`` runs two pytest-xdist workers (``-n 2 --dist loadscope``): each gets its share of
#: the cores, and so do the kernels and workers its tests start (the executors keep a set
#: ``OMP_NUM_THREADS``), so the two never oversubscribe the machine.
WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
THREADS = max(1, min(2, (os.cpu_count() or 1) // WORKERS))
torch.set_num_threads(THREADS)
if WORKERS > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))

#: Test modules that go first, each to one worker: the one that mostly waits for a scheduler
#: (SLURM), the longest (the rehearsal), and those that share the session's smoke workbook (one
#: group, so that the workbook runs once).
FIRST_GROUPS = ("slurm", "rehearsal", "workbook")


@functools.cache
def test_group(path: str) -> str:
    """The group of the test module at ``path`` (relative to the repository): a group runs on
    one pytest-xdist worker, so a module's fixtures (and the smoke workbook) are made once."""
    name = Path(path).stem
    if name == "test_slurm":
        return "slurm"
    if name == "test_rehearse":
        return "rehearsal"
    source = Path(__file__).parent.parent / path
    return "workbook" if source.exists() and "smoke_workbook" in source.read_text() else path


def pytest_collection_modifyitems(config, items) -> None:
    """The long groups first, so that neither worker is left with a long one at the end."""
    def rank(item) -> int:
        group = test_group(item.nodeid.split("::")[0])
        return FIRST_GROUPS.index(group) if group in FIRST_GROUPS else len(FIRST_GROUPS)

    items.sort(key=rank)


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # the suite also runs without pytest-xdist, in one process
    LoadScopeScheduling = None

if LoadScopeScheduling is not None:
    class GroupScheduling(LoadScopeScheduling):
        """pytest-xdist's ``loadscope`` with :func:`test_group` as the scope (its ``loadgroup``
        marks do not reach the scheduler under pytest 9)."""

        def _split_scope(self, nodeid: str) -> str:
            return test_group(nodeid.split("::")[0])

    def pytest_xdist_make_scheduler(config, log):
        return GroupScheduling(config, log) if config.getvalue("dist") == "loadscope" else None


@pytest.fixture(scope="session")
def device() -> torch.device:
    """Where device-agnostic tests put models and data: the CPU, or ``REPRLAB_TEST_DEVICE``
    (e.g. ``cuda``) to run the same science checks on a GPU machine. CI runs them on the CPU."""
    chosen = torch.device(os.environ.get("REPRLAB_TEST_DEVICE", "cpu"))
    if chosen.type == "cuda" and not torch.cuda.is_available():
        pytest.fail("REPRLAB_TEST_DEVICE asks for CUDA but torch.cuda.is_available() is False")
    return chosen


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Runs, reports and label banks of a test go to its own temporary directory, never the repo."""
    monkeypatch.setenv("REPRLAB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("REPRLAB_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("REPRLAB_LABELS", str(tmp_path / "labels"))


@dataclass
class Workbook:
    """A whole profile, run once: its folders, each notebook's result, the lines ``run-all``
    printed (ending with its timing table), and the directories of every run it started."""

    runs: Path
    labels: Path
    results: dict
    log: list
    started: set

    def __getitem__(self, notebook: str):
        return self.results[notebook]

    def use(self, monkeypatch) -> None:
        """Point this test's runs and labels folders at the workbook's (to reuse its runs)."""
        monkeypatch.setenv("REPRLAB_RUNS", str(self.runs))
        monkeypatch.setenv("REPRLAB_LABELS", str(self.labels))


@pytest.fixture(scope="session")
def smoke_workbook(tmp_path_factory) -> Workbook:
    """The whole ``smoke`` profile, run once per session as ``make run`` runs ``quick`` (the local
    pool, two workers, the profile as one graph). Tests that check a notebook's wiring read its run
    here instead of executing it again."""
    from reprlab.workbench.executors import LocalExecutor
    from reprlab.workbench.launch import run_all

    root = tmp_path_factory.mktemp("smoke-workbook")
    with pytest.MonkeyPatch.context() as mp:
        for name, folder in (("RUNS", "runs"), ("LABELS", "labels"), ("REPORTS", "reports")):
            mp.setenv(f"REPRLAB_{name}", str(root / folder))
        lines: list[str] = []
        results = run_all("smoke", executor=LocalExecutor(jobs=2), log=lines.append)
    failed = [f"{r.notebook}: {r.error} ({r.run_dir})" for r in results if r.status != "completed"]
    assert not failed, failed
    started = {p.parent for p in (root / "runs").glob("*/*/status.json")}
    return Workbook(root / "runs", root / "labels", {r.notebook: r for r in results}, lines, started)


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now (for a gloo process group)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def browser():
    """Debian's Chromium, headless, driven by Playwright (which cannot download its own here);
    skips where either is missing, fails under CI."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if chromium is None or sync_playwright is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs chromium (apt) and playwright (requirements.txt)")
        pytest.skip("Debian's chromium or Playwright is missing (apt-get install chromium; requirements.txt)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()
