import numpy as np

from reprlab.data import load_splits, make_loader
from reprlab.models import build_model
from reprlab.training import PredictionRecorder, TrainConfig, fit
from reprlab.training.seeding import seed_everything


def _train(out, until=None, source="on_the_fly"):
    seed_everything(0, deterministic=True)
    splits = load_splits("digits", split_seed=0, subset=400)
    train, test = splits.train, splits.test
    model = build_model("resnet20", 10, 1, 8)
    recorder = PredictionRecorder(out, {"train": 1347, "test": len(test)}, source)
    evals = {"test": make_loader(test, 500, train=False)}
    if source == "eval":
        evals["train_clean"] = make_loader(train, 500, train=False)
    fit(model, make_loader(train, 64, train=True), TrainConfig(epochs=3, lr=0.05), eval_loaders=evals,
        hooks=[recorder], out_dir=out, until_epoch=until, log=lambda _: None)
    return train, test


def test_recorder_stores_predictions_by_example_index(tmp_path):
    train, test = _train(tmp_path)
    preds = np.load(tmp_path / "predictions_train.npy")
    assert preds.shape == (3, 1347) and preds.dtype == np.int16
    seen = preds[0] >= 0
    # on the fly with drop_last: every seen example is in the subset, and most of the subset is seen
    assert set(np.flatnonzero(seen)) <= set(train.indices.tolist()) and seen.sum() == 384
    test_preds = np.load(tmp_path / "predictions_test.npy")
    assert (test_preds >= 0).all() and ((test_preds[-1] == test.targets.numpy()).mean() > 0.3)


def test_clean_evaluation_pass_records_every_training_example(tmp_path):
    train, _ = _train(tmp_path, source="eval")
    preds = np.load(tmp_path / "predictions_train.npy")
    assert ((preds >= 0).sum(1) == len(train)).all()


def test_recorder_resumes_and_matches_an_uninterrupted_run(tmp_path):
    _train(tmp_path / "straight")
    _train(tmp_path / "split", until=1)
    assert np.load(tmp_path / "split" / "predictions_train.npy").shape[0] == 1
    _train(tmp_path / "split")
    for split in ("train", "test"):
        a = np.load(tmp_path / "straight" / f"predictions_{split}.npy")
        b = np.load(tmp_path / "split" / f"predictions_{split}.npy")
        assert np.array_equal(a, b)
