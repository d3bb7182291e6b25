"""Checkpoints with everything exact resume needs, and the per-epoch history files."""

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from reprlab.io import atomic_write, save_torch, write_json


def save_checkpoint(path: str | Path, state: dict[str, Any], keep_previous: bool = False) -> Path:
    """Atomically save a checkpoint dict (model, optimizer, scheduler, scaler, RNG states, ...).
    ``keep_previous`` first moves an existing file to ``previous_<name>`` (one rename), so a
    file damaged later still leaves the checkpoint before it."""
    path = Path(path)
    if keep_previous and path.exists():
        os.replace(path, previous_path(path))
    return save_torch(path, state)


def previous_path(path: str | Path) -> Path:
    """Where :func:`save_checkpoint` keeps the checkpoint before ``path``."""
    path = Path(path)
    return path.with_name(f"previous_{path.name}")


def load_resume_checkpoint(path: str | Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    """The checkpoint at ``path``, or, when that file is damaged (truncated, unreadable), the one
    before it, saying so. Raises ``RuntimeError`` naming both files when neither loads."""
    path = Path(path)
    try:
        return load_checkpoint(path)
    except Exception as err:  # torch raises RuntimeError, EOFError, UnpicklingError, ... on a damaged file
        previous = previous_path(path)
        if not previous.exists():
            raise RuntimeError(f"{path} is damaged ({err}) and there is no earlier checkpoint; "
                               "start afresh (--rerun moves the run aside)") from err
        try:
            state = load_checkpoint(previous)
        except Exception as err2:
            raise RuntimeError(f"{path} and {previous} are both damaged ({err}; {err2}); "
                               "start afresh (--rerun moves the run aside)") from err2
        log(f"{path} is damaged ({type(err).__name__}); resuming from the previous checkpoint {previous} "
            f"(after epoch {state['epoch']})")
        return state


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint` (it holds RNG states, hence
    ``weights_only=False``: only load checkpoints you wrote)."""
    return torch.load(path, map_location=map_location, weights_only=False)


def write_history(out_dir: str | Path, history: list[dict[str, float]]) -> None:
    """Write ``history.json`` and ``history.csv`` (one row per epoch) into ``out_dir``."""
    out_dir = Path(out_dir)
    write_json(out_dir / "history.json", history)
    columns = list(dict.fromkeys(k for record in history for k in record))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(history)
    atomic_write(out_dir / "history.csv", lambda p: p.write_text(buffer.getvalue()))
