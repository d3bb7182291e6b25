import numpy as np
import torch

from reprlab.evaluation import knn_predict, linear_probe
from reprlab.papers.duet.evaluation import group_equivariance, true_bins
from reprlab.papers.duet.generation import roll_groups
from reprlab.papers.duet.methods import Duet
from reprlab.papers.duet.models import SSLModel, build_encoder


def test_group_bin_accuracy_and_circular_error_on_known_distributions():
    t = torch.tensor([0.0, 0.3, 0.55, 0.99])
    assert true_bins(t, 8).tolist() == [0, 2, 4, 7]
    exact = torch.nn.functional.one_hot(true_bins(t, 8), 8).float()
    assert group_equivariance(exact, t) == {"group_bin_accuracy": 1.0, "group_bin_error": 0.0}
    # bin 7 predicted for t = 0 (bin 0) is one bin away around the circle, not seven
    wrong = torch.nn.functional.one_hot(torch.tensor([7, 6, 0, 3]), 8).float()
    scores = group_equivariance(wrong, t)
    assert scores["group_bin_accuracy"] == 0.0 and scores["group_bin_error"] == (1 + 4 + 4 + 4) / 4


def test_rolling_the_group_axis_moves_each_bin_by_k():
    model = SSLModel(Duet(bins=8, proj_hidden=8), build_encoder("cifar10_resnet20", 1, 0.125), 10)
    z = torch.arange(64.0).view(1, 64)
    rolled = roll_groups(model, z, 3)
    duet = model.method
    torch.testing.assert_close(duet.groups(rolled)[0, 3], duet.groups(z)[0, 0])
    _, before = duet.content_and_group_logits(z)
    _, after = duet.content_and_group_logits(rolled)
    torch.testing.assert_close(after, before.roll(3, dims=1))  # the group distribution shifts by k bins


def test_temperature_weighted_knn_lets_a_close_neighbour_outvote_two_far_ones():
    train = np.array([[1.0, 0.0], [0.6, 0.8], [0.6, -0.8]])
    labels = np.array([1, 0, 0])
    query = np.array([[1.0, 0.05]])
    assert knn_predict(train, labels, query, k=3).tolist() == [0]  # majority
    assert knn_predict(train, labels, query, k=3, temperature=0.1).tolist() == [1]  # exp(sim / 0.1) weights


def test_linear_probe_separates_linearly_separable_classes_only():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    separable = (x[:, 0] + x[:, 1] > 0).astype(int)
    xor = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(int)
    assert (linear_probe(x[:300], separable[:300]).predict(x[300:]) == separable[300:]).mean() > 0.95
    assert (linear_probe(x[:300], xor[:300]).predict(x[300:]) == xor[300:]).mean() < 0.7
