import math
from pathlib import Path

import pandas as pd
import pytest

from reprlab.io import read_json
from reprlab.papers.labels.attacks import summary


def test_summary_reads_the_claims_at_the_middle_eps():
    rows = []
    for label, accuracies in {"category": [0.9, 0.4, 0.1], "speech": [0.88, 0.6, 0.3], "random": [0.87, 0.7, 0.5],
                              "lowdim": [0.85, 0.2, 0.0]}.items():
        for eps, accuracy in zip([0.0, 0.02, 0.05], accuracies, strict=True):
            rows.append({"label": label, "method": "fgsm", "targeted": False, "eps": eps, "accuracy": accuracy})
            rows.append({"label": label, "method": "fgsm", "targeted": True, "eps": eps, "accuracy": 0.0})
    out = summary(pd.DataFrame(rows), {"category": 0.91, "speech": 0.89, "random": 0.86, "lowdim": 0.5})
    assert out["reference_eps"] == 0.02
    assert out["test_accuracy"] == {"category": 0.91, "speech": 0.89, "random": 0.86, "lowdim": 0.5}
    assert out["clean_accuracy"] == {"category": 0.9, "lowdim": 0.85, "random": 0.87, "speech": 0.88}
    # untargeted only, at the middle eps
    assert out["fgsm_accuracy"] == {"category": 0.4, "speech": 0.6, "random": 0.7, "lowdim": 0.2}


def test_smoke_profile_runs_every_label_notebook(smoke_workbook):
    generation = smoke_workbook["label_generation"]
    types = ("speech", "shuffle", "uniform", "composite", "random", "lowdim", "bert", "glove")
    assert set(generation.metrics["statistics"]) == set(types)
    for kind in types:  # every bank and its sidecar, in the labels directory
        assert (smoke_workbook.labels / f"fashionmnist_{kind}.npy").exists()
        assert (smoke_workbook.labels / f"fashionmnist_{kind}.json").exists()
    assert (generation.run_dir / "figures" / "gallery.svg").exists()

    attacks = smoke_workbook["label_attacks"]
    table = pd.DataFrame(attacks.metrics["table"])
    assert len(table) == 2 * 2 * 2 * 2  # labels x methods x targeted x eps
    category = table[table["label"] == "category"].set_index(["method", "targeted", "eps"])["accuracy"]
    for method in ("fgsm", "bim"):  # eps = 0.05 (13/255) really lowers the categorical model's accuracy
        assert category[(method, False, 0.05)] < category[(method, False, 0.0)] - 0.05, method
    clean = table[table["eps"] == 0].groupby("label")["accuracy"].first()
    assert clean.to_dict() == attacks.metrics["clean_accuracy"]  # every attack shares the clean images
    hits = table[table["targeted"]].set_index(["label", "method", "eps"])["target_hit_rate"]
    assert hits[("category", "bim", 0.05)] > hits[("category", "bim", 0.0)] + 0.04  # targeted BIM finds its target
    assert all(math.isnan(v) for v in table[~table["targeted"]]["target_hit_rate"])
    assert set(attacks.metrics["clean_accuracy"]) == {"category", "speech"}
    for figure in ("robustness_curves", "adversarial_examples"):
        assert (attacks.run_dir / "figures" / f"{figure}.png").exists()

    less = smoke_workbook["label_less_data"]
    table = pd.DataFrame(less.metrics["table"])
    assert sorted(zip(table["label"], table["level"], strict=True)) == [
        ("category", 50.0), ("category", 100.0), ("random", 50.0), ("random", 100.0)]
    assert (table["count"] == 2).all()
    # every point is a label_training run; (category, 100 %, seed 7) was trained once for both notebooks
    trained = [read_json(p) for p in (smoke_workbook.runs / "label_training").glob("smoke-*/status.json")]
    assert len(trained) == 2 + 8 - 1
    accuracy = {(t["parameters"]["label"], t["parameters"]["level"], t["parameters"]["seed"]):
                read_json(Path(t["parameters"]["run_dir"]) / "metrics.json")["test_accuracy"] for t in trained}
    for label, level, mean in zip(table["label"], table["level"], table["mean"], strict=True):
        assert mean == pytest.approx((accuracy[(label, level, 7)] + accuracy[(label, level, 8)]) / 2)
