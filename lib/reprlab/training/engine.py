"""``fit``: epochs of SGD-family training with per-epoch evaluation, hooks, atomic checkpoints
and exact resume; ``evaluate``: loss, accuracy and every example's prediction on a loader.

Both speak the batch contract of :mod:`reprlab.training.batch`: loaders yield :class:`Batch`,
and a step (default: :func:`supervised_step` of ``loss_fn``) turns a batch into a loss."""

import contextlib
import dataclasses
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from reprlab import rehearsal
from reprlab.clock import duration
from reprlab.training.batch import LossFn, PredictFn, Step, argmax_predict, supervised_step
from reprlab.training.checkpoint import load_resume_checkpoint, previous_path, save_checkpoint, write_history
from reprlab.training.distributed import all_reduce_mean, is_main_process, rank_and_world_size
from reprlab.training.hooks import Hook
from reprlab.training.optim import build_optimizer
from reprlab.training.schedules import lr_factor
from reprlab.training.seeding import rng_state, set_rng_state


@dataclass
class TrainConfig:
    """Optimisation and systems settings of one training run.

    Schedule milestones and warm-up are fractions of the whole run. ``amp`` (bf16 autocast) and
    ``compile`` only take effect on CUDA; ``channels_last`` everywhere (on 2 CPU cores it trains
    ResNet-20 1.2-1.35x and LeNet-5 1.2x faster: ``bench/bench_cpu_training.py``). ``best_metric`` names a history
    column (e.g. ``"val_accuracy"``) whose best epoch is also saved as ``best.pt``. ``eval_every``
    evaluates the eval loaders every that many epochs and after the last one (e.g. a long run on
    little data that should not evaluate more often than a full one). ``lr_per_epoch`` holds the
    learning rate for a whole epoch (the schedule sampled at each epoch's start, as a per-epoch
    ``LambdaLR``); by default it changes every step. ``betas`` are Adam's and AdamW's.
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
    eval_every: int = 1
    lr_per_epoch: bool = False
    betas: Sequence[float] = field(default=(0.9, 0.999))

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ValueError(f"epochs={self.epochs!r} must be at least 1")
        if self.eval_every < 1:
            raise ValueError(f"eval_every={self.eval_every!r} must be at least 1")
        self.milestones = tuple(self.milestones)
        self.betas = tuple(self.betas)

    @classmethod
    def from_job(cls, job: Any, **settings: Any) -> "TrainConfig":
        """The config of an experiment's job: every field of this class that ``job`` has (epochs,
        lr, optimizer, momentum, ...), then ``settings`` (e.g. ``best_metric``, ``amp=False``).
        The one way every experiment builds its config, so no setting is silently dropped: the
        settings the run depends on (epochs, lr, optimizer, weight decay and schedule; momentum
        for SGD, milestones for a multistep schedule) must come from the job or ``settings``
        (a job field spelt otherwise would leave a default in its place), and every setting
        must be a field of this class."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(settings) - set(names))
        if unknown:
            raise ValueError(f"TrainConfig has no setting {', '.join(unknown)}; settings: {', '.join(names)}")
        values = {name: getattr(job, name) for name in names if hasattr(job, name)}
        values.update(settings)
        needed = ["epochs", "lr", "optimizer", "weight_decay", "schedule"]
        needed += ["momentum"] if values.get("optimizer") == "sgd" else []
        needed += ["milestones"] if values.get("schedule") == "multistep" else []
        missing = [name for name in needed if name not in values]
        if missing:
            raise ValueError(f"{type(job).__name__} has no {', '.join(missing)}: a training job declares every "
                             "optimisation parameter it uses (reprlab.jobs.TrainingJob), or the call passes it")
        return cls(**values)


@dataclass
class EvalResult:
    """Mean loss and accuracy on a split, and per-example predictions (N,) int64 on the CPU,
    aligned with ``targets`` and the dataset ``indices``. Without a predictor, ``accuracy`` is NaN
    and ``predictions`` is None."""

    loss: float
    accuracy: float
    predictions: torch.Tensor | None
    targets: torch.Tensor
    indices: torch.Tensor


