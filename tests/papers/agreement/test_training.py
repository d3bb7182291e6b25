
from reprlab.papers.agreement import learning_order as lo
from reprlab.papers.agreement.training import AgreementJob, train_networks
from reprlab.workbench.runner import run_notebook


def test_agreement_is_far_above_independent_networks(tmp_path):
    job = AgreementJob.defaults(dataset="digits", models=["resnet20"], networks=3, epochs=3, batch_size=64,
                                lr=0.003, optimizer="adam", schedule="cosine")
    rec = train_networks(job, tmp_path, log=lambda _: None)
    assert rec.train.shape == (3, 3, 1347) and rec.test.shape == (3, 3, 450)
    # 1347 = 21 x 64 + 3: every example, the last three included, is recorded every epoch
    assert (rec.train >= 0).all() and (rec.test >= 0).all()
    curves = lo.AgreementCurves.from_correct(lo.correctness(rec.test, rec.test_labels))
    assert curves.agreement[-1] > curves.agreement[0]  # agreement rises over training
    assert curves.agreement[-1] > curves.independent[-1] + 0.02
    assert curves.kappa[-1] > 0.2


def test_smoke_notebooks_write_agreement_kappa_and_correlations():
    result = run_notebook("agreement", "smoke", log=lambda _: None)
    assert result.status == "completed"
    m = result.metrics
    assert len(m["agreement_per_epoch"]) == len(m["kappa_per_epoch"]) == 2
    assert set(m["correlations"]["entropy"]) == {"spearman", "ci_low", "ci_high"}
    assert set(m["random_label_final_agreement"]) == {"0", "1"}
    stats = run_notebook("image_statistics", "smoke", log=lambda _: None)
    assert stats.status == "completed" and stats.metrics["examples"] > 250
