"""The lenses on small models made here: each equals its paper's instrument (coding rates, the
probe, attacks), and a lens added as a function appears in the matrix."""

import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from reprlab.data import ImageSet
from reprlab.evaluation import encode, fit_linear_probe
from reprlab.lenses import instruments
from reprlab.lenses.instruments import Heads, LensData, agreement_matrix, lens, lens_matrix
from reprlab.losses.mcr2 import coding_rates_loop
from reprlab.models.trained import PixelInput, TrainedModel, argmax_classes, summed_cross_entropy


def _images(n: int, seed: int) -> ImageSet:
    """Four classes of 12 x 12 grey images: the bright quadrant is the class, plus noise."""
    g = torch.Generator().manual_seed(seed)
    targets = torch.arange(n) % 4
    images = torch.rand(n, 1, 12, 12, generator=g) * 90
    for i, c in enumerate(targets.tolist()):
        images[i, 0, 6 * (c // 2):6 * (c // 2) + 6, 6 * (c % 2):6 * (c % 2) + 6] += 150
    return ImageSet("toy", images.round().to(torch.uint8), targets, ["a", "b", "c", "d"])


@pytest.fixture(scope="module")
def data() -> LensData:
    return LensData(_images(160, 0), _images(80, 1))


def _classifier(data: LensData) -> TrainedModel:
    torch.manual_seed(0)
    backbone = nn.Sequential(nn.Flatten(), nn.Linear(144, 16), nn.ReLU())
    model = nn.Sequential(backbone, nn.Linear(16, 4))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x = (data.pixels("train") - 0.5) / 0.25
    for _ in range(150):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), data.train.targets).backward()
        optimizer.step()
    model.eval()
    return TrainedModel("toy classifier", "train_classifier", None, features=PixelInput(backbone, (0.5,), (0.25,)),
                        outputs=PixelInput(model, (0.5,), (0.25,)), predict=argmax_classes, loss=summed_cross_entropy)


def _encoder() -> TrainedModel:
    torch.manual_seed(1)
    return TrainedModel("toy encoder", "mcr2_train", None,
                        features=PixelInput(nn.Sequential(nn.Flatten(), nn.Linear(144, 8)).eval(), (0.5,), (0.25,)))


def test_a_lens_added_as_a_function_appears_in_the_matrix(data):
    @lens("toy_brightness")
    def brightness(model, data, heads):
        return {"mean_feature": float(encode(model.features, data.pixels()).mean())}

    try:
        matrix = lens_matrix([_encoder()], data, log=lambda _: None)
        assert "toy_brightness/mean_feature" in matrix.columns and "coding_rate/delta_R" in matrix.columns
    finally:
        del instruments.LENSES["toy_brightness"]


def test_coding_rate_is_mcr2s_of_the_unit_norm_test_features(data):
    model = _encoder()
    got = instruments.coding_rate(model, data, Heads(data))
    z = nn.functional.normalize(encode(model.features, data.pixels()), dim=1)
    reference = coding_rates_loop(z.double(), data.test.targets, 4)
    assert got["delta_R"] == pytest.approx(float(reference.rate_reduction), rel=1e-4)
    assert got["R"] == pytest.approx(float(reference.expansion_theoretical), rel=1e-4)


def test_an_encoder_is_read_through_the_frozen_feature_probe(data):
    model, heads = _encoder(), Heads(data)
    probe = fit_linear_probe(encode(model.features, data.pixels("train")), data.train.targets)
    expected = probe.predict(encode(model.features, data.pixels()).numpy())
    assert heads.of(model).probe and np.array_equal(heads.predictions(model, data.pixels()).numpy(), expected)
    assert heads.of(model) is heads.of(model)  # fit once per model


def test_robustness_at_eps_zero_is_clean_accuracy_and_an_attack_lowers_it(data):
    model, heads = _classifier(data), Heads(data)
    clean = float((heads.predictions(model, data.pixels()) == data.test.targets).float().mean())
    assert clean > 0.9
    assert instruments.robustness(model, data, heads, eps=0.0) == {"fgsm_accuracy": clean, "bim_accuracy": clean}
    attacked = instruments.robustness(model, data, heads, eps=0.3)
    assert attacked["bim_accuracy"] <= attacked["fgsm_accuracy"] < clean


