import json
import math

import pytest

from reprlab.workbench.runner import run_notebook


def test_smoke_profile_runs_every_duet_notebook(smoke_workbook, monkeypatch):
    smoke_workbook.use(monkeypatch)  # run_notebook below finds the workbook's runs complete
    quiet = {"log": lambda _: None}
    m = smoke_workbook["duet_evaluate"].metrics
    assert set(m["models"]) == {"duet", "simclr", "essl"}
    duet, simclr, essl = (m["models"][k] for k in ("duet", "simclr", "essl"))
    for row in (duet, simclr, essl):
        for key in ("online_probe_accuracy", "linear_probe_accuracy", "knn_accuracy", "transform_probe_accuracy",
                    "transformed_accuracy", "transfer_accuracy"):
            assert 0 <= row[key] <= 1, key
    assert "group_bin_accuracy" in duet and math.isnan(simclr.get("group_bin_accuracy", math.nan))
    assert m["group_bin_chance"] == pytest.approx(1 / m["bins"])
    # each model's online probe is the one its duet_train run reported
    trained = run_notebook("duet_train", "smoke", {"model": "essl", "tx": ["sca"]}, **quiet)
    assert trained.status == "reused"  # ESSL's run drops equi_tx from tx, keeping the order
    assert essl["online_probe_accuracy"] == trained.metrics["online_probe_accuracy"]
    history = json.loads((trained.run_dir / "history.json").read_text())
    assert trained.metrics["online_probe_accuracy"] == history[-1]["test_accuracy"]  # tested after the last epoch
    assert trained.metrics["train_equivariance"] == history[-1]["train_equivariance"]
    assert (trained.run_dir / "figures" / "loss_terms.png").exists()
    assert (run_notebook("duet_train", "smoke", **quiet).run_dir / "figures" / "group_distribution.png").exists()

    generated = smoke_workbook["duet_generation"]
    g = generated.metrics
    assert g["models"]["duet"]["reconstruction_mse"] > 0 and "controlled_mse" not in g["models"]["simclr"]
    assert len(g["controlled_per_shift"]) == 3  # G - 1 shifts at G = 4
    assert all(pair[0] > 0 and pair[1] > 0 for pair in g["controlled_per_shift"].values())
    assert (generated.run_dir / "figures" / "generation_duet.png").exists()
