import numpy as np
import pytest
import torch

from reprlab.data import ImageSet
from reprlab.data.datasets import DATASETS
from reprlab.papers.frequency.evaluation import accuracy_by_radius, accuracy_over_radii


class StripeDetector(torch.nn.Module):
    """Class 1 when the mean absolute horizontal step is above half a pixel range, else class 0."""

    def __init__(self, std: float) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor(std), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        step = (x[..., 1:] - x[..., :-1]).abs().mean((1, 2, 3)) * self.scale
        return torch.stack([torch.full_like(step, 0.5), step], 1)


def _smooth_and_striped(copies: int = 1) -> ImageSet:
    """Two class-0 images, mostly smooth (a wave at distance 1, faint stripes at distance 8), and
    one class-1 image, mostly stripes (faint wave): each has content on both sides of r = 4."""
    xx = np.mgrid[0:16, 0:16][1]
    wave, stripes = np.cos(2 * np.pi * xx / 16), np.where(xx % 2 == 0, 1.0, -1.0)

    def uint8(x):
        return np.round(255 * (x - x.min()) / (x.max() - x.min()))

    images = [uint8(wave + 0.1 * stripes), uint8(wave + 0.1 * stripes), uint8(stripes + 0.1 * wave)]
    images = torch.from_numpy(np.stack(images * copies).astype(np.uint8)[:, None])
    return ImageSet("digits", images, torch.tensor([0, 0, 1] * copies), [str(c) for c in range(10)])


def test_each_filtered_set_keeps_only_the_frequencies_on_its_side_of_the_radius():
    model = StripeDetector(DATASETS["digits"].std[0])
    table = accuracy_over_radii(model, _smooth_and_striped(), [4.0, 10.0], "cpu")
    assert accuracy_by_radius(table, "original") == {"0": 1.0}
    # r = 4: every low-pass image is the wave alone (class 0 for all: 2 of 3 right), every
    # high-pass image the stripes alone (class 1 for all: 1 of 3); r = 10 keeps all in the low pass
    assert accuracy_by_radius(table, "low") == pytest.approx({"4": 2 / 3, "10": 1.0})
    assert accuracy_by_radius(table, "high")["4"] == pytest.approx(1 / 3)


def test_parts_limit_the_sets_evaluated():
    table = accuracy_over_radii(StripeDetector(1.0), _smooth_and_striped(1), [4.0], "cpu", parts=("high",))
    assert list(table["part"]) == ["original", "high"]
    with pytest.raises(ValueError, match=r"parts=\['band'\]; allowed values: low, high"):
        accuracy_over_radii(StripeDetector(1.0), _smooth_and_striped(1), [4.0], "cpu", parts=("band",))
