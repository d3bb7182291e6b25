"""BIM (5 steps) on a batch of test images against the same attack one image at a time
(upstream's batch size 1), same ResNet-32 model on CIFAR-sized inputs.

    python bench/bench_attacks.py [--images 256] [--device auto]
"""

import argparse
import time

import torch
import torch.nn.functional as F

from reprlab.evaluation.attacks import attack
from reprlab.models import build_model
from reprlab.training import resolve_device

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    torch.manual_seed(0)
    model = build_model("resnet32", 10).to(device).eval()
    images = torch.randn(args.images, 3, 32, 32, device=device)
    labels = torch.randint(0, 10, (args.images,), device=device)

    def loss(outputs, y):
        return F.cross_entropy(outputs, y, reduction="sum")

    kwargs = dict(method="bim", loss_fn=loss, mean=MEAN, std=STD, steps=5)

    def timed(fn):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        out = fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return out, time.perf_counter() - start

    batched, fast = timed(lambda: attack(model, images, labels, 8 / 255, **kwargs))
    single, slow = timed(lambda: torch.cat([attack(model, images[i:i + 1], labels[i:i + 1], 8 / 255, **kwargs)
                                            for i in range(args.images)]))
    # Batch-1 and batched convolutions round differently, which can flip the sign of a near-zero
    # gradient entry; everything else is identical.
    same = float(((batched - single).abs() < 1e-4).float().mean())
    print(f"device {device} | {args.images} images | BIM 5 steps, eps 8/255 | {100 * same:.3f} % of pixels identical")
    print(f"batched     : {args.images / fast:8.1f} images/s")
    print(f"one by one  : {args.images / slow:8.1f} images/s")
    print(f"speed-up    : {slow / fast:8.1f}x")


if __name__ == "__main__":
    main()
