"""Adversarial attacks on batches: FGSM, iterative FGSM (BIM) and PGD with random start,
untargeted or targeted.

Images are the model's normalised inputs (B, C, H, W); ``mean``/``std`` (per channel, pixel units
in [0, 1]) say how they were normalised, so that ``eps`` is stated in **pixel units** (e.g. 8/255)
and adversarial images are clamped to the **valid pixel range**. Every example is attacked
independently (the loss is summed over the batch and the model must be in eval mode), so a batch
gives the same result as one image at a time.

``upstream_quirks=True`` reproduces "Beyond categorical label representations" (``attack.py``):
eps in normalised units, FGSM clamped to each image's own min/max, no clamp in BIM, and BIM steps
taking the sign of the *cumulative* input gradient (``data.grad`` never zeroed).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
import torch.nn as nn

from reprlab.data.normalize import Normalizer
from reprlab.evaluation.input_gradients import LossFn, input_gradient

METHODS = ("fgsm", "bim", "pgd")


def _radius(eps: float | torch.Tensor, normalizer: Normalizer, quirks: bool) -> torch.Tensor:
    if quirks:  # upstream: eps in normalised units
        return torch.as_tensor(eps, device=normalizer.std.device)
    return normalizer.pixel_radius(eps)


def _bounds(images: torch.Tensor, normalizer: Normalizer, quirks: bool) -> tuple[torch.Tensor, torch.Tensor]:
    if quirks:  # upstream: the image's own scalar min and max
        flat = images.flatten(1)
        shape = (-1,) + (1,) * (images.ndim - 1)
        return flat.min(1).values.view(shape), flat.max(1).values.view(shape)
    return normalizer.pixel_bounds()


def attack(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, eps: float | torch.Tensor, *,
           method: str = "fgsm",
           loss_fn: LossFn, mean: tuple[float, ...], std: tuple[float, ...], targets: torch.Tensor | None = None,
           steps: int = 5, alpha: float | None = None, generator: torch.Generator | None = None,
           upstream_quirks: bool = False) -> torch.Tensor:
    """Adversarial versions (B, C, H, W) of normalised ``images`` within an L∞ ball of radius ``eps``
    (one radius, or a tensor (B,) of one per image: several radii in one batched pass).

    loss_fn(outputs, labels) must *sum* over the batch. Untargeted: ascend ``loss_fn(., labels)``;
    with ``targets`` (B,): descend ``loss_fn(., targets)``. BIM/PGD take ``steps`` steps of size
    ``alpha`` (default eps / steps for BIM, 2.5 eps / steps for PGD); PGD starts at a uniform random
    point of the ball (``generator`` on the CPU).
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r}; allowed values: {', '.join(METHODS)}")
    if torch.is_tensor(eps):
        if eps.shape != (len(images),):
            raise ValueError(f"eps has shape {tuple(eps.shape)}; a tensor of radii needs one per image: "
                             f"({len(images)},)")
        if (eps < 0).any():
            raise ValueError(f"eps={eps.tolist()!r} must be non-negative")
        eps = eps.to(images.device, images.dtype).view(-1, *(1,) * (images.ndim - 1))
    elif eps < 0:
        raise ValueError(f"eps={eps!r} must be non-negative")
    elif eps == 0:  # every method leaves the image unchanged; skip the gradients
        return images.detach().clone()
    device = images.device
    normalizer = Normalizer(mean, std, device, images.dtype)  # float64 images keep float64 bounds
    radius = _radius(eps, normalizer, upstream_quirks)
    low, high = _bounds(images, normalizer, upstream_quirks)
    goal, direction = (labels, 1.0) if targets is None else (targets, -1.0)
    original = images.detach()

    if method == "fgsm":
        step = direction * radius * input_gradient(model, original, goal, loss_fn).sign()
        return torch.clamp(original + step, low, high).detach()

    step_size = _radius(alpha, normalizer, upstream_quirks) if alpha is not None else (
        radius / steps if method == "bim" else 2.5 * radius / steps)
    adv = original.clone()
    if method == "pgd":
        noise = torch.rand(original.shape, generator=generator, dtype=original.dtype).to(device) * 2 - 1
        adv = torch.clamp(original + noise * radius, low, high)
    cumulative = torch.zeros_like(original)
    for _ in range(steps):
        grad = input_gradient(model, adv, goal, loss_fn)
        if upstream_quirks and method == "bim":
            cumulative = cumulative + grad
            grad = cumulative
        adv = adv + direction * step_size * grad.sign()
        adv = torch.max(torch.min(adv, original + radius), original - radius)  # back into the ball
        if not (upstream_quirks and method == "bim"):
            adv = torch.clamp(adv, low, high)
    return adv.detach()


