"""A self-supervised method is a small class: a fourth one, defined here in a few lines, trains
through the same job, engine, online probe and frozen-feature protocols as DUET, SimCLR and ESSL,
without a line of the DUET package changing."""

import pytest
import torch.nn.functional as F

from reprlab.papers.duet.evaluation import evaluate_ssl
from reprlab.papers.duet.methods import METHODS, Duet, SimCLR
from reprlab.papers.duet.training import DuetJob, summary, train_ssl
from reprlab.workbench.spec import resolve_parameters
from tests.papers.duet.test_training import TINY


@pytest.fixture
def toy_method():
    class Align(SimCLR):
        """A toy: pulls the normalised projections of the two views together (no negatives)."""

        name = "toy_align"

        def loss(self, out, batch, training):
            projection = F.normalize(out["projection"].float(), dim=1)
            align = (projection[:len(batch)] - projection[len(batch):]).pow(2).sum(1).mean()
            return align, {"align": align.detach()}

    yield Align
    del METHODS["toy_align"]


def test_a_fourth_method_trains_a_smoke_epoch_with_the_online_probe_and_knn(toy_method, tmp_path):
    assert list(METHODS) == ["simclr", "duet", "essl", "toy_align"]
    assert resolve_parameters("duet_train", "smoke", {"model": "toy_align"})["model"] == "toy_align"  # a value now
    job = DuetJob.defaults(**{**TINY, "model": "toy_align", "tx": ["sca", "rot"], "epochs": 1, "warmup_epochs": 0})
    model, history, splits = train_ssl(job, tmp_path)
    assert isinstance(model.method, toy_method) and not model.method.group_axis
    metrics = summary(history)
    assert {"train_align", "train_probe_ce"} <= set(metrics) and "train_nt_xent" not in metrics
    assert 0 <= metrics["online_probe_accuracy"] <= 1  # the engine tested the online probe
    scores = evaluate_ssl(model, splits.train, splits.test, image_size=job.image_size, equi_tx=job.equi_tx,
                          bins=job.duet_bins)
    assert 0 <= scores["knn_accuracy"] <= 1 and 0 <= scores["linear_probe_accuracy"] <= 1
    assert "group_bin_accuracy" not in scores  # no group axis: the protocols asked the method


def test_an_unknown_method_is_refused_naming_the_registered_ones():
    with pytest.raises(ValueError, match="model='byol' is not allowed; allowed values: simclr, duet, essl"):
        DuetJob.defaults(**{**TINY, "model": "byol"})


def test_each_method_builds_the_heads_it_names():
    job = DuetJob.defaults(**{**TINY, "model": "essl", "tx": ["sca"], "equi_tx": "fli"})
    assert set(METHODS["essl"].from_job(job).heads(64)) == {"head", "predictor"}
    assert Duet(bins=8, proj_hidden=16).heads(64)["head"][0].in_features == 8  # the content: C = D / G
    with pytest.raises(ValueError, match="group_pooling='max'; allowed values: mean, sum"):
        Duet(group_pooling="max")
