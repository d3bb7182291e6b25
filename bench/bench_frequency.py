"""Frequency-bias building blocks on CIFAR-sized images (32x32x3): the batched implementations
against a per-image loop of the upstream recipe (numpy FFT per image and channel, upstream's
azimuthal average, HARS's per-image mixing).

    python bench/bench_frequency.py [--images 10000] [--loop-images 500] [--repeats 3]

Loops are timed on ``--loop-images`` images and scaled to the full count; the batched versions
are timed ``--repeats`` times after a warm-up and reported as the median.
"""

import argparse

import numpy as np
import torch
from harness import Row, emit, measure

from reprlab.papers.frequency.hars import assign_donors, hars_mix
from reprlab.papers.frequency.spectra import frequency_split, gradient_spectrum


def azimuthal_average(image: np.ndarray) -> np.ndarray:
    y, x = np.indices(image.shape)
    center = (x.max() - x.min()) / 2.0
    r = np.hypot(x - center, y - center)
    ind = np.argsort(r.flat)
    r_int, i_sorted = r.flat[ind].astype(int), image.flat[ind]
    rind = np.where(r_int[1:] - r_int[:-1])[0]
    csim = np.cumsum(i_sorted, dtype=float)
    return (csim[rind[1:]] - csim[rind[:-1]]) / (rind[1:] - rind[:-1])


def split_loop(images: np.ndarray, radius: float) -> None:
    h, w = images.shape[1:3]
    yy, xx = np.indices((h, w))
    low = np.hypot(yy - h / 2, xx - w / 2) < radius
    for image in images:
        for c in range(image.shape[2]):
            f = np.fft.fftshift(np.fft.fft2(image[:, :, c].astype(np.float32)))
            for mask in (low, ~low):
                x = np.real(np.fft.ifft2(np.fft.ifftshift(f * mask)))
                np.floor((x - x.min()) / (x.max() - x.min()) * 255).astype(np.uint8)


def hars_loop(images: np.ndarray, donors: np.ndarray, radius: float, count: int) -> None:
    """The first ``count`` images mixed with their donors (anywhere in ``images``)."""
    h, w = images.shape[1:3]
    yy, xx = np.indices((h, w))
    low = np.hypot(yy - h / 2, xx - w / 2) < radius
    for i, image in enumerate(images[:count]):
        for c in range(image.shape[2]):
            mine = np.fft.fftshift(np.fft.fft2(image[:, :, c].astype(np.float32)))
            donor = np.fft.fftshift(np.fft.fft2(images[donors[i], :, :, c].astype(np.float32)))
            x = np.real(np.fft.ifft2(np.fft.ifftshift(donor * low + mine * ~low)))
            np.floor((x - x.min()) / (x.max() - x.min()) * 255).astype(np.uint8)


def spectrum_loop(grads: np.ndarray) -> None:
    for g in grads:
        p = azimuthal_average(np.abs(np.fft.fftshift(np.fft.fft2(g.sum(0)))))
        (p - p.min()) / (p.max() - p.min())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--loop-images", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (args.images, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, args.images)
    grads = torch.randn(args.images, 3, 32, 32)
    donors = assign_donors(labels)
    scale = args.images / args.loop_images
    few = slice(0, args.loop_images)
    cases = [
        ("frequency_split r=12", lambda: frequency_split(images, 12), lambda: split_loop(images[few], 12)),
        ("hars_mix r=12", lambda: hars_mix(images, labels, 12),
         lambda: hars_loop(images, donors, 12, args.loop_images)),
        ("gradient_spectrum (upstream bins)", lambda: gradient_spectrum(grads, "upstream"),
         lambda: spectrum_loop(grads[few].numpy())),
    ]
    rows = []
    for name, batched, loop in cases:
        fast = measure(batched, repeats=args.repeats)
        slow = measure(loop, warmup=0, repeats=1).median * scale
        rows.append(Row(f"{name}: batched vs per-image loop", f"{fast} vs {slow:.2f} s (scaled)", slow / fast.median))
    emit("frequency", torch.device("cpu"), {"images": f"{args.images} x 32x32x3", "loop timed on": args.loop_images},
         rows)


if __name__ == "__main__":
    main()