def test_pairwise_agreement_and_the_entropy_correlation(data):
    models, heads = [_classifier(data), _encoder()], Heads(data)
    pairs = agreement_matrix(models, data, heads)
    right = [instruments.correct_examples(m, data, heads) for m in models]
    assert np.allclose(np.diag(pairs), 1) and np.allclose(pairs, pairs.T)
    assert pairs.iloc[0, 1] == pytest.approx((right[0] & right[1]).sum() / (right[0] | right[1]).sum())
    for model, correct in zip(models, right, strict=True):
        scores = instruments.agreement(model, data, heads)
        assert scores["accuracy"] == pytest.approx(correct.mean())
        if 0 < correct.mean() < 1:
            assert -1 <= scores["entropy_spearman"] <= 1
        else:  # no example is hard (or easy): no correlation to speak of
            assert math.isnan(scores["entropy_spearman"])


def test_every_lens_runs_on_a_classifier_and_an_encoder(data):
    lines = []
    matrix = lens_matrix([_classifier(data), _encoder()], data, log=lines.append)
    assert lines == [] and not matrix.drop(columns="agreement/entropy_spearman").isna().any().any()
    assert 0 <= matrix.loc["toy classifier", "equivariance/rotation_probe_accuracy"] <= 1
    assert not math.isnan(matrix.loc["toy encoder", "frequency/gradient_centroid"])
    with pytest.raises(ValueError, match="lenses=\\['nope'\\] are unknown; allowed values: coding_rate"):
        lens_matrix([], data, ["nope"])


@pytest.mark.parametrize("seen", [(0, 2), (0, 1, 3)])
def test_a_probe_fit_on_a_few_classes_still_scores_every_class(data, seen):
    # a rehearsal fits probes on a handful of images: a class it never saw must stay a valid target
    keep = torch.isin(data.train.targets, torch.tensor(seen))
    few = LensData(data.train.subset(torch.nonzero(keep).flatten()), data.test)
    model, heads = _encoder(), Heads(few)
    head = heads.of(model)
    logits = head.outputs(data.pixels())
    assert logits.shape == (len(data.test), 4)
    probe = fit_linear_probe(encode(model.features, few.pixels("train")), few.train.targets)
    assert np.array_equal(heads.predictions(model, data.pixels()).numpy(), probe.predict(
        encode(model.features, data.pixels()).numpy()))
    assert torch.isfinite(head.loss(logits, data.test.targets))  # targets of unseen classes included


def test_the_answers_across_papers_are_rank_correlations_and_the_mean_off_diagonal_agreement():
    import pandas as pd

    models = ["a", "b", "c", "d"]
    matrix = pd.DataFrame({"coding_rate/delta_R": [1.0, 2.0, 3.0, 4.0],
                           "robustness/bim_accuracy": [0.1, 0.3, 0.2, 0.9],  # ranks 1 3 2 4
                           "frequency/gradient_centroid": [5.0, None, 3.0, 1.0]}, index=models)
    pairs = pd.DataFrame(np.eye(4) + 0.5 * (1 - np.eye(4)), index=models, columns=models)
    pairs.loc["a", "b"] = pairs.loc["b", "a"] = 0.2
    answers = instruments.across_papers(matrix, pairs)
    assert answers["spearman_delta_R_vs_bim_accuracy"] == pytest.approx(1 - 6 * 2 / (4 * 15))  # 1 - 6Σd²/n(n²-1)
    assert answers["spearman_gradient_centroid_vs_bim_accuracy"] == pytest.approx(-1.0)  # b has no centroid
    assert answers["mean_pairwise_agreement"] == pytest.approx((10 * 0.5 + 2 * 0.2) / 12)
    assert instruments.rank_correlation(matrix.iloc[:2], "coding_rate/delta_R", "robustness/bim_accuracy")[1] == 2
    assert math.isnan(instruments.rank_correlation(matrix.iloc[:2], "coding_rate/delta_R",
                                                   "robustness/bim_accuracy")[0])  # two points are no ranking
