import math

import pytest
import torch
import torch.nn.functional as F

from reprlab.losses import nt_xent
from tests.conftest import free_port


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


def test_nt_xent_keeps_float64_and_upcasts_lower_precisions():
    g = torch.Generator().manual_seed(1)
    z1, z2 = torch.randn(6, 5, generator=g, dtype=torch.float64), torch.randn(6, 5, generator=g, dtype=torch.float64)
    loss = nt_xent(z1, z2, 0.2)
    assert loss.dtype == torch.float64
    assert float(loss) == pytest.approx(_closed_form(z1, z2, 0.2), rel=1e-12)  # float32 stops near 1e-6
    assert nt_xent(z1.bfloat16(), z2.bfloat16(), 0.2).dtype == torch.float32


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


def _inputs():
    g = torch.Generator().manual_seed(2)
    return torch.randn(8, 5, generator=g), torch.randn(8, 5, generator=g), torch.randn(5, 4, generator=g)


def _rank(rank, port, out):
    import os

    import torch.distributed as dist

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=2)
    x1, x2, w = _inputs()
    w.requires_grad_(True)
    rows = slice(4 * rank, 4 * rank + 4)  # this rank's half of the global batch of 8
    loss = nt_xent(x1[rows] @ w, x2[rows] @ w, 0.2)
    loss.backward()
    grad = w.grad.clone()
    dist.all_reduce(grad)  # what DDP does: the mean of the ranks' gradients
    torch.save({"loss": loss.detach(), "grad": grad / 2}, f"{out}/rank{rank}.pt")
    dist.destroy_process_group()


def test_two_processes_with_b_rows_equal_one_process_with_2b(tmp_path):
    import torch.multiprocessing as mp

    mp.spawn(_rank, args=(free_port(), str(tmp_path)), nprocs=2, join=True)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    x1, x2, w = _inputs()
    w.requires_grad_(True)
    loss = nt_xent(x1 @ w, x2 @ w, 0.2)
    loss.backward()
    torch.testing.assert_close((ranks[0]["loss"] + ranks[1]["loss"]) / 2, loss.detach())
    for r in ranks:
        torch.testing.assert_close(r["grad"], w.grad)
    # without the gathered candidates each rank would see only its own 2B - 1: a different loss
    assert not torch.allclose(nt_xent(x1[:4] @ w, x2[:4] @ w, 0.2), ranks[0]["loss"])
