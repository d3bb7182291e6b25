"""``fit``: epochs of SGD-family training with per-epoch evaluation, hooks, atomic checkpoints
and exact resume; ``evaluate``: loss, accuracy and every example's prediction on a loader."""

import contextlib
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from reprlab.seeding import rng_state, set_rng_state
from reprlab.training.checkpoint import load_checkpoint, save_checkpoint, write_history
from reprlab.training.distributed import all_reduce_mean, is_main_process, rank_and_world_size
from reprlab.training.hooks import Hook
from reprlab.training.optim import build_optimizer
from reprlab.training.schedules import lr_factor

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]]
PredictFn = Callable[[torch.Tensor], torch.Tensor]


def _split_loss(value: torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]):
    """A loss function may return the scalar loss, or (loss, {name: detached scalar term})."""
    return value if isinstance(value, tuple) else (value, {})


def argmax_predict(outputs: torch.Tensor) -> torch.Tensor:
    """Class prediction from logits: (B, K) -> (B,)."""
    return outputs.argmax(dim=1)


@dataclass
class TrainConfig:
    """Optimisation and systems settings of one training run.

    Schedule milestones and warm-up are fractions of the whole run. ``amp`` (bf16 autocast),
    ``channels_last`` and ``compile`` only take effect on CUDA. ``best_metric`` names a history
    column (e.g. ``"val_accuracy"``) whose best epoch is also saved as ``best.pt``.
    """

    epochs: int
    lr: float = 0.1
    optimizer: str = "sgd"
    momentum: float = 0.9
    weight_decay: float = 5e-4
    nesterov: bool = False
    schedule: str = "multistep"
    milestones: Sequence[float] = field(default=(0.5, 0.75))
    gamma: float = 0.1
    warmup: float = 0.0
    grad_clip: float = 0.0
    amp: bool = True
    channels_last: bool = True
    compile: bool = False
    best_metric: str = ""

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ValueError(f"epochs={self.epochs!r} must be at least 1")
        self.milestones = tuple(self.milestones)


@dataclass
class EvalResult:
    """Mean loss and accuracy on a split, and per-example predictions (N,) int64 on the CPU,
    aligned with ``targets`` and the dataset ``indices``."""

    loss: float
    accuracy: float
    predictions: torch.Tensor
    targets: torch.Tensor
    indices: torch.Tensor


