"""BIM (5 steps) on a batch of test images against the same attack one image at a time
(upstream's batch size 1), same ResNet-32 model on CIFAR-sized inputs; and ``evaluate_attack``
with every eps of a sweep in one batched pass against one pass per eps.

    python bench/bench_attacks.py [--images 256] [--device auto]
"""

import argparse

import torch
import torch.nn.functional as F
from harness import Row, device_kind, emit, measure

from reprlab.evaluation.attacks import attack, evaluate_attack
from reprlab.models import build_model
from reprlab.training import Batch, resolve_device

GOALS = {"cpu": None, "cuda": 50.0}  # the batch pays where kernels are launch-bound: GPUs
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = resolve_device(args.device)
    torch.manual_seed(0)
    model = build_model("resnet32", 10).to(device).eval()
    images = torch.randn(args.images, 3, 32, 32, device=device)
    labels = torch.randint(0, 10, (args.images,), device=device)

    def loss(outputs, y):
        return F.cross_entropy(outputs, y, reduction="sum")

    kwargs = dict(method="bim", loss_fn=loss, mean=MEAN, std=STD, steps=5)

    def one_by_one():
        return torch.cat([attack(model, images[i:i + 1], labels[i:i + 1], 8 / 255, **kwargs)
                          for i in range(args.images)])

    # both timed after a warm-up call, so cuDNN's autotuning of each shape is not counted
    fast = measure(lambda: attack(model, images, labels, 8 / 255, **kwargs), device, repeats=args.repeats)
    slow = measure(one_by_one, device, repeats=1)
    batched, single = attack(model, images, labels, 8 / 255, **kwargs), one_by_one()
    # Batch-1 and batched convolutions round differently, which can flip the sign of a near-zero
    # gradient entry; everything else is identical.
    same = float(((batched - single).abs() < 1e-4).float().mean())
    sweep = [0.0, 2 / 255, 4 / 255, 8 / 255]
    loader = [Batch(images, labels, torch.arange(args.images, device=device))]
    common = dict(method="bim", loss_fn=loss, predict=lambda o: o.argmax(1), mean=MEAN, std=STD, num_classes=10)
    one_pass = measure(lambda: evaluate_attack(model, loader, sweep, stack_eps=True, **common), device,
                       repeats=args.repeats)
    per_eps = measure(lambda: [evaluate_attack(model, loader, [e], **common) for e in sweep], device,
                      repeats=args.repeats)
    emit("attacks", device, {"images": args.images, "model": "ResNet-32", "attack": "BIM 5 steps, eps 8/255",
                             "pixels identical": f"{100 * same:.3f} %", "sweep": "eps 0, 2, 4, 8 / 255"},
         [Row("batched vs one image at a time", f"{args.images / fast.median:.0f} vs {args.images / slow.median:.1f} "
              "images/s", slow.median / fast.median, GOALS[device_kind(device)]),
          Row("eps sweep: all eps in one pass vs one pass per eps", f"{one_pass} vs {per_eps}",
              per_eps.median / one_pass.median)])


if __name__ == "__main__":
    main()
