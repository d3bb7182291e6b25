"""MCR2 loss forward + backward: the batched implementation (one batched factorisation, smaller of the
d x d and n x n forms) against upstream's per-class loop (dense Π_j, one logdet per class).

    python bench/bench_mcr2_loss.py [--device auto] [--repeats 30]
"""

import argparse

import torch
import torch.nn.functional as F
from harness import Row, device_kind, emit, measure

from reprlab.losses import coding_rates, coding_rates_loop
from reprlab.training import resolve_device

GOALS = {"cpu": 30.0, "cuda": 10.0}  # batched vs per-class loop at k = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=30)  # the fast side takes about 2 ms: a stable median
    args = parser.parse_args()
    device = resolve_device(args.device)
    m, d = 1000, 128
    rows = []
    for k in (10, 100):
        g = torch.Generator().manual_seed(k)
        raw = torch.randn(m, d, generator=g).to(device).requires_grad_()
        labels = torch.randint(0, k, (m,), generator=g).to(device)

        def batched(k=k, raw=raw, labels=labels):
            r = coding_rates(F.normalize(raw, dim=1), labels, num_classes=k)
            (-r.expansion + r.compression).backward()

        def loop(k=k, raw=raw, labels=labels):
            r = coding_rates_loop(F.normalize(raw, dim=1), labels, k)
            (-r.expansion + r.compression).backward()

        fast = measure(batched, device, warmup=2, repeats=args.repeats)
        slow = measure(loop, device, warmup=1, repeats=max(3, args.repeats // 3))
        rows.append(Row(f"k={k}: batched vs per-class loop", f"{fast} vs {slow}", slow.median / fast.median,
                        GOALS[device_kind(device)] if k == 10 else None))
    emit("mcr2_loss", device, {"m": m, "d": d, "pass": "forward + backward"}, rows)


if __name__ == "__main__":
    main()
