import pytest
import torch

from reprlab.data import load_splits
from reprlab.experiments.classification import ClassifierJob, run, train_classifier
from reprlab.training.checkpoint import load_checkpoint
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


def test_the_final_test_result_is_the_last_epochs_evaluation_on_the_given_test_set(tmp_path):
    """eval_every=epochs tests once; the returned result is that evaluation (predictions of the
    final model on ``test_set``), and a resume after the last epoch evaluates the same model again."""
    job = ClassifierJob.defaults(dataset="digits", model="resnet20", epochs=2, lr=0.01, batch_size=64,
                                 optimizer="adam", schedule="cosine")
    splits = load_splits("digits", split_seed=0)
    half = splits.test.subset(torch.arange(0, len(splits.test), 2))
    result = train_classifier(job, tmp_path, test_set=half, eval_every=2)
    assert ["test_accuracy" in r for r in result.history] == [False, True]
    assert len(result.test.targets) == len(half) and torch.equal(result.test.indices, half.indices)
    assert result.test.accuracy == result.history[-1]["test_accuracy"] > 0.5
    again = train_classifier(job, tmp_path, test_set=half, eval_every=2)  # finished: nothing trains
    assert torch.equal(again.test.predictions, result.test.predictions)
