"""A two-process DistributedDataParallel step on CPU (gloo) equals one step on the whole batch."""

import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from reprlab.data import ImageSet, make_loader
from reprlab.models import build_model
from reprlab.training import TrainConfig, fit
from tests.conftest import free_port

BATCH, N = 8, 32


def _data():
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (N, 1, 28, 28), dtype=torch.uint8, generator=g)
    return ImageSet("fashionmnist", images, torch.randint(0, 10, (N,), generator=g), [str(i) for i in range(10)])


def _model():
    torch.manual_seed(0)
    return build_model("lenet5", 10, 1, 28)  # no batch norm: per-rank statistics would differ


def _worker(rank, port, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=2)
    torch.set_num_threads(1)
    model = _model()
    loader = make_loader(_data(), BATCH, train=True, seed=1)  # shards by rank
    loader.crop_padding, loader.flip = 0, False
    first = next(iter(loader)).indices
    loader.load_state_dict({"generator": torch.Generator().manual_seed(1).get_state()})
    fit(model, _limit(loader, 1), TrainConfig(epochs=1, lr=0.1, momentum=0.0, weight_decay=0.0, schedule="constant"),
        log=lambda _: None)
    torch.save({"params": [p.detach() for p in model.parameters()], "indices": first}, f"{out}/rank{rank}.pt")
    dist.destroy_process_group()


class _limit:
    """The first ``steps`` batches of a loader, keeping its state API."""

    def __init__(self, loader, steps):
        self.loader, self.steps = loader, steps

    def __len__(self):
        return self.steps

    def __iter__(self):
        for i, batch in enumerate(self.loader):
            if i == self.steps:
                return
            yield batch

    def state_dict(self):
        return self.loader.state_dict()

    def load_state_dict(self, state):
        self.loader.load_state_dict(state)


def test_two_process_ddp_step_matches_a_full_batch_step(tmp_path):
    mp.spawn(_worker, args=(free_port(), str(tmp_path)), nprocs=2, join=True)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    for a, b in zip(ranks[0]["params"], ranks[1]["params"], strict=True):
        assert torch.equal(a, b)  # replicas stay identical

    indices = torch.cat([r["indices"] for r in ranks])
    assert len(set(indices.tolist())) == 2 * BATCH  # disjoint shards
    data, model = _data(), _model()
    x = (data.images[indices].float() / 255 - 0.2860) / 0.3530
    loss = F.cross_entropy(model(x), data.targets[indices])
    loss.backward()
    with torch.no_grad():
        for p, ddp_p in zip(model.parameters(), ranks[0]["params"], strict=True):
            torch.testing.assert_close(p - 0.1 * p.grad, ddp_p, rtol=1e-5, atol=1e-6)
