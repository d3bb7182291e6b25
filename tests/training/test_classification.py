import pytest

from reprlab.training.checkpoint import load_checkpoint
from reprlab.training.classification import ClassifierJob, run
from reprlab.workbench.runner import run_notebook


@pytest.mark.slow
def test_quick_profile_reaches_85_percent_on_real_fashion_mnist():
    """The issue's bar: ResNet-20, 20k real training images, full 10k test set, CPU minutes."""
    result = run_notebook("train_classifier", "quick", log=print)
    assert result.status == "completed"
    assert result.metrics["test_accuracy"] >= 0.85
    assert result.metrics["epochs"] == 4


def test_torchrun_launch_trains_with_two_processes(tmp_path):
    job = ClassifierJob.defaults(dataset="digits", model="resnet20", epochs=2, lr=0.05, batch_size=32,
                                 schedule="cosine")
    result = run(job, tmp_path, nproc=2)
    state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert state["epoch"] == 2 and len(result.history) == 2
    # 1347 training digits, 2 ranks x 32 per step -> 21 steps per epoch on each rank
    assert state["scheduler"]["last_epoch"] == 2 * 21
    assert result.test.accuracy > 0.6
