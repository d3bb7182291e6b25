import numpy as np
import pytest

from reprlab.papers.agreement import learning_order as lo
from reprlab.papers.agreement.training import NetworkJob, load_recording, train_network
from reprlab.workbench.runner import run_parameters


def test_agreement_is_far_above_independent_networks(tmp_path):
    jobs = [NetworkJob.defaults(dataset="digits", model="resnet20", seed=k, epochs=3, batch_size=64, lr=0.003,
                                optimizer="adam", schedule="cosine") for k in range(3)]
    for k, job in enumerate(jobs):
        train_network(job, tmp_path / f"net{k}", log=lambda _: None)
    rec = load_recording([(job, tmp_path / f"net{k}") for k, job in enumerate(jobs)])
    assert rec.train.shape == (3, 3, 1347) and rec.test.shape == (3, 3, 450)
    # 1347 = 21 x 64 + 3: every example, the last three included, is recorded every epoch
    assert (rec.train >= 0).all() and (rec.test >= 0).all()
    assert not np.array_equal(rec.train[0], rec.train[1])  # different seeds, different networks
    curves = lo.AgreementCurves.from_correct(lo.correctness(rec.test, rec.test_labels))
    assert curves.agreement[-1] > curves.agreement[0]  # agreement rises over training
    assert curves.agreement[-1] > curves.independent[-1] + 0.02
    assert curves.kappa[-1] > 0.2
    other_labels = NetworkJob.defaults(dataset="digits", model="resnet20", random_label_prob=0.5)
    with pytest.raises(ValueError, match="must share dataset, subset and labels"):
        load_recording([(jobs[0], tmp_path / "net0"), (other_labels, tmp_path / "net1")])


def test_smoke_notebooks_write_agreement_kappa_and_correlations(smoke_workbook):
    m = smoke_workbook["agreement"].metrics
    assert len(m["agreement_per_epoch"]) == len(m["kappa_per_epoch"]) == 2
    assert set(m["correlations"]["entropy"]) == {"spearman", "ci_low", "ci_high"}
    assert set(m["random_label_final_agreement"]) == {"0", "1"}
    # every network is an agreement_network run of its own: 2 networks x 2 label probabilities
    runs = {p: [run_parameters(d) for d in dirs] for p, dirs in m["network_runs"].items()}
    assert {p: [(r["seed"], r["random_label_prob"]) for r in rs] for p, rs in runs.items()} == {
        "0": [(0, 0.0), (1, 0.0)], "1": [(0, 1.0), (1, 1.0)]}
    assert smoke_workbook["image_statistics"].metrics["examples"] > 250

