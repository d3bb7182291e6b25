import pytest
import torch

from reprlab import paths
from reprlab.augment import AugStack
from reprlab.augment.ops import center_crop
from reprlab.data import ImageSet
from reprlab.data.views import TwoViewLoader
from reprlab.papers.duet.essl import transform_for_target
from reprlab.papers.duet.methods import ESSL
from reprlab.papers.duet.training import DuetJob, train_ssl
from reprlab.workbench.runner import run_notebook

TINY = dict(dataset="digits", encoder="cifar10_resnet20", width=0.0625, batch_size=32, image_size=8,
            center_crop=False, epochs=2, warmup_epochs=1, test_every=1, proj_hidden=16, proj_dim=8, duet_bins=4,
            subset=200, debug_steps=2, device="cpu")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"tx": ["sca", "zoom"]}, r"tx contains 'zoom', not allowed; allowed values: sca, rot"),
    ({"model": "duet", "tx": ["sca"], "equi_tx": "rot"}, r"equi_tx='rot' must be one of tx=\['sca'\] for DUET"),
    ({"model": "essl", "tx": ["sca", "rot", "fli"], "equi_tx": "rot"},
     r"equi_tx='rot' is in tx=.*use tx=\['sca', 'fli'\]"),
    ({"model": "duet", "tx": ["sca", "res"], "equi_tx": "res"}, r"equi_tx='res' cannot be an equivariance target"),
    ({"model": "duet", "duet_bins": 3}, r"duet_bins=3 must be at least 2 and divide the representation width 32"),
])
def test_bad_input_fails_before_anything_runs_naming_the_parameter(overrides, message):
    with pytest.raises(ValueError, match=message):
        DuetJob.defaults(**{**TINY, **overrides})
    with pytest.raises(ValueError, match=message):  # the runner checks the combination before a kernel starts
        run_notebook("duet_train", "smoke", overrides)
    assert not (paths.runs_dir() / "duet_train").exists()


def test_essl_views_drop_equi_tx_keeping_the_users_order():
    # upstream's set() may reorder
    assert ESSL.contrastive_tx(("rot", "fli", "sca", "gra"), "fli") == ("rot", "sca", "gra")


def test_two_view_loader_records_parameters_and_tests_on_clean_crops():
    g = torch.Generator().manual_seed(0)
    data = ImageSet("cifar10", torch.randint(0, 256, (40, 3, 12, 12), dtype=torch.uint8, generator=g),
                    torch.randint(0, 10, (40,), generator=g), [str(i) for i in range(10)])
    stack = AugStack(["sca", "rot"], 10)
    train = next(iter(TwoViewLoader(data, 16, stack, train=True, seed=3)))
    assert train.images.shape == train.extras["view2"].shape == (16, 3, 10, 10)
    assert set(train.extras["params1"]) == {"sca", "rot"}
    assert not torch.equal(train.extras["params1"]["rot"]["degrees"], train.extras["params2"]["rot"]["degrees"])
    test = next(iter(TwoViewLoader(data, 16, stack, train=False, seed=3)))
    torch.testing.assert_close(test.images, center_crop(data.images[:16].float() / 255, 10) - 0.5)
    assert test.extras["params1"] == {} and set(test.extras["params2"]) == {"sca", "rot"}


def test_essl_targets():
    pixels = torch.rand(3, 1, 8, 8)
    images, labels = transform_for_target(pixels, "ron", torch.Generator().manual_seed(0))
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert torch.equal(images[4], torch.rot90(pixels[1], 1, dims=(1, 2)))
    images, labels = transform_for_target(pixels, "fli", torch.Generator().manual_seed(0))
    assert torch.equal(images[3:], pixels.flip(3)) and labels.tolist() == [0, 0, 0, 1, 1, 1]
    _, angles = transform_for_target(torch.rand(500, 1, 8, 8), "rot", torch.Generator().manual_seed(0))
    assert angles.shape == (500, 1) and -0.5 <= angles.min() < -0.4 and 0.4 < angles.max() <= 0.5


@pytest.mark.parametrize("model", ["duet", "essl"])
def test_an_ssl_run_resumes_bit_for_bit(tmp_path, model):
    settings = {**TINY, "model": model, "tx": ["sca", "rot"] if model == "duet" else ["sca"], "equi_tx": "rot"}
    job = DuetJob.defaults(**settings)
    straight, history, _ = train_ssl(job, tmp_path / "straight")
    assert {"train_nt_xent", "train_probe_ce", "test_accuracy"} <= set(history[-1])
    assert ("train_jsd" if model == "duet" else "train_equivariance") in history[-1]
    train_ssl(job, tmp_path / "split", until_epoch=1)  # the first epoch, then a call that resumes it
    resumed, resumed_history, _ = train_ssl(job, tmp_path / "split")
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    def losses(h):
        return [(r["train_loss"], r["test_loss"], r["test_accuracy"]) for r in h]

    assert losses(resumed_history) == losses(history)


def test_the_train_config_is_upstreams_adamw_with_per_epoch_warmup_then_cosine():
    config = DuetJob.defaults(lr=1e-3, weight_decay=0.05, epochs=100, warmup_epochs=5, test_every=7).train_config()
    assert (config.optimizer, config.lr, config.weight_decay, config.betas) == ("adamw", 1e-3, 0.05, (0.9, 0.95))
    assert (config.schedule, config.warmup, config.lr_per_epoch, config.eval_every) == ("warmup_cosine", 0.05, True, 7)
    assert not DuetJob.defaults(lr_step="step").train_config().lr_per_epoch
