import json
import os

import pytest

from reprlab.workbench.lab import lab_command, settings_overrides


def test_the_settings_make_py_notebooks_open_as_notebooks_and_keep_the_users_other_overrides(tmp_path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                                "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "X"}}}))
    assert settings_overrides(tmp_path) == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == {
        "markdown": "X", "python": "Jupytext Notebook"}
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    path.write_text("{")
    with pytest.raises(ValueError, match=f"{path} is not valid JSON"):
        settings_overrides(tmp_path)


def test_the_lab_command_passes_the_profile_to_kernels_and_allows_root(monkeypatch):
    monkeypatch.setattr("reprlab.workbench.lab.settings_overrides", lambda: None)  # leave .venv's settings alone
    command, env = lab_command("smoke", port=9999, open_browser=False)
    assert env["REPRLAB_PROFILE"] == "smoke" and "--port=9999" in command and "--no-browser" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)
    with pytest.raises(ValueError, match="profile='huge' does not exist"):
        lab_command("huge")
