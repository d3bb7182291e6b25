"""Checkpoints with everything exact resume needs, and the per-epoch history files."""

import csv
import io
from pathlib import Path
from typing import Any

import torch

from reprlab.io import atomic_write, save_torch, write_json


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Atomically save a checkpoint dict (model, optimizer, scheduler, scaler, RNG states, ...)."""
    return save_torch(path, state)


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