def random_targets(labels: torch.Tensor, indices: torch.Tensor, num_classes: int, seed: int = 444) -> torch.Tensor:
    """A target class per example, never its label, fixed by (example index, seed) so it does
    not depend on batching or on global RNG state (upstream reseeds the global RNG with 444)."""
    mixed = (indices.long() * 2654435761 + seed * 40503) % 2**31  # Knuth multiplicative hash
    return (labels + 1 + mixed % (num_classes - 1)) % num_classes


@dataclass
class AttackResult:
    """Per-eps accuracy under attack (correct on the true class; initially wrong examples count
    as failures) and, for targeted attacks, the rate at which the target class is predicted."""

    eps: list[float]
    accuracy: list[float]
    target_hit_rate: list[float] | None


@torch.no_grad()
def evaluate_attack(model: nn.Module, loader: Iterable, eps_list: list[float], *, method: str, loss_fn: LossFn,
                    predict: Callable[[torch.Tensor], torch.Tensor], mean: tuple[float, ...], std: tuple[float, ...],
                    num_classes: int, targeted: bool = False, steps: int = 5, seed: int = 444,
                    upstream_quirks: bool = False, stack_eps: bool = False) -> AttackResult:
    """Attack every batch of ``loader`` (images, labels, indices) at every eps; eps 0 is the clean
    prediction. ``stack_eps`` attacks at every non-zero eps in one pass (the batch repeated once per
    eps: fewer, larger kernels, for a launch-bound GPU); on the CPU one pass per eps is faster
    (``bench/bench_attacks.py``: 0.71x for 3 eps x 256 CIFAR images on 2 cores)."""
    model.eval()
    correct = torch.zeros(len(eps_list))
    hits = torch.zeros(len(eps_list))
    total = 0
    generator = torch.Generator().manual_seed(seed)
    radii = sorted({float(e) for e in eps_list if e != 0})
    kwargs = dict(method=method, loss_fn=loss_fn, mean=mean, std=std, steps=steps, generator=generator,
                  upstream_quirks=upstream_quirks)
    for batch in loader:
        images, labels, indices = batch.images, batch.targets, batch.indices
        clean = predict(model(images))
        clean_ok = clean == labels
        targets = random_targets(labels, indices, num_classes, seed) if targeted else None
        if stack_eps and radii:
            repeat = len(radii)
            eps = torch.tensor(radii, device=images.device).repeat_interleave(len(images))
            adv = attack(model, images.repeat(repeat, *(1,) * (images.ndim - 1)), labels.repeat(repeat), eps,
                         targets=targets.repeat(repeat) if targeted else None, **kwargs)
            attacked = dict(zip(radii, predict(model(adv)).view(repeat, len(images)), strict=True))
        else:
            attacked = {e: predict(model(attack(model, images, labels, e, targets=targets, **kwargs))) for e in radii}
        for i, e in enumerate(eps_list):
            pred = attacked.get(float(e), clean)
            correct[i] += ((pred == labels) & clean_ok).sum().item()
            if targeted:
                hits[i] += (pred == targets).sum().item()
        total += len(labels)
    return AttackResult(list(eps_list), (correct / total).tolist(), (hits / total).tolist() if targeted else None)
