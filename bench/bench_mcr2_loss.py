"""MCR2 loss forward + backward: the batched implementation (one batched Cholesky, smaller of the
d x d and n x n forms) against upstream's per-class loop (dense Π_j, one logdet per class).

    python bench/bench_mcr2_loss.py [--device auto] [--repeats 10]
"""

import argparse
import time

import torch
import torch.nn.functional as F

from reprlab.losses import coding_rates, coding_rates_loop
from reprlab.training import resolve_device


def timed(fn, repeats: int, device: torch.device) -> float:
    fn()  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    device = resolve_device(args.device)
    m, d = 1000, 128
    print(f"device {device} | m={m} d={d} | forward + backward, mean of {args.repeats}")
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

        fast, slow = timed(batched, args.repeats, device), timed(loop, args.repeats, device)
        print(f"k={k:>3} | batched {1e3 * fast:8.2f} ms | per-class loop {1e3 * slow:8.2f} ms | "
              f"speed-up {slow / fast:6.1f}x")


if __name__ == "__main__":
    main()
