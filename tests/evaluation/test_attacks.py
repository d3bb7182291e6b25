import pytest
import torch
import torch.nn.functional as F

from reprlab.data import DeviceLoader, load_splits
from reprlab.evaluation.attacks import attack, evaluate_attack, random_targets
from reprlab.models import build_model
from reprlab.training import Batch, TrainConfig, fit
from reprlab.training.seeding import seed_everything

MEAN, STD = (0.3053,), (0.3758,)


def _sum_ce(outputs, labels):
    return F.cross_entropy(outputs, labels, reduction="sum")


@pytest.fixture(scope="module")
def trained(device):
    seed_everything(0, deterministic=True)
    splits = load_splits("digits", split_seed=0)
    model = build_model("resnet20", 10, 1, 8).to(device)
    fit(model, DeviceLoader(splits.train, 64, train=True, device=device),
        TrainConfig(epochs=3, lr=0.05, schedule="onecycle", amp=False), log=lambda _: None)
    model.eval()
    batch = next(iter(DeviceLoader(splits.test, 200, train=False, device=device)))
    images, labels, indices = batch.images, batch.targets, batch.indices
    return model, images, labels, indices


def _pixels(x):
    std, mean = (torch.tensor(v, device=x.device).view(1, -1, 1, 1) for v in (STD, MEAN))
    return x * std + mean


def test_fgsm_at_eps_zero_changes_nothing(trained):
    model, images, labels, _ = trained
    adv = attack(model, images, labels, 0.0, loss_fn=_sum_ce, mean=MEAN, std=STD)
    assert torch.equal(adv, images)


@pytest.mark.parametrize("method", ["fgsm", "bim", "pgd"])
@pytest.mark.parametrize("targeted", [False, True])
def test_attacks_stay_in_the_eps_ball_and_the_pixel_range(trained, method, targeted):
    model, images, labels, indices = trained
    eps = 8 / 255
    targets = random_targets(labels, indices, 10) if targeted else None
    adv = attack(model, images, labels, eps, method=method, loss_fn=_sum_ce, mean=MEAN, std=STD, targets=targets,
                 generator=torch.Generator().manual_seed(0))
    delta = (_pixels(adv) - _pixels(images)).abs().max()
    assert delta <= eps + 1e-5 and delta > eps / 2
    assert _pixels(adv).min() >= -1e-5 and _pixels(adv).max() <= 1 + 1e-5


@pytest.mark.parametrize("method", ["fgsm", "bim"])
@pytest.mark.parametrize("quirks", [False, True])
def test_batched_equals_one_image_at_a_time(trained, method, quirks):
    model, images, labels, _ = trained
    kwargs = dict(method=method, loss_fn=_sum_ce, mean=MEAN, std=STD, upstream_quirks=quirks)
    batched = attack(model, images[:16], labels[:16], 0.05, **kwargs)
    single = torch.cat([attack(model, images[i:i + 1], labels[i:i + 1], 0.05, **kwargs) for i in range(16)])
    torch.testing.assert_close(batched, single, atol=1e-6, rtol=0)


@pytest.mark.parametrize("method", ["fgsm", "pgd"])
def test_a_float64_attack_stays_float64_to_its_ball_and_the_pixel_range(trained, method):
    """Bounds, radius and PGD's random start in the images' dtype: a float64 attack keeps every
    pixel in its ball and in [0, 1] to 1e-12 (float32 constants would stop near 1e-7)."""
    model, images, labels, _ = trained
    model64, images64 = model.double(), images.double()
    try:
        adv = attack(model64, images64, labels, 8 / 255, method=method, loss_fn=_sum_ce, mean=MEAN, std=STD,
                     generator=torch.Generator().manual_seed(0))
    finally:
        model.float()
    assert adv.dtype == torch.float64
    std, mean = torch.tensor(STD, dtype=torch.float64), torch.tensor(MEAN, dtype=torch.float64)
    pixels, start = adv * std + mean, images64 * std + mean
    assert (pixels - start).abs().max() <= 8 / 255 + 1e-12
    assert pixels.min() >= -1e-12 and pixels.max() <= 1 + 1e-12
    assert (pixels - start).abs().max() > 8 / 255 - 1e-9  # it moved to the ball's edge somewhere


