import math

import pytest
import torch

from reprlab.losses import jsd, structure_target


def test_target_histograms_match_upstreams_values_at_g8_t_half():
    half = torch.tensor([0.5])
    ga = [0.024, 0.076, 0.162, 0.237, 0.237, 0.162, 0.076, 0.024]  # spec, verified upstream
    vm = [0.002, 0.010, 0.094, 0.394, 0.394, 0.094, 0.010, 0.002]
    torch.testing.assert_close(structure_target(half, 8, "ga")[0], torch.tensor(ga), atol=6e-4, rtol=0)
    torch.testing.assert_close(structure_target(half, 8, "vm")[0], torch.tensor(vm), atol=6e-4, rtol=0)


def test_targets_are_distributions_peaking_at_t_times_g_and_vm_wraps():
    t = torch.tensor([0.0, 0.1, 0.3, 0.55, 0.8, 0.99])
    for kind in ("vm", "ga"):
        q = structure_target(t, 8, kind)
        torch.testing.assert_close(q.sum(1), torch.ones(6))
        assert (q >= 0).all()
        assert q[1:].argmax(1).tolist() == (t[1:] * 8).floor().long().tolist()
    vm0 = structure_target(torch.tensor([0.0]), 8, "vm")[0]
    assert vm0[0] == pytest.approx(float(vm0[7]), rel=1e-3)  # t = 0 splits between the first and last bins
    ga0 = structure_target(torch.tensor([0.0]), 8, "ga")[0]
    assert ga0[0] > 10 * ga0[7]  # the Gaussian is truncated, not wrapped


def test_jsd_is_bounded_finite_with_zeros_and_zero_only_for_equal_rows():
    p = torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.2, 0.8]])
    q = torch.tensor([[0.0, 1.0], [0.5, 0.5], [0.2, 0.8]])
    per_row = torch.stack([jsd(p[i:i + 1], q[i:i + 1]) for i in range(3)])
    torch.testing.assert_close(per_row, torch.tensor([math.log(2), 0.0, 0.0]))  # disjoint supports: ln 2
    assert float(jsd(p, q)) == pytest.approx(math.log(2) / 3)
    g = torch.Generator().manual_seed(0)
    a = torch.softmax(torch.randn(100, 8, generator=g) * 3, 1)
    b = structure_target(torch.rand(100, generator=g), 8, "ga")
    value = jsd(a, b)
    assert 0 < float(value) < math.log(2) and torch.isfinite(value)
    # against the KL definition with scipy's entropy (natural log)
    from scipy.stats import entropy
    m = 0.5 * (a + b)
    expected = (0.5 * entropy(a.numpy(), m.numpy(), axis=1) + 0.5 * entropy(b.numpy(), m.numpy(), axis=1)).mean()
    assert float(value) == pytest.approx(expected, rel=1e-5)


def test_unknown_target_kind_is_named():
    with pytest.raises(ValueError, match=r"duet_target='gauss'.*vm, ga"):
        structure_target(torch.tensor([0.5]), 8, "gauss")
