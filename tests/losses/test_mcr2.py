import math

import pytest
import torch
import torch.nn.functional as F

from reprlab.losses import MCR2Loss, coding_rates, coding_rates_loop
from reprlab.losses.mcr2 import spd_inverse_logdet


def _orthogonal_subspaces(d=8, k=4, rotate=False):
    """Class j spans basis vectors {e_2j, e_2j+1}; features ±e (4 per class), all unit norm."""
    dim = d // k
    eye = torch.eye(d, dtype=torch.float64)
    z = torch.cat([torch.cat([eye[j * dim:(j + 1) * dim], -eye[j * dim:(j + 1) * dim]]) for j in range(k)])
    if rotate:
        q, _ = torch.linalg.qr(torch.randn(d, d, dtype=torch.float64, generator=torch.Generator().manual_seed(0)))
        z = z @ q
    return z, torch.arange(k).repeat_interleave(2 * dim)


@pytest.mark.parametrize("rotate", [False, True])
def test_orthogonal_class_subspaces_give_the_closed_form_maximum(rotate):
    d, k, eps = 8, 4, 0.5
    z, y = _orthogonal_subspaces(d, k, rotate)
    rates = coding_rates(z, y, eps=eps, dtype=torch.float64)
    r_max = 0.5 * d * math.log(1 + 1 / eps)  # logdet is maximal when ZᵀZ = (m/d) I
    rc = 0.5 * (d / k) * math.log(1 + k / eps)
    assert float(rates.expansion) == pytest.approx(r_max, rel=1e-9)
    assert float(rates.compression) == pytest.approx(rc, rel=1e-6)
    g = torch.Generator().manual_seed(1)
    for _ in range(20):  # random unit features with the same class sizes do worse
        other = F.normalize(torch.randn(z.shape, dtype=torch.float64, generator=g), dim=1)
        assert coding_rates(other, y, eps=eps, dtype=torch.float64).rate_reduction < rates.rate_reduction


def test_identical_features_give_the_minimum_zero_rate_reduction():
    d, eps = 16, 0.5
    z = F.normalize(torch.randn(1, d, dtype=torch.float64), dim=1).repeat(30, 1)
    y = torch.arange(30) % 3
    rates = coding_rates(z, y, eps=eps, dtype=torch.float64)
    assert float(rates.expansion) == pytest.approx(0.5 * math.log(1 + d / eps), rel=1e-9)
    assert float(rates.rate_reduction) == pytest.approx(0.0, abs=1e-7)
    g = torch.Generator().manual_seed(2)
    other = F.normalize(torch.randn(30, d, dtype=torch.float64, generator=g), dim=1)
    assert coding_rates(other, y, dtype=torch.float64).rate_reduction > 0  # ΔR >= 0 by concavity


@pytest.mark.parametrize(("m", "d", "k"), [(1000, 128, 10), (1000, 128, 100), (200, 64, 20), (40, 8, 5)])
def test_batched_equals_the_per_class_loop(m, d, k, device):
    g = torch.Generator().manual_seed(m + d + k)
    z = F.normalize(torch.randn(m, d, generator=g), dim=1)
    y = torch.randint(0, k - 1, (m,), generator=g)  # class k-1 is empty
    fast = coding_rates(z.to(device), y.to(device), num_classes=k, eps=0.5, gam1=2.0)
    slow = coding_rates_loop(z, y, k, eps=0.5, gam1=2.0)
    for a, b in ((fast.expansion, slow.expansion), (fast.compression, slow.compression),
                 (fast.expansion_theoretical, slow.expansion_theoretical)):
        assert float(a) == pytest.approx(float(b), rel=1e-5)


def test_membership_matrix_equals_hard_labels_and_float64_agrees(device):
    g = torch.Generator().manual_seed(3)
    z = F.normalize(torch.randn(300, 32, generator=g), dim=1).to(device)
    y = torch.randint(0, 6, (300,), generator=g).to(device)
    hard = coding_rates(z, y, num_classes=6)
    soft = coding_rates(z, membership=F.one_hot(y, 6).T.float())
    double = coding_rates(z, y, num_classes=6, dtype=torch.float64)
    assert float(soft.compression) == pytest.approx(float(hard.compression), rel=1e-5)
    assert float(double.compression) == pytest.approx(float(hard.compression), rel=1e-5)
    with pytest.raises(ValueError, match="exactly one of labels"):
        coding_rates(z)


