"""Where `quick` training stands against the machine: achieved images/s and GFLOP/s of one
training step (forward, backward, SGD) of the `quick` classifier, ResNet-20 on 1x28x28
Fashion-MNIST-sized inputs at batch 128, against a measured float32 matmul peak of the same
machine; and what channels-last memory and ``torch.compile`` change (measured, not assumed).

    python bench/bench_cpu_training.py [--device cpu] [--batch-size 128] [--compile]

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode`` (convolutions and matmuls,
forward and backward). ``--compile`` adds the compiled step (minutes of compilation on a CPU).
"""

import argparse

import torch
import torch.nn.functional as F
from harness import Row, emit, measure
from torch.utils.flop_counter import FlopCounterMode

from reprlab.models import build_model
from reprlab.training import resolve_device


def matmul_peak(device: torch.device, size: int = 2048) -> float:
    """GFLOP/s of a square float32 matmul (2 n³ FLOP)."""
    a, b = torch.randn(size, size, device=device), torch.randn(size, size, device=device)
    timing = measure(lambda: a @ b, device, warmup=2, repeats=5)
    return 2 * size ** 3 / timing.median / 1e9


def step_fn(model: torch.nn.Module, images: torch.Tensor, targets: torch.Tensor):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        loss = F.cross_entropy(model(images), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args()
    device = resolve_device(args.device)
    torch.manual_seed(0)
    images = torch.randn(args.batch_size, 1, 28, 28, device=device)
    targets = torch.randint(0, 10, (args.batch_size,), device=device)
    peak = matmul_peak(device)

    model = build_model("resnet20", 10, 1, 28).to(device)
    counter = FlopCounterMode(display=False)
    with counter:
        step_fn(model, images, targets)()
    flops = counter.get_total_flops()

    def run(memory: torch.memory_format, compiled: bool = False):
        model = build_model("resnet20", 10, 1, 28).to(device, memory_format=memory)
        fn = step_fn(torch.compile(model) if compiled else model, images.contiguous(memory_format=memory), targets)
        return measure(fn, device, warmup=3 if compiled else 2, repeats=args.repeats)

    plain = run(torch.contiguous_format)
    rows = [Row("float32 matmul peak (2048²)", f"{peak:.1f} GFLOP/s"),
            Row("ResNet-20 step, contiguous", f"{args.batch_size / plain.median:.0f} images/s, "
                f"{flops / plain.median / 1e9:.1f} GFLOP/s = {100 * flops / plain.median / 1e9 / peak:.0f} % of the "
                f"matmul peak ({plain})")]
    last = run(torch.channels_last)
    rows.append(Row("channels-last vs contiguous", f"{args.batch_size / last.median:.0f} images/s ({last})",
                    plain.median / last.median))
    if args.compile:
        compiled = run(torch.contiguous_format, compiled=True)
        rows.append(Row("torch.compile vs eager", f"{args.batch_size / compiled.median:.0f} images/s ({compiled})",
                        plain.median / compiled.median))
    emit("cpu_training", device, {"model": "ResNet-20, 1x28x28", "batch": args.batch_size,
                                  "GFLOP per step": round(flops / 1e9, 2)}, rows)


if __name__ == "__main__":
    main()
