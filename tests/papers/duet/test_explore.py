import pytest
import torch

from reprlab.data import ImageSet
from reprlab.papers.duet.explore import DuetExplorer
from reprlab.papers.duet.generation import ConvDecoder, load_decoder, save_decoder
from reprlab.papers.duet.methods import METHODS
from reprlab.papers.duet.models import SSLModel, build_encoder
from reprlab.papers.duet.training import DuetJob


def _explorer(method="duet"):
    torch.manual_seed(0)
    model = SSLModel(METHODS[method](bins=8, proj_hidden=8) if method == "duet" else METHODS[method](proj_hidden=8),
                     build_encoder("cifar10_resnet20", 1, 0.125), 10).eval()
    decoder = ConvDecoder(64, 1, 16).eval()
    images = torch.randint(0, 256, (3, 1, 16, 16), dtype=torch.uint8)
    test = ImageSet("test", images, torch.tensor([0, 1, 2]), [str(i) for i in range(10)])
    return DuetExplorer(model, decoder, DuetJob.defaults(image_size=16), test)


def test_the_target_is_the_input_rotated_by_the_rolled_bins():
    explorer = _explorer()
    explorer.widget()
    assert explorer.state["probabilities"].sum() == pytest.approx(1, abs=1e-5)
    explorer.controls["degrees"].value = 30
    explorer.controls["shift"].value = 2  # 2 of 8 bins: 90 degrees more
    rolled = explorer.state
    explorer.controls["shift"].value = 0
    explorer.controls["degrees"].value = 120
    torch.testing.assert_close(torch.from_numpy(rolled["target"]), torch.from_numpy(explorer.state["input"]))
    assert rolled["mse"] > 0 and rolled["decoded"].shape == (1, 16, 16)


def test_a_decoder_saved_by_the_generation_run_loads_back_the_same(tmp_path):
    decoder = ConvDecoder(64, 3, 32).eval()
    save_decoder(decoder, tmp_path / "decoder_duet.pt")
    again = load_decoder(tmp_path / "decoder_duet.pt")
    z = torch.randn(2, 64)
    torch.testing.assert_close(again(z), decoder(z))


def test_only_a_model_with_a_group_axis_can_be_explored():
    with pytest.raises(ValueError, match="needs a model with a group axis"):
        _explorer("simclr")
