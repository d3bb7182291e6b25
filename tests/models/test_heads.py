import pytest
import torch

from reprlab.models import Classifier, DeconvDecoder, build_backbone, count_parameters, projection_head


@pytest.mark.parametrize(("out_size", "chain"), [(64, [1, 4, 8, 16, 32, 64]), (48, [1, 3, 6, 12, 24, 48])])
def test_deconv_decoder_shapes(out_size, chain):
    decoder = DeconvDecoder(64, out_size)
    x = decoder.project(torch.randn(2, 64)).view(-1, 64, 1, 1)
    sizes = [x.shape[-1]]
    for layer in decoder.decode:
        x = layer(x)
        if isinstance(layer, torch.nn.ConvTranspose2d):
            sizes.append(x.shape[-1])
    assert sizes == chain
    assert decoder(torch.randn(5, 64)).shape == (5, out_size, out_size)


def test_deconv_decoder_has_upstream_parameter_count():
    assert count_parameters(DeconvDecoder(64, 64).decode) == 109033  # "about 109k decoder parameters"


def test_decoder_on_a_backbone_and_projection_head_on_the_sphere():
    backbone = build_backbone("resnet20", 3, 32)
    model = Classifier(backbone, DeconvDecoder(backbone.feature_dim, 64)).eval()
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 64, 64)
    head = projection_head(64, 16).eval()
    assert torch.allclose(head(torch.randn(4, 64)).norm(dim=1), torch.ones(4))
    with pytest.raises(ValueError, match="out_size=32"):
        DeconvDecoder(64, 32)
