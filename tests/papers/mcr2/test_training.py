import numpy as np
import pandas as pd
import pytest

from reprlab.papers.mcr2.evaluation import classify
from reprlab.papers.mcr2.sweep import sweep_summary
from reprlab.papers.mcr2.training import Features, MCR2Job, train_mcr2


def test_supervised_mcr2_learns_class_subspaces(tmp_path):
    job = MCR2Job.defaults(dataset="digits", model="resnet20", fd=32, epochs=4, batch_size=300, optimizer="adam",
                           lr=0.003, schedule="cosine")
    _, history, features = train_mcr2(job, tmp_path)
    assert history[-1]["train_delta_R"] > history[0]["train_delta_R"]
    assert np.allclose(np.linalg.norm(features.test, axis=1), 1, atol=1e-5)  # on the unit sphere
    scores = classify(Features.load(tmp_path / "features"), n_comp=3, knn_k=5)
    assert scores["nearest_subspace_accuracy"] > 0.8 and scores["knn_accuracy"] > 0.8


def test_selfsupervised_mcr2_trains_on_views(tmp_path):
    job = MCR2Job.defaults(dataset="digits", model="resnet20", fd=16, mode="selfsupervised", epochs=2, batch_size=200,
                  n_aug=10, optimizer="adam", lr=0.003, schedule="constant", eps=0.5, gam1=1.0, gam2=1.0)
    _, history, features = train_mcr2(job, tmp_path)
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert features.train.shape[1] == 16


def test_corrupted_labels_are_what_the_features_were_trained_on(tmp_path):
    job = MCR2Job.defaults(dataset="digits", model="resnet20", fd=8, epochs=1, batch_size=300, lcr=0.5, lcs=3)
    _, _, features = train_mcr2(job, tmp_path)
    wrong = (features.train_labels != features.train_clean_labels).mean()
    assert wrong == pytest.approx(0.5, abs=0.01)


def test_sweep_summary_compares_drops():
    table = pd.DataFrame({"ratio": [0.0, 0.4, 0.6], "mcr2_nearest_subspace": [0.80, 0.79, 0.77],
                          "mcr2_knn": [0.8, 0.7, 0.6], "cross_entropy": [0.88, 0.86, 0.83]})
    summary = sweep_summary(table)
    assert summary["mcr2_drop"] == pytest.approx({"0.4": 0.01, "0.6": 0.03})
    assert summary["ce_drop"] == pytest.approx({"0.4": 0.02, "0.6": 0.05})
    with pytest.raises(ValueError, match=r"ratios must include 0\.0"):
        sweep_summary(table[table["ratio"] > 0])


def test_smoke_profile_runs_every_mcr2_notebook(smoke_workbook):
    results = smoke_workbook.results
    evaluation = results["mcr2_evaluate"].metrics
    trained = results["mcr2_train"]
    # the evaluation reads the training run's features: recomputing from them gives its numbers
    again = classify(Features.load(trained.run_dir / "features"), n_comp=3, knn_k=10)
    for key in ("svm_accuracy", "knn_accuracy", "nearest_subspace_accuracy"):
        assert evaluation[key] == pytest.approx(again[key]), key
    assert trained.metrics["knn_accuracy"] == pytest.approx(again["knn_accuracy"])
    sweep = results["mcr2_corruption_sweep"].metrics
    assert sweep["table"]["ratio"] == [0.0, 0.5] and set(sweep["mcr2_drop"]) == set(sweep["ce_drop"]) == {"0.5"}
    drop = sweep["table"]["mcr2_nearest_subspace"][0] - sweep["table"]["mcr2_nearest_subspace"][1]
    assert sweep["mcr2_drop"]["0.5"] == pytest.approx(drop)
    assert (results["mcr2_evaluate"].run_dir / "figures" / "cosine_heatmap.svg").exists()
    from reprlab.io import read_json

    # the cross-entropy baseline is a train_classifier run started for the evaluation
    nested = {p.parent: read_json(p) for p in results["train_classifier"].run_dir.parent.glob("smoke-*/status.json")
              if read_json(p)["parent"] == str(results["mcr2_evaluate"].run_dir)}
    assert len(nested) == 1
    baseline_dir = next(iter(nested))
    assert evaluation["cross_entropy_accuracy"] == read_json(baseline_dir / "metrics.json")["test_accuracy"]
    assert next(iter(nested.values()))["parameters"]["dataset"] == trained.params["dataset"]