def _autocast(device: torch.device, enabled: bool) -> contextlib.AbstractContextManager:
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@torch.inference_mode()
def evaluate(model: nn.Module, loader: Iterable, loss_fn: LossFn = F.cross_entropy,
             predict: PredictFn | None = argmax_predict, amp: bool = True, *, step: Step | None = None
             ) -> EvalResult:
    """Evaluate ``model`` (put in eval mode, restored afterwards) on every batch of ``loader``
    with ``step`` (default: :func:`supervised_step` of ``loss_fn``); ``predict=None`` skips accuracy."""
    step = step or supervised_step(loss_fn)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total_loss, preds, targets_all, indices_all = 0.0, [], [], []
    for batch in loader:
        with _autocast(device, amp):
            out = step(model, batch)
        total_loss += float(out.loss) * len(batch)
        if predict is not None:
            preds.append(predict(out.outputs.float()).cpu())
        targets_all.append(batch.targets.cpu())
        indices_all.append(batch.indices.cpu())
    model.train(was_training)
    targets, indices = torch.cat(targets_all), torch.cat(indices_all)
    predictions = torch.cat(preds) if predict is not None else None
    accuracy = float((predictions == targets).float().mean()) if predictions is not None and len(targets) else math.nan
    return EvalResult(total_loss / max(1, len(targets)), accuracy, predictions, targets, indices)


