import numpy as np
import pytest
import torch

from reprlab.data import ImageSet
from reprlab.data.normalize import Normalizer
from reprlab.papers.frequency.explore import FrequencyExplorer
from reprlab.papers.frequency.gradients import global_minmax


def _explorer():
    torch.manual_seed(0)
    xx = np.mgrid[0:16, 0:16][1]
    smooth = (127.5 + 127.5 * np.cos(2 * np.pi * xx / 16)).round()  # one low frequency
    stripes = np.where(xx % 2 == 0, 255, 0)  # the highest horizontal frequency
    images = torch.from_numpy(np.stack([smooth, stripes]).astype(np.uint8)[:, None])
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(256, 3))
    spectrum = np.array([[4.0, 2.0, 1.0], [1.0, 3.0, 5.0]])  # 2 epochs x 3 bands
    test = ImageSet("test", images, torch.tensor([0, 2]), ["a", "b", "c"])
    return FrequencyExplorer(model, test, Normalizer((0.5,), (0.5,)), spectrum)


def test_a_low_frequency_image_survives_the_low_pass_and_stripes_the_high_pass():
    explorer = _explorer()
    explorer.widget()
    explorer.controls["radius"].value = 4.0
    smooth = explorer.state["images"]
    assert np.abs(smooth["low"].astype(int) - smooth["original"].astype(int)).max() <= 1
    explorer.controls["example"].value = 1
    stripes = explorer.state["images"]
    assert np.abs(stripes["high"].astype(int) - stripes["original"].astype(int)).max() <= 1
    assert set(explorer.state["predicted"]) == {"original", "low", "high"}
    logits = explorer.model(Normalizer((0.5,), (0.5,))(explorer.test.images[1:].float() / 255))
    assert explorer.state["true_probability"]["original"] == pytest.approx(torch.softmax(logits, 1)[0, 2].item())


def test_the_epoch_slider_picks_a_row_of_the_globally_normalised_heat_map():
    explorer = _explorer()
    explorer.widget()
    assert explorer.controls["epoch"].value == 1  # the last epoch first
    explorer.controls["epoch"].value = 0
    np.testing.assert_allclose(explorer.state["spectrum_row"], global_minmax(np.array([[4.0, 2, 1], [1, 3, 5]]))[0])
    np.testing.assert_allclose(explorer.state["spectrum_row"], [0.75, 0.25, 0.0])
