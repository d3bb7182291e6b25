"""Training throughput (images/s) of ResNet-32 on CIFAR-sized inputs (3x32x32, crop+flip
augmentation): the engine with the device-resident loader against a plain torchvision
DataLoader loop (PIL transforms in worker processes), same model, same machine, one run each.

    python bench/bench_loader.py [--images 10240] [--device auto] [--workers 4]

Synthetic uint8 images stand in for CIFAR-10 (the timing does not depend on the pixels).
"""

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms as T
from harness import Row, emit
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from reprlab.data import DeviceLoader, ImageSet
from reprlab.models import build_model
from reprlab.training import TrainConfig, fit, resolve_device

GOAL = 1.5  # on the CPU and on a GPU
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


class PilCifar(Dataset):
    """What torchvision's CIFAR10 does per item: HWC uint8 -> PIL -> transforms."""

    def __init__(self, images: np.ndarray, targets: np.ndarray) -> None:
        self.images, self.targets = images, targets
        self.transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                                    T.Normalize(MEAN, STD)])

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        return self.transform(Image.fromarray(self.images[i])), int(self.targets[i])


def plain_loop(model, loader, device, amp: bool) -> float:
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    model.train()
    seen, start = 0, time.perf_counter()
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp and device.type == "cuda"):
            loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        seen += len(y)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return seen / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10240)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--epochs", type=int, default=2, help="the first epoch is warm-up, not timed")
    args = parser.parse_args()
    device = resolve_device(args.device)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (args.images, 32, 32, 3), dtype=np.uint8)
    targets = rng.integers(0, 10, args.images)

    torch.manual_seed(0)
    model = build_model("resnet32", 10).to(device)
    data = ImageSet("cifar10", torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(),
                    torch.from_numpy(targets), [str(i) for i in range(10)])
    loader = DeviceLoader(data, args.batch_size, train=True, device=device, channels_last=device.type == "cuda")
    history = fit(model, loader, TrainConfig(epochs=args.epochs, lr=0.1, schedule="constant"), log=lambda _: None)
    engine = len(loader) * args.batch_size / np.mean([r["seconds"] for r in history[1:]])

    torch.manual_seed(0)
    model = build_model("resnet32", 10).to(device)
    plain = DataLoader(PilCifar(images, targets), batch_size=args.batch_size, shuffle=True, drop_last=True,
                       num_workers=args.workers, pin_memory=device.type == "cuda", persistent_workers=args.workers > 0)
    rates = [plain_loop(model, plain, device, amp=True) for _ in range(args.epochs)]
    baseline = float(np.mean(rates[1:]))

    emit("loader", device, {"images": args.images, "batch": args.batch_size, "model": "ResNet-32",
                            "DataLoader workers": args.workers, "timed epochs": args.epochs - 1},
         [Row("engine + DeviceLoader vs plain DataLoader loop", f"{engine:.0f} vs {baseline:.0f} images/s",
              engine / baseline, GOAL)])


if __name__ == "__main__":
    main()
