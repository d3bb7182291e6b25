"""``scripts/gpu_check.py --dry-run``: the GPU check's own code runs in the suite (on the CPU), so it
cannot rot before a GPU machine runs it."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "gpu_check.py"


def test_the_gpu_check_runs_its_checks_on_the_cpu_and_lists_the_rest():
    done = subprocess.run([sys.executable, str(SCRIPT), "--dry-run"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["failed"] == [] and summary["dry_run"] is True
    assert summary["engine"]["epochs"] == 2 and summary["engine"]["final_train_loss"] > 0
    assert summary["mcr2_block_inverse"]["inverse_max_abs_error"] < 1e-8
    assert 0 < summary["batched_pgd"]["max_pixel_move"] <= 0.06 + 1e-5
    assert set(summary["rehearsal"]) >= {"mcr2_train", "agreement_network", "label_training", "frequency_gradients",
                                         "duet_train"}
    assert all(not step["ran"] and "--rehearse -p device=cuda" in step["command"]
               for step in summary["rehearsal"].values())


def test_without_a_gpu_the_check_says_so_and_stops():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 2 and "no CUDA device" in done.stderr
