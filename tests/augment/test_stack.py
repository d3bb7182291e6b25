import pytest
import torch

from reprlab.augment import TRANSFORMS, AugStack, equivariance_t
from reprlab.augment.stack import denormalize

B = 400


def _run(codes, size=32, input_size=32, seed=0, channels=3):
    images = torch.rand(B, channels, input_size, input_size, generator=torch.Generator().manual_seed(9))
    return images, *AugStack(codes, size)(images, torch.Generator().manual_seed(seed))


def test_every_code_records_parameters_in_upstreams_ranges():
    for code in TRANSFORMS:
        images, views, params = _run([code])
        assert set(params) == {code} and views.shape == images.shape, code
    _, _, p = _run(["rot"])
    t = equivariance_t("rot", p["rot"])
    assert p["rot"]["degrees"].abs().max() <= 180 and p["rot"]["degrees"].std() > 90  # uniform over +-180
    assert 0 <= t.min() and t.max() <= 1
    _, _, p = _run(["ron"])
    assert set(p["ron"]["degrees"].tolist()) == {0.0, 90.0, 180.0, 270.0}
    assert set(equivariance_t("ron", p["ron"]).tolist()) == {0.125, 0.375, 0.625, 0.875}
    _, _, p = _run(["fli"])
    assert 0.4 < p["fli"]["applied"].float().mean() < 0.6
    assert set(equivariance_t("fli", p["fli"]).tolist()) == {0.25, 0.75}
    _, _, p = _run(["gra"])
    assert 0.13 < p["gra"]["applied"].float().mean() < 0.27
    _, _, p = _run(["blu"])
    sigma = p["blu"]["sigma"][p["blu"]["applied"]]
    assert 0.1 <= sigma.min() and sigma.max() <= 2.0 and (p["blu"]["sigma"][~p["blu"]["applied"]] == 0).all()
    _, _, p = _run(["jit"])
    applied, f = p["jit"]["applied"], p["jit"]["factors"]
    assert 0.72 < applied.float().mean() < 0.88  # p = 0.8
    assert f[applied, :3].min() >= 0.6 and f[applied, :3].max() <= 1.4 and f[applied, 3].abs().max() <= 0.1
    assert (f[~applied] == torch.tensor([1.0, 1.0, 1.0, 0.0])).all()
    _, _, p = _run(["hue"])
    t = equivariance_t("hue", p["hue"])
    assert 0 <= t.min() and t.max() <= 1 and (t[~p["hue"]["applied"]] == 0.5).all()


def test_scale_t_is_upstreams_formula_and_leaves_0_1_with_center_crop():
    _, views, p = _run(["sca"])
    h = p["sca"]["h"]
    assert views.shape[-1] == 32 and 7 <= h.min() and h.max() <= 32  # area fraction 0.2..1 of 32x32
    torch.testing.assert_close(equivariance_t("sca", p["sca"]), 1 - (h - 1) / 32)
    _, views, p = _run(["sca"], input_size=36)  # center_crop: 36-pixel inputs cropped to 32
    assert views.shape[-1] == 32
    t = equivariance_t("sca", p["sca"])
    assert t.min() < 0  # crops taller than 33 input pixels, as upstream (not clamped)
    assert equivariance_t("sca", {"h": torch.tensor([36.0]), "size": 32}).item() == pytest.approx(-0.09375)


def test_codes_apply_in_the_users_order_then_normalise():
    images, views, p = _run(["fli", "ron"])
    expected = images.clone()
    expected = torch.where(p["fli"]["applied"].view(-1, 1, 1, 1), expected.flip(3), expected)
    turns = (p["ron"]["degrees"] / 90).long()
    expected = torch.stack([torch.rot90(x, int(k), dims=(1, 2)) for x, k in zip(expected, turns, strict=True)])
    assert torch.equal(denormalize(views), expected)
    torch.testing.assert_close(views, expected - 0.5)


def test_same_seed_same_views_and_the_test_stack_center_crops():
    _, a, pa = _run(["sca", "rot", "jit"], seed=3)
    _, b, pb = _run(["sca", "rot", "jit"], seed=3)
    assert torch.equal(a, b) and torch.equal(pa["rot"]["degrees"], pb["rot"]["degrees"])
    images = torch.rand(2, 3, 36, 36)
    torch.testing.assert_close(AugStack(["sca"], 32).test(images), images[:, :, 2:34, 2:34] - 0.5)


def test_bad_codes_are_named():
    with pytest.raises(ValueError, match=r"tx=.*'zoom'.*allowed values: sca, rot"):
        AugStack(["sca", "zoom"], 32)
    for code in ("res", "ccr", "jit"):
        with pytest.raises(ValueError, match=rf"equi_tx='{code}' cannot be an equivariance target"):
            equivariance_t(code, {})


def test_res_follows_torchvision_and_upstream_resize_follows_kornia_0_6_12():
    """On a ramp 0..31, 32 -> 20: torchvision's convention (antialiased, pixel areas) keeps the
    mean and samples inside the edge pixels; kornia 0.6.12's (align_corners=True) keeps the
    corner values exactly and is linear, so every output is the ramp at i * 31 / 19."""
    ramp = torch.arange(32.0).expand(1, 3, 32, 32) / 31
    generator = torch.Generator().manual_seed(0)
    ours = AugStack(["res"], 20)(ramp, generator)[0] + 0.5
    upstream = AugStack(["res"], 20, upstream_resize=True)(ramp, generator)[0] + 0.5
    torch.testing.assert_close(upstream[0, 0, 0], torch.arange(20.0) / 19, atol=1e-6, rtol=0)
    assert float(ours[0, 0, 0, 0]) > 0.01 and float(ours[0, 0, 0, -1]) < 0.99  # edge pixels are areas
    torch.testing.assert_close(ours.mean(), ramp.mean(), atol=1e-6, rtol=0)
    assert (ours - upstream).abs().max() > 0.01  # the two conventions differ