def fit(model: nn.Module, train_loader: Any, config: TrainConfig, *, loss_fn: LossFn = F.cross_entropy,
        step: Step | None = None, predict: PredictFn | None = argmax_predict,
        eval_loaders: dict[str, Iterable] | None = None,
        hooks: Sequence[Hook] = (), out_dir: str | Path | None = None, until_epoch: int | None = None,
        progress: bool = False, log: Callable[[str], None] = print) -> list[dict[str, float]]:
    """Train ``model`` (already on its device) for ``config.epochs`` epochs.

    train_loader yields :class:`~reprlab.training.batch.Batch` objects and has ``state_dict`` /
    ``load_state_dict`` for its RNG. ``step(model, batch)`` returns a
    :class:`~reprlab.training.batch.StepOutput`; by default it is :func:`supervised_step` of
    ``loss_fn(outputs, targets)``, a scalar or ``(scalar, {name: term})``. Terms are averaged per
    epoch into history columns ``train_<name>``. ``predict(outputs)`` gives class predictions for
    accuracy against ``batch.targets`` (``None``: no accuracy, e.g. for representation learning).
    Each epoch evaluates every loader in ``eval_loaders`` with the same step (history columns
    ``<split>_loss``, and ``<split>_accuracy`` with a predictor).

    With ``out_dir``: after every epoch ``checkpoints/last.pt`` (and ``best.pt``) and
    ``history.{json,csv}`` are written atomically, and a later call with the same ``out_dir``
    resumes exactly where the last completed epoch left off. ``until_epoch`` stops early (the
    schedule still spans ``config.epochs``), e.g. to split a run across jobs.

    Returns the history: one dict per epoch.
    """
    device = next(model.parameters()).device
    eval_loaders = eval_loaders or {}
    step = step or supervised_step(loss_fn)
    caps, paper_epochs = rehearsal.caps(), config.epochs
    if caps is not None:  # a rehearsal: the whole schedule compressed onto its few epochs
        config = dataclasses.replace(config, epochs=min(config.epochs, caps.epochs))
    main = is_main_process()
    if config.channels_last:  # convolutions follow their weights' layout; inputs may stay contiguous
        model = model.to(memory_format=torch.channels_last)
    train_model: nn.Module = model
    if rank_and_world_size()[1] > 1:
        train_model = nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)
    if config.compile and device.type == "cuda":
        train_model = torch.compile(train_model)

    optimizer = build_optimizer(model, config.optimizer, config.lr, momentum=config.momentum,
                                weight_decay=config.weight_decay, nesterov=config.nesterov, betas=config.betas)
    steps_per_epoch = len(train_loader)
    if steps_per_epoch == 0:
        raise ValueError("the training loader yields no batch: batch_size is larger than the training set")
    total_steps = config.epochs * steps_per_epoch
    meter = rehearsal.StepMeter(model, optimizer, train_loader, paper_epochs) if caps is not None else None
    factor = lr_factor(config.schedule, milestones=config.milestones, gamma=config.gamma, warmup=config.warmup)
    if config.lr_per_epoch:
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: factor((step // steps_per_epoch) / config.epochs))
    else:
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: factor(step / total_steps))

    ckpt_dir = Path(out_dir) / "checkpoints" if out_dir is not None else None

    def resume() -> tuple[list[dict[str, float]], float]:
        """Everything the last checkpoint holds, loaded: (history, best)."""
        # on the CPU: RNG and loader-generator states must stay CPU tensors; the model and the
        # optimizer copy their tensors to the parameters' device as they load
        state = load_resume_checkpoint(ckpt_dir / "last.pt", log if main else lambda _: None)
        _check_resumable(state["config"], asdict(config), ckpt_dir / "last.pt")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        train_loader.load_state_dict(state["loader"])
        if len(state["hooks"]) != len(hooks):
            raise RuntimeError(f"cannot resume from {ckpt_dir / 'last.pt'}: it holds the state of "
                               f"{len(state['hooks'])} hooks and this run has {len(hooks)} (written by another "
                               "version of the experiment). "
                               "Use a new output directory (the notebook's fresh=True).")
        for hook, hook_state in zip(hooks, state["hooks"], strict=True):
            hook.load_state_dict(hook_state)
        set_rng_state(state["rng"])
        return state["history"], state["best"]

    history: list[dict[str, float]] = []
    best = -math.inf
    if ckpt_dir is not None and any((ckpt_dir / name).exists() for name in ("last.pt", "previous_last.pt")):
        history, best = resume()
        if main and len(history) >= config.epochs:
            log(f"training already finished ({len(history)}/{config.epochs} epochs): reusing the model in "
                f"{ckpt_dir}, not training it again")
        elif main:
            log(f"resumed from {ckpt_dir / 'last.pt'} after epoch {len(history)}/{config.epochs}")

    last_epoch = min(config.epochs, until_epoch or config.epochs)
    if len(history) < last_epoch:
        for hook in hooks:
            hook.on_fit_start(model, len(history))
    for epoch in range(len(history) + 1, last_epoch + 1):
        start = time.perf_counter()
        train_model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        term_sums: dict[str, torch.Tensor] = {}
        seen = 0
        # on stdout: JupyterLab shows stderr as a pink error block
        batches = tqdm(train_loader, disable=not (progress and main), leave=False, mininterval=1.0,
                       desc=f"epoch {epoch}", file=sys.stdout)
        for batch in batches:
            with meter.step(len(batch)) if meter else contextlib.nullcontext():
                with _autocast(device, config.amp):
                    out = step(train_model, batch)
                optimizer.zero_grad(set_to_none=True)
                out.loss.backward()
                if config.grad_clip > 0:
                    nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                optimizer.step()
            lr = optimizer.param_groups[0]["lr"]  # the lr this step used (the scheduler moves it on next)
            scheduler.step()
            outputs = out.outputs.detach().float() if out.outputs is not None else None
            n = len(batch)
            loss_sum += out.loss.detach() * n
            if predict is not None:
                correct += (predict(outputs) == batch.targets).sum()
            for name, value in out.terms.items():
                term_sums[name] = term_sums.get(name, 0) + value.detach() * n
            seen += n
            for hook in hooks:
                hook.on_train_batch(epoch, batch, outputs)

        train_loss = float(all_reduce_mean(loss_sum / seen))
        if not math.isfinite(train_loss):
            raise FloatingPointError(f"training loss became {train_loss} in epoch {epoch}; lower lr={config.lr}?")
        record = {"epoch": epoch, "lr": lr, "train_loss": train_loss}  # the lr of the epoch's last step
        if predict is not None:
            record["train_accuracy"] = float(all_reduce_mean(correct / seen))
        record.update({f"train_{name}": float(all_reduce_mean(total / seen)) for name, total in term_sums.items()})
        evaluating = epoch % config.eval_every == 0 or epoch == config.epochs
        for split, loader in (eval_loaders if evaluating else {}).items():
            result = evaluate(model, loader, predict=predict, amp=config.amp, step=step)
            record[f"{split}_loss"] = result.loss
            if predict is not None:
                record[f"{split}_accuracy"] = result.accuracy
            for hook in hooks:
                hook.on_eval(epoch, split, result)
        record["seconds"] = time.perf_counter() - start
        history.append(record)
        for hook in hooks:
            hook.on_epoch_end(epoch, model, record)

        improved = bool(config.best_metric) and record.get(config.best_metric, -math.inf) > best
        best = record[config.best_metric] if improved else best
        if main and ckpt_dir is not None:
            state = {"epoch": epoch, "config": asdict(config), "model": model.state_dict(),
                     "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                     "loader": train_loader.state_dict(), "rng": rng_state(),
                     "hooks": [hook.state_dict() for hook in hooks], "history": history, "best": best}
            save_checkpoint(ckpt_dir / "last.pt", state, keep_previous=True)
            if epoch == config.epochs:  # finished: nothing will resume from the one before (half the disk)
                previous_path(ckpt_dir / "last.pt").unlink(missing_ok=True)
            if improved:
                save_checkpoint(ckpt_dir / "best.pt", {"epoch": epoch, "model": model.state_dict(),
                                                       config.best_metric: best})
            write_history(out_dir, history)
        if main:
            log(format_record(record, config.epochs, history))
        if meter is not None and epoch == 1 < last_epoch and ckpt_dir is not None and rank_and_world_size()[1] == 1:
            history, best = resume()  # a rehearsal resumes from its first checkpoint, as a requeued job would
            log(f"rehearsal: resumed from {ckpt_dir / 'last.pt'} after epoch 1")
    if meter is not None and main:
        meter.write()
    return history


def format_record(record: dict[str, float], epochs: int, history: Sequence[dict[str, float]] = ()) -> str:
    """One concise line per epoch: ``epoch 3/10 | lr 0.1 | train loss 0.41 acc 85.1% | ... |
    4.1s | elapsed 12s, ETA 29s``; elapsed and ETA (mean epoch time × epochs left) from ``history``."""
    parts = [f"epoch {record['epoch']:>{len(str(epochs))}}/{epochs}", f"lr {record['lr']:.3g}"]
    splits = dict.fromkeys(k.rsplit("_", 1)[0] for k in record if k.endswith("_loss"))
    for split in splits:
        accuracy = record.get(f"{split}_accuracy")
        parts.append(f"{split} loss {record[f'{split}_loss']:.4f}"
                     + (f" acc {100 * accuracy:.2f}%" if accuracy is not None else ""))
    parts.append(f"{record['seconds']:.1f}s")
    if history:
        elapsed = sum(r["seconds"] for r in history)
        left = (epochs - int(record["epoch"])) * elapsed / len(history)
        parts.append(f"elapsed {duration(elapsed)}, ETA {duration(left)}")
    return " | ".join(parts)


def _check_resumable(saved: dict[str, Any], current: dict[str, Any], path: Path) -> None:
    # a setting added to TrainConfig after the checkpoint was written had its default then
    defaults = {f.name: f.default for f in dataclasses.fields(TrainConfig) if f.default is not dataclasses.MISSING}
    saved = {**defaults, **{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}}
    changed = {k: (saved.get(k), v) for k, v in current.items() if saved.get(k) != v}
    if changed:
        details = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
        raise RuntimeError(f"cannot resume from {path}: the training config changed ({details}). "
                           "Use a new output directory, or restore the old settings.")