def _autocast(device: torch.device, enabled: bool) -> contextlib.AbstractContextManager:
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@torch.inference_mode()
def evaluate(model: nn.Module, loader: Iterable, loss_fn: LossFn = F.cross_entropy,
             predict: PredictFn = argmax_predict, amp: bool = True) -> EvalResult:
    """Evaluate ``model`` (put in eval mode, restored afterwards) on every batch of ``loader``."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total_loss, preds, targets_all, indices_all = 0.0, [], [], []
    for images, targets, indices in loader:
        with _autocast(device, amp):
            outputs = model(images)
        total_loss += float(_split_loss(loss_fn(outputs.float(), targets))[0]) * len(targets)
        preds.append(predict(outputs.float()).cpu())
        targets_all.append(targets.cpu())
        indices_all.append(indices.cpu())
    model.train(was_training)
    predictions, targets, indices = torch.cat(preds), torch.cat(targets_all), torch.cat(indices_all)
    n = max(1, len(targets))
    return EvalResult(total_loss / n, float((predictions == targets).float().mean()) if len(targets) else math.nan,
                      predictions, targets, indices)


def fit(model: nn.Module, train_loader: Any, config: TrainConfig, *, loss_fn: LossFn = F.cross_entropy,
        predict: PredictFn | None = argmax_predict, eval_loaders: dict[str, Iterable] | None = None,
        hooks: Sequence[Hook] = (), out_dir: str | Path | None = None, until_epoch: int | None = None,
        progress: bool = False, log: Callable[[str], None] = print) -> list[dict[str, float]]:
    """Train ``model`` (already on its device) for ``config.epochs`` epochs.

    train_loader yields (images, targets (B,), indices (B,)) and has ``state_dict`` /
    ``load_state_dict`` for its RNG. ``loss_fn(outputs, targets)`` is a scalar, or ``(scalar,
    {name: term})`` whose terms are averaged per epoch into history columns ``train_<name>``.
    ``predict(outputs)`` gives class predictions for accuracy (``None``: no accuracy, e.g. for
    representation learning). Each epoch evaluates every loader in ``eval_loaders`` (history
    columns ``<split>_loss``, ``<split>_accuracy``).

    With ``out_dir``: after every epoch ``checkpoints/last.pt`` (and ``best.pt``) and
    ``history.{json,csv}`` are written atomically, and a later call with the same ``out_dir``
    resumes exactly where the last completed epoch left off. ``until_epoch`` stops early (the
    schedule still spans ``config.epochs``), e.g. to split a run across jobs.

    Returns the history: one dict per epoch.
    """
    device = next(model.parameters()).device
    eval_loaders = eval_loaders or {}
    main = is_main_process()
    if config.channels_last and device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    train_model: nn.Module = model
    if rank_and_world_size()[1] > 1:
        train_model = nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)
    if config.compile and device.type == "cuda":
        train_model = torch.compile(train_model)

    optimizer = build_optimizer(model, config.optimizer, config.lr, momentum=config.momentum,
                                weight_decay=config.weight_decay, nesterov=config.nesterov)
    steps_per_epoch = len(train_loader)
    if steps_per_epoch == 0:
        raise ValueError("the training loader yields no batch: batch_size is larger than the training set")
    total_steps = config.epochs * steps_per_epoch
    factor = lr_factor(config.schedule, milestones=config.milestones, gamma=config.gamma, warmup=config.warmup)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: factor(step / total_steps))

    history: list[dict[str, float]] = []
    best = -math.inf
    ckpt_dir = Path(out_dir) / "checkpoints" if out_dir is not None else None
    if ckpt_dir is not None and (ckpt_dir / "last.pt").exists():
        # on the CPU: RNG and loader-generator states must stay CPU tensors; the model and the
        # optimizer copy their tensors to the parameters' device as they load
        state = load_checkpoint(ckpt_dir / "last.pt")
        _check_resumable(state["config"], asdict(config), ckpt_dir / "last.pt")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        train_loader.load_state_dict(state["loader"])
        for hook, hook_state in zip(hooks, state["hooks"], strict=True):
            hook.load_state_dict(hook_state)
        set_rng_state(state["rng"])
        history, best = state["history"], state["best"]
        if main:
            log(f"resumed from {ckpt_dir / 'last.pt'} after epoch {state['epoch']}/{config.epochs}")

    last_epoch = min(config.epochs, until_epoch or config.epochs)
    for epoch in range(len(history) + 1, last_epoch + 1):
        start = time.perf_counter()
        train_model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        term_sums: dict[str, torch.Tensor] = {}
        seen = 0
        batches = tqdm(train_loader, disable=not (progress and main), leave=False, mininterval=1.0,
                       desc=f"epoch {epoch}")
        for images, targets, indices in batches:
            with _autocast(device, config.amp):
                outputs = train_model(images)
                loss, terms = _split_loss(loss_fn(outputs.float(), targets))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()
            scheduler.step()
            outputs = outputs.detach().float()
            loss_sum += loss.detach() * len(targets)
            if predict is not None:
                correct += (predict(outputs) == targets).sum()
            for name, value in terms.items():
                term_sums[name] = term_sums.get(name, 0) + value * len(targets)
            seen += len(targets)
            for hook in hooks:
                hook.on_train_batch(epoch, indices, outputs, targets)

        train_loss = float(all_reduce_mean(loss_sum / seen))
        if not math.isfinite(train_loss):
            raise FloatingPointError(f"training loss became {train_loss} in epoch {epoch}; lower lr={config.lr}?")
        record = {"epoch": epoch, "lr": optimizer.param_groups[0]["lr"], "train_loss": train_loss}
        if predict is not None:
            record["train_accuracy"] = float(all_reduce_mean(correct / seen))
        record.update({f"train_{name}": float(all_reduce_mean(total / seen)) for name, total in term_sums.items()})
        for split, loader in eval_loaders.items():
            result = evaluate(model, loader, loss_fn, predict, config.amp)
            record[f"{split}_loss"], record[f"{split}_accuracy"] = result.loss, result.accuracy
            for hook in hooks:
                hook.on_eval(epoch, split, result)
        record["seconds"] = time.perf_counter() - start
        history.append(record)
        for hook in hooks:
            hook.on_epoch_end(epoch, model, record)

        improved = bool(config.best_metric) and record[config.best_metric] > best
        best = record[config.best_metric] if improved else best
        if main and ckpt_dir is not None:
            state = {"epoch": epoch, "config": asdict(config), "model": model.state_dict(),
                     "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                     "loader": train_loader.state_dict(), "rng": rng_state(),
                     "hooks": [hook.state_dict() for hook in hooks], "history": history, "best": best}
            save_checkpoint(ckpt_dir / "last.pt", state)
            if improved:
                save_checkpoint(ckpt_dir / "best.pt", {"epoch": epoch, "model": model.state_dict(),
                                                       config.best_metric: best})
            write_history(out_dir, history)
        if main:
            log(format_record(record, config.epochs))
    return history


def format_record(record: dict[str, float], epochs: int) -> str:
    """One concise line per epoch: ``epoch 3/10 | lr 0.1 | train loss 0.41 acc 85.1% | ...``."""
    parts = [f"epoch {record['epoch']:>{len(str(epochs))}}/{epochs}", f"lr {record['lr']:.3g}"]
    splits = dict.fromkeys(k.rsplit("_", 1)[0] for k in record if k.endswith("_loss"))
    for split in splits:
        accuracy = record.get(f"{split}_accuracy")
        parts.append(f"{split} loss {record[f'{split}_loss']:.4f}"
                     + (f" acc {100 * accuracy:.2f}%" if accuracy is not None else ""))
    parts.append(f"{record['seconds']:.1f}s")
    return " | ".join(parts)


def _check_resumable(saved: dict[str, Any], current: dict[str, Any], path: Path) -> None:
    saved = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}
    changed = {k: (saved.get(k), v) for k, v in current.items() if saved.get(k) != v}
    if changed:
        details = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
        raise RuntimeError(f"cannot resume from {path}: the training config changed ({details}). "
                           "Use a new output directory, or restore the old settings.")
