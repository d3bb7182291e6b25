import pytest
import torch

from reprlab.models import WideCifarResNet, count_parameters
from reprlab.papers.duet.methods import Duet, SimCLR
from reprlab.papers.duet.models import SSLModel, build_encoder


def test_widened_resnet32_has_upstreams_29_6_million_parameters():
    assert count_parameters(build_encoder("cifar10_resnet32", 3)) == pytest.approx(29.6e6, rel=0.002)
    narrow = WideCifarResNet(20, 1, width=0.125)
    assert narrow.feature_dim == 64 and narrow(torch.rand(2, 1, 16, 16)).shape == (2, 64)


def test_duet_reads_the_representation_g_major():
    model = SSLModel(Duet(bins=8, proj_hidden=16), build_encoder("cifar10_resnet20", 1, 0.125), 10)
    z = torch.arange(2 * 64, dtype=torch.float32).view(2, 64)
    grid = model.method.groups(z)
    assert grid.shape == (2, 8, 8)
    assert torch.equal(grid[1, 3], z[1, 24:32])  # bin g holds z[g C:(g + 1) C]
    content, logits = model.method.content_and_group_logits(z)
    torch.testing.assert_close(content, z.view(2, 8, 8).sum(1))
    torch.testing.assert_close(logits, z.view(2, 8, 8).mean(2))
    summed = Duet(bins=8, group_pooling="sum")
    torch.testing.assert_close(summed.content_and_group_logits(z)[1], 8 * logits)  # sum = C x mean


def test_heads_take_the_content_for_duet_and_the_whole_vector_otherwise():
    encoder = build_encoder("cifar10_resnet20", 3, 0.125)
    duet = SSLModel(Duet(bins=8, proj_hidden=32, proj_dim=16), encoder, 10)
    simclr = SSLModel(SimCLR(proj_hidden=32, proj_dim=16), build_encoder("cifar10_resnet20", 3, 0.125), 10)
    assert duet.head[0].in_features == 8 and simclr.head[0].in_features == 64
    views = torch.rand(4, 3, 16, 16)
    out = duet(views, views)
    assert out["projection"].shape == (8, 16) and out["group_logits"].shape == (8, 8)
    assert out["probe"].shape == (4, 10)  # view 1 only: the probe trains and tests on it
    out["probe"].sum().backward()  # the probe's loss reaches the probe, never the encoder
    assert duet.probe.weight.grad is not None and duet.encoder.conv1.weight.grad is None


def test_bins_that_do_not_divide_the_width_are_named():
    with pytest.raises(ValueError, match=r"duet_bins=6 must .* divide the representation width 64.*2, 4, 8"):
        SSLModel(Duet(bins=6), build_encoder("cifar10_resnet20", 1, 0.125), 10)