# every matrix d x d in one Cholesky; classes n x n with the expansion d x d; both n x n (m < d)
@pytest.mark.parametrize(("m", "d", "k"), [(12, 3, 2), (12, 8, 4), (6, 16, 2)])
def test_gradients_by_gradcheck(m, d, k):
    g = torch.Generator().manual_seed(4)
    z = torch.randn(m, d, dtype=torch.float64, generator=g, requires_grad=True)
    y = torch.arange(m) % k

    def loss(z):
        return MCR2Loss(eps=0.5, gam1=1.5, gam2=0.7, dtype=torch.float64)(F.normalize(z, dim=1), y)[0].double()

    assert torch.autograd.gradcheck(loss, (z,))


@pytest.mark.parametrize("d", [16, 3])  # padded classes in the n x n and in the d x d form
def test_closed_form_gradient_with_unequal_and_empty_classes_by_gradcheck(d):
    g = torch.Generator().manual_seed(6)
    z = torch.randn(9, d, dtype=torch.float64, generator=g, requires_grad=True)
    y = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1, 3])  # class 2 is empty, classes 1 and 3 are padded

    def loss(z):
        return MCR2Loss(num_classes=4, eps=0.3, dtype=torch.float64)(F.normalize(z, dim=1), y)[0].double()

    assert torch.autograd.gradcheck(loss, (z,))


@pytest.mark.parametrize(("shape", "base"), [((75,), 8), ((2, 3, 40), 32), ((5,), 32)])
def test_spd_inverse_and_logdet_by_blocks_equal_lapack(shape, base):
    *batch, n = shape
    g = torch.Generator().manual_seed(n)
    a = torch.randn(*batch, n, n + 3, dtype=torch.float64, generator=g)
    spd = torch.eye(n, dtype=torch.float64) + 4 * a @ a.mT  # eigenvalues from 1 to about 4 (2n + 3)
    inverse, logdet = spd_inverse_logdet(spd, base=base)  # 75 rows in blocks of 37/38, 18/19, 9/10 down to 8
    torch.testing.assert_close(inverse, torch.linalg.inv(spd), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(logdet, torch.logdet(spd), rtol=1e-12, atol=1e-10)
    lower_garbage = spd + torch.tril(torch.full_like(spd, 7.0), diagonal=-1)  # reads the upper triangle only
    torch.testing.assert_close(spd_inverse_logdet(lower_garbage, base=base)[1], logdet)


@pytest.mark.parametrize(("m", "d", "k"), [(300, 70, 3), (60, 70, 6)])  # d x d by blocks; classes n x n
def test_closed_form_gradient_equals_autograd_through_the_loop(m, d, k):
    g = torch.Generator().manual_seed(7)
    raw = torch.randn(m, d, dtype=torch.float64, generator=g)
    y = torch.arange(m) % k
    grads, values = [], []
    for rates_of in (lambda z: coding_rates(z, y, num_classes=k, gam1=1.5, dtype=torch.float64),
                     lambda z: coding_rates_loop(z, y, k, gam1=1.5)):
        z = raw.clone().requires_grad_()
        rates = rates_of(F.normalize(z, dim=1))  # with a gradient: the logdets come from the block inverses
        (-0.7 * rates.expansion + rates.compression).backward()
        grads.append(z.grad)
        values.append(torch.stack([rates.expansion, rates.expansion_theoretical, rates.compression]).detach())
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(values[0], values[1], rtol=1e-10, atol=0)


def test_loss_combines_the_terms_and_decreases_under_gradient_descent():
    g = torch.Generator().manual_seed(5)
    raw = torch.randn(200, 16, generator=g, requires_grad=True)
    y = torch.arange(200) % 4
    criterion = MCR2Loss(num_classes=4, eps=0.5, gam1=1.0, gam2=2.0)
    loss, terms = criterion(F.normalize(raw, dim=1), y)
    assert float(loss.detach()) == pytest.approx(float(-2.0 * terms["R"] + terms["Rc"]), rel=1e-5)
    opt = torch.optim.SGD([raw], lr=20.0)
    start = float(loss.detach())
    for _ in range(50):
        loss, terms = criterion(F.normalize(raw, dim=1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < start - 1 and float(terms["delta_R"]) > 0
    with pytest.raises(ValueError, match="eps=0"):
        MCR2Loss(eps=0)
