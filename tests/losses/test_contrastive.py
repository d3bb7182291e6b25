import math

import pytest
import torch
import torch.nn.functional as F

from reprlab.losses import nt_xent


def _closed_form(z1, z2, tau):
    """Each anchor's -log softmax of its positive among the 2B - 1 other rows, by explicit loops;
    the sum of both directions' means."""
    rows = torch.cat([F.normalize(z1, dim=1), F.normalize(z2, dim=1)])
    b = len(z1)
    total = [0.0, 0.0]
    for i in range(2 * b):
        positive = (i + b) % (2 * b)
        others = [j for j in range(2 * b) if j != i]
        denominator = sum(math.exp(float(rows[i] @ rows[j]) / tau) for j in others)
        total[i // b] += -(float(rows[i] @ rows[positive]) / tau - math.log(denominator)) / b
    return total[0] + total[1]


def test_nt_xent_equals_its_closed_form():
    g = torch.Generator().manual_seed(0)
    z1, z2 = torch.randn(5, 4, generator=g), torch.randn(5, 4, generator=g)
    for tau in (0.1, 0.5):
        assert float(nt_xent(z1, z2, tau)) == pytest.approx(_closed_form(z1, z2, tau), rel=1e-5)


def test_nt_xent_of_identical_orthogonal_pairs_is_known():
    # B orthonormal rows paired with themselves: the positive scores 1/tau, the 2B-2 negatives 0,
    # each direction -log(e^(1/tau) / (e^(1/tau) + 2B - 2)).
    b, tau = 4, 0.5
    z = torch.eye(b)
    expected = 2 * -math.log(math.exp(1 / tau) / (math.exp(1 / tau) + 2 * b - 2))
    assert float(nt_xent(z, z.clone(), tau)) == pytest.approx(expected, rel=1e-6)


def test_nt_xent_is_twice_lightlys_which_averages_the_directions():
    lightly_loss = pytest.importorskip("lightly.loss")
    g = torch.Generator().manual_seed(1)
    z1, z2 = torch.randn(16, 8, generator=g), torch.randn(16, 8, generator=g)
    reference = lightly_loss.NTXentLoss(temperature=0.1)(z1, z2)
    torch.testing.assert_close(nt_xent(z1, z2, 0.1), 2 * reference, rtol=1e-5, atol=1e-5)
