import os
import shutil
import subprocess

import numpy as np
import pytest
import torch

from reprlab.io import atomic_write, read_json, save_npy, save_torch, write_json


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "metrics.json"
    write_json(path, {"accuracy": 0.5})

    def crash(tmp):
        tmp.write_text('{"accuracy": ')
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(path, crash)
    assert read_json(path) == {"accuracy": 0.5}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_json_accepts_numpy_and_torch_values(tmp_path):
    write_json(tmp_path / "m.json", {"a": np.float32(0.25), "b": torch.tensor(3), "c": np.arange(3),
                                     "d": torch.tensor([1.5, 2.5])})
    assert read_json(tmp_path / "m.json") == {"a": 0.25, "b": 3, "c": [0, 1, 2], "d": [1.5, 2.5]}


def test_save_npy_keeps_the_exact_name(tmp_path):
    save_npy(tmp_path / "predictions_train.npy", np.ones((2, 3), np.int16))
    assert np.load(tmp_path / "predictions_train.npy").dtype == np.int16


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path, umask, mode):
    import os

    old = os.umask(umask)
    try:
        path = write_json(tmp_path / "metrics.json", {"a": 1})
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode


def test_a_full_disk_names_the_file_that_could_not_be_written(tmp_path):
    import errno

    def disk_full(tmp):
        raise OSError(errno.ENOSPC, "No space left on device")  # as write(2) raises it: no file name

    with pytest.raises(OSError) as err:
        atomic_write(tmp_path / "status.json", disk_full)
    assert err.value.errno == errno.ENOSPC and err.value.filename == str(tmp_path / "status.json")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB file system (tmpfs), where a write runs out of space as on a full disk."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                                           capture_output=True).returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to mount a tmpfs")
        pytest.skip("mounting a tmpfs needs root")
    yield disk
    if subprocess.run(["umount", str(disk)]).returncode != 0:  # busy: a file still open on it
        subprocess.run(["umount", "--lazy", str(disk)], check=True)
        pytest.fail(f"{disk} was still in use after the test")


def test_a_checkpoint_on_a_full_disk_says_the_disk_is_full_and_keeps_the_old_file(small_disk):
    import errno

    path = small_disk / "last.pt"
    save_torch(path, {"epoch": 1})
    with pytest.raises(OSError, match="No space left on device") as err:
        save_torch(path, {"epoch": 2, "model": torch.zeros(1_000_000)})  # 4 MB: torch says "unexpected pos"
    assert err.value.errno == errno.ENOSPC and err.value.filename == str(path)
    assert torch.load(path) == {"epoch": 1} and [p.name for p in small_disk.iterdir()] == ["last.pt"]
    assert shutil.disk_usage(small_disk).free > 900_000  # the half-written file's space is given back
