"""Atomic writes: a file is either the old version or the complete new one, never half written."""

import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

FULL_DISK_BYTES = 1 << 20  # less free than this when a write fails: the disk was full


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place. The
    file gets the permissions of any new file (0666 less the umask), as colleagues expect of a
    shared results folder, not the private 0600 of a temporary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException as err:
        # torch.save on a full disk raises RuntimeError("... unexpected pos ..."): read the free space
        # before the temporary file gives its bytes back
        full = not isinstance(err, OSError) and shutil.disk_usage(path.parent).free < FULL_DISK_BYTES
        Path(tmp).unlink(missing_ok=True)
        if full:  # without their frames, torch's half-written file closes and gives its space back now
            cause: BaseException | None = err
            while cause is not None:
                cause.__traceback__, cause = None, cause.__context__
            raise OSError(errno.ENOSPC, f"No space left on device ({type(err).__name__}: {err})", str(path)) from err
        if isinstance(err, OSError) and err.filename in (None, tmp):  # a full disk: say which file it was
            raise OSError(err.errno, err.strerror or str(err), str(path)) from err
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o22)  # the only way to read it is to set it: restore at once
    os.umask(mask)
    return mask


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as indented JSON atomically; numpy and torch scalars become Python numbers."""

    torch = sys.modules.get("torch")  # not imported: no tensor to convert (the launcher stays light)

    def default(o: Any) -> Any:
        if isinstance(o, np.generic) or (torch is not None and isinstance(o, torch.Tensor)):
            return o.item() if o.ndim == 0 else o.tolist()
        if isinstance(o, np.ndarray):
            return o.tolist()
        if isinstance(o, Path):
            return str(o)
        raise TypeError(f"cannot serialise {type(o).__name__} to JSON")

    text = json.dumps(obj, indent=2, default=default, allow_nan=True)
    return atomic_write(path, lambda p: p.write_text(text + "\n"))


def read_json(path: str | Path) -> Any:
    """Read a JSON file."""
    return json.loads(Path(path).read_text())


def save_torch(path: str | Path, obj: Any) -> Path:
    """``torch.save`` atomically."""
    import torch

    return atomic_write(path, lambda p: torch.save(obj, p))


def save_npy(path: str | Path, array: np.ndarray) -> Path:
    """``np.save`` atomically (the file keeps exactly the given name)."""

    def write(p: Path) -> None:
        with open(p, "wb") as f:
            np.save(f, array)

    return atomic_write(path, write)