def test_upstream_quirks_use_normalised_eps_and_per_image_clamp(trained):
    model, images, labels, _ = trained
    adv = attack(model, images, labels, 0.1, loss_fn=_sum_ce, mean=MEAN, std=STD, upstream_quirks=True)
    assert (adv - images).abs().max() <= 0.1 + 1e-6  # eps in normalised units
    flat, adv_flat = images.flatten(1), adv.flatten(1)
    assert (adv_flat.min(1).values >= flat.min(1).values - 1e-6).all()
    assert (adv_flat.max(1).values <= flat.max(1).values + 1e-6).all()


def test_attacks_lower_accuracy_and_targeted_attacks_hit_their_targets(trained):
    model, images, labels, indices = trained
    loader = [Batch(images, labels, indices)]
    common = dict(loss_fn=_sum_ce, predict=lambda o: o.argmax(1), mean=MEAN, std=STD, num_classes=10)
    untargeted = evaluate_attack(model, loader, [0.0, 0.05, 0.2], method="bim", **common)
    assert untargeted.accuracy[0] > 0.8 and untargeted.accuracy[2] < untargeted.accuracy[1] < untargeted.accuracy[0]
    pgd = evaluate_attack(model, loader, [0.2], method="pgd", steps=10, **common)
    assert pgd.accuracy[0] <= untargeted.accuracy[2] + 0.05
    targeted = evaluate_attack(model, loader, [0.0, 0.2], method="bim", targeted=True, **common)
    assert targeted.target_hit_rate[0] < 0.1 and targeted.target_hit_rate[1] > 0.3
    targets = random_targets(labels, indices, 10)
    assert (targets != labels).all() and len(targets.unique()) == 10
    with pytest.raises(ValueError, match="method='cw'"):
        attack(model, images, labels, 0.1, method="cw", loss_fn=_sum_ce, mean=MEAN, std=STD)


@pytest.mark.parametrize(("method", "targeted", "quirks"), [("fgsm", False, False), ("bim", True, False),
                                                             ("bim", False, True)])
def test_every_eps_in_one_pass_equals_one_eps_at_a_time(trained, method, targeted, quirks):
    """evaluate_attack(stack_eps=True) stacks its radii into one batch: per image and radius, the
    same attack as ``attack`` at that radius alone, so the same accuracies and target hits."""
    model, images, labels, indices = trained
    eps_list = [0.0, 0.02, 0.05, 0.1]
    common = dict(method=method, loss_fn=_sum_ce, mean=MEAN, std=STD, upstream_quirks=quirks)
    result = evaluate_attack(model, [Batch(images, labels, indices)], eps_list, predict=lambda o: o.argmax(1),
                             num_classes=10, targeted=targeted, stack_eps=True, **common)
    targets = random_targets(labels, indices, 10, 444) if targeted else None
    clean_ok = model(images).argmax(1) == labels
    for i, eps in enumerate(eps_list):
        pred = model(attack(model, images, labels, eps, targets=targets, **common)).argmax(1)
        assert result.accuracy[i] == pytest.approx(((pred == labels) & clean_ok).float().mean().item(), abs=1 / 200)
        if targeted:
            assert result.target_hit_rate[i] == pytest.approx((pred == targets).float().mean().item(), abs=1 / 200)
    # the attack does something, more with a larger radius (0.02 in normalised units, upstream's
    # quirk, may flip none of 200 images)
    assert result.accuracy[3] < result.accuracy[1] <= result.accuracy[0] and result.accuracy[3] < result.accuracy[0]
    with pytest.raises(ValueError, match=r"one per image: \(200,\)"):
        attack(model, images, labels, torch.tensor([0.1, 0.2]), loss_fn=_sum_ce, mean=MEAN, std=STD)
