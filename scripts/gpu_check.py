"""One GPU check: every CUDA code path once, the benchmarks, and one rehearsed notebook per paper on
the GPU; one JSON summary on stdout (and in ``bench/results/gpu_check.json``). ``make gpu-check``
runs it; it takes a few minutes on one H100 (at most 8).

    python scripts/gpu_check.py              # on a machine with a GPU
    python scripts/gpu_check.py --dry-run    # the same checks on the CPU, tiny; bench and rehearsal listed

Checks: the engine (``fit``) with bf16 autocast, channels-last, the device-resident loader and
``compile=True``; the MCR² loss's block inverse against one batched Cholesky; a batched PGD
attack; ``nproc=2`` (DDP through torchrun) when there are two GPUs; ``bench/run_all.py`` on the
GPU; ``run NOTEBOOK --profile paper --rehearse -p device=cuda`` for one notebook per paper.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
#: One notebook per paper, rehearsed on the GPU (label_training needs label_generation's banks).
REHEARSED = ("train_classifier", "mcr2_train", "agreement_network", "label_training", "frequency_gradients",
             "duet_train")


def check_engine(device: torch.device, steps: int) -> dict[str, Any]:
    """A ResNet-20 trained by ``fit`` on device-resident random CIFAR-sized data: bf16 autocast,
    channels-last and ``compile`` (they take effect on CUDA only)."""
    from reprlab.data import ImageSet, make_loader
    from reprlab.models import build_model
    from reprlab.training import TrainConfig, fit

    data = ImageSet("cifar10", torch.randint(0, 256, (steps * 64, 3, 32, 32), dtype=torch.uint8),
                    torch.randint(0, 10, (steps * 64,)), [str(i) for i in range(10)])
    model = build_model("resnet20", 10).to(device)
    loader = make_loader(data, 64, train=True, device=device, channels_last=True)
    config = TrainConfig(epochs=2, amp=True, channels_last=True, compile=device.type == "cuda")
    start = time.perf_counter()
    history = fit(model, loader, config, log=lambda _: None)
    return {"epochs": len(history), "final_train_loss": history[-1]["train_loss"], "compiled": config.compile,
            "seconds": round(time.perf_counter() - start, 2)}


def check_mcr2_inverse(device: torch.device) -> dict[str, Any]:
    """The block inverse and log-determinant against one batched Cholesky, 11 SPD 128 x 128."""
    from reprlab.losses.mcr2 import spd_inverse_logdet

    a = torch.randn(11, 128, 300, device=device, dtype=torch.float64)
    spd = a @ a.transpose(1, 2) / 300 + 0.5 * torch.eye(128, device=device, dtype=torch.float64)
    inverse, logdet = spd_inverse_logdet(spd)
    factor = torch.linalg.cholesky(spd)
    errors = {"inverse_max_abs_error": float((inverse - torch.cholesky_inverse(factor)).abs().max()),
              "logdet_max_abs_error": float((logdet - 2 * factor.diagonal(dim1=1, dim2=2).log().sum(1)).abs().max())}
    if max(errors.values()) > 1e-8:
        raise AssertionError(f"the block inverse differs from the batched Cholesky: {errors}")
    return errors


def check_attack(device: torch.device) -> dict[str, Any]:
    """A batched PGD attack (32 radii in one pass) on an untrained ResNet-20: every adversarial
    image stays in its own L∞ ball (pixel units)."""
    import torch.nn.functional as F

    from reprlab.data.datasets import dataset_info
    from reprlab.evaluation.attacks import attack
    from reprlab.models import build_model

    info = dataset_info("cifar10")
    model = build_model("resnet20", 10).to(device).eval()
    mean, std = (torch.tensor(v, device=device).view(1, 3, 1, 1) for v in (info.mean, info.std))
    images = (torch.rand(32, 3, 32, 32, device=device) - mean) / std
    labels = torch.randint(0, 10, (32,), device=device)
    eps = torch.linspace(0.0, 0.06, 32, device=device)
    adv = attack(model, images, labels, eps, method="pgd", loss_fn=lambda o, y: F.cross_entropy(o, y, reduction="sum"),
                 mean=info.mean, std=info.std, steps=5, generator=torch.Generator().manual_seed(0))
    moved = ((adv - images) * std).abs().amax(dim=(1, 2, 3))
    if not bool((moved <= eps + 1e-5).all()):
        raise AssertionError(f"PGD left its ball by up to {float((moved - eps).max()):.3g} pixel units")
    return {"max_pixel_move": float(moved.max()), "images": len(images)}


def run_command(command: list[str], env: dict[str, str], dry_run: bool) -> dict[str, Any]:
    """Run ``command`` (not in a dry run) and say how it ended."""
    if dry_run:
        return {"command": " ".join(command), "ran": False}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return {"command": " ".join(command), "ran": True, "returncode": done.returncode,
            "seconds": round(time.perf_counter() - start, 1), "tail": done.stdout[-600:] + done.stderr[-600:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true",
                        help="run the checks on the CPU with tiny sizes; list the bench and rehearsal commands")
    args = parser.parse_args(argv)
    if not args.dry_run and not torch.cuda.is_available():
        print("error: no CUDA device (torch.cuda.is_available() is False); --dry-run runs the checks on the CPU",
              file=sys.stderr)
        return 2
    device = torch.device("cpu" if args.dry_run else "cuda")
    summary: dict[str, Any] = {"device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
                               "torch": torch.__version__, "dry_run": args.dry_run}
    checks = {"engine": lambda: check_engine(device, 2 if args.dry_run else 50),
              "mcr2_block_inverse": lambda: check_mcr2_inverse(device),
              "batched_pgd": lambda: check_attack(device)}
    for name, check in checks.items():
        try:
            summary[name] = check()
        except Exception as err:  # one failing path is reported, the others still run
            summary[name] = {"error": f"{type(err).__name__}: {err}"}
    py = sys.executable
    env = {**os.environ}
    gpus = torch.cuda.device_count() if device.type == "cuda" else 0
    summary["nproc_2"] = (run_command([py, "-m", "reprlab", "run", "train_classifier", "--profile", "smoke", "-p",
                                       "nproc=2", "-p", "device=cuda", "--rerun"], env, args.dry_run)
                          if gpus >= 2 or args.dry_run else {"skipped": f"{gpus} GPU"})
    summary["bench"] = run_command([py, "bench/run_all.py", "--device", "cuda"], env, args.dry_run)
    with tempfile.TemporaryDirectory() as rehearsal_dir:
        env["REPRLAB_REHEARSAL_DIR"] = rehearsal_dir
        summary["rehearsal"] = {nb: run_command([py, "-m", "reprlab", "run", nb, "--profile", "paper", "--rehearse",
                                                 "-p", "device=cuda"], env, args.dry_run) for nb in REHEARSED}
    failed = [k for k, v in summary.items() if isinstance(v, dict) and ("error" in v or v.get("returncode"))]
    failed += [f"rehearsal.{nb}" for nb, v in summary["rehearsal"].items() if v.get("returncode")]
    summary["failed"] = failed
    out = ROOT / "bench" / "results" / ("gpu_check.dry_run.json" if args.dry_run else "gpu_check.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
