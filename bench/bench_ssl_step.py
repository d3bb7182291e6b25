"""One self-supervised training step of DUET (two views: RandomResizedCrop + RandomRotation, the
encoder, the head, NT-Xent + JSD + the online probe): the batched augmentation stack on the device
(reprlab.augment) against the same model fed by a per-sample torchvision ``transforms.v2``
DataLoader; also the share of the step spent augmenting.

    python bench/bench_ssl_step.py [--device auto] [--width W] [--batch-size B] [--steps 10]

Synthetic uint8 images stand in for CIFAR-10 (the timing does not depend on the pixels). On a GPU
the model runs under bf16 autocast; augmentations and targets stay float32.
"""

import argparse
import time

import numpy as np
import torch
import torchvision.transforms.v2 as T
from harness import Row, emit
from torch.utils.data import DataLoader, Dataset

from reprlab.augment import AugStack
from reprlab.data import ImageSet
from reprlab.data.views import TwoViewLoader
from reprlab.papers.duet.training import DuetJob, build_ssl_model, ssl_step
from reprlab.training import Batch, resolve_device


class TwoViews(Dataset):
    """What a torchvision pipeline does per item: two independently augmented views of a uint8
    image (the rotation angle is recorded by drawing it here, as upstream needs it)."""

    def __init__(self, images: torch.Tensor) -> None:
        self.images = images
        self.crop = T.RandomResizedCrop(32, scale=(0.2, 1.0), antialias=False)

    def __len__(self) -> int:
        return len(self.images)

    def view(self, image: torch.Tensor) -> tuple[torch.Tensor, float]:
        degrees = float(torch.empty(1).uniform_(-180, 180))
        out = T.functional.rotate(self.crop(image), degrees, interpolation=T.InterpolationMode.BILINEAR)
        return out.float() / 255 - 0.5, degrees

    def __getitem__(self, i: int):
        (a, da), (b, db) = self.view(self.images[i]), self.view(self.images[i])
        return a, b, da, db, 0


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def train_steps(model, step, batches, device, steps: int, optimizer) -> float:
    """Seconds per step, fetching the batch included, over ``steps`` steps (after one warm-up step)."""
    times = []
    batches = iter(batches)
    for _ in range(steps + 1):
        start = time.perf_counter()
        batch = next(batches)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            out = step(model, batch)
        optimizer.zero_grad(set_to_none=True)
        out.loss.backward()
        optimizer.step()
        sync(device)
        times.append(time.perf_counter() - start)
    return float(np.mean(times[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--width", type=float, default=None, help="default: 1.0 on a GPU, 0.125 on the CPU")
    parser.add_argument("--batch-size", type=int, default=None, help="default: 512 on a GPU, 128 on the CPU")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    device = resolve_device(args.device)
    gpu = device.type == "cuda"  # sized for the device: upstream's model on a GPU, the quick profile's on a CPU
    args.width = args.width or (1.0 if gpu else 0.125)
    args.batch_size = args.batch_size or (512 if gpu else 128)
    n = args.batch_size * (args.steps + 2)
    images = torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    data = ImageSet("cifar10", images, torch.zeros(n, dtype=torch.long), [str(i) for i in range(10)])
    job = DuetJob.defaults(model="duet", encoder="cifar10_resnet20", width=args.width, batch_size=args.batch_size,
                           center_crop=False, device=str(device))
    model = build_ssl_model(job, 3, 10).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    step = ssl_step(job.method())
    stack = AugStack(job.tx, job.image_size)

    loader = TwoViewLoader(data, args.batch_size, stack, train=True, device=device)
    batches = iter(loader)
    augment = []
    for _ in range(args.steps + 1):
        sync(device)
        start = time.perf_counter()
        next(batches)
        sync(device)
        augment.append(time.perf_counter() - start)
    augment_seconds = float(np.mean(augment[1:]))
    device_step = train_steps(model, step, iter(loader), device, args.steps, optimizer)

    def torchvision_batches():
        plain = DataLoader(TwoViews(images), batch_size=args.batch_size, shuffle=True, num_workers=args.workers,
                           drop_last=True)
        for a, b, da, db, y in plain:
            yield Batch(a.to(device), y.to(device), y.to(device),
                        {"view2": b.to(device), "params1": {"rot": {"degrees": da.float()}},
                         "params2": {"rot": {"degrees": db.float()}}})

    plain_step = train_steps(model, step, torchvision_batches(), device, args.steps, optimizer)
    emit("ssl_step", device, {"model": f"widened ResNet-20 x{args.width}", "batch": args.batch_size,
                              "tx": "sca rot", "steps": args.steps},
         [Row("DUET step: on-device stack vs torchvision v2 DataLoader",
              f"{args.batch_size / device_step:.0f} vs {args.batch_size / plain_step:.0f} images/s",
              plain_step / device_step),
          Row("augmentation share of the on-device step",
              f"{100 * augment_seconds / device_step:.1f} % ({augment_seconds * 1e3:.1f} ms for two views)")])


if __name__ == "__main__":
    main()
