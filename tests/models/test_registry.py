import pytest
import torch
import torch.nn as nn

from reprlab.models import MODELS, Classifier, build_backbone, build_model, count_parameters

# Published parameter counts with a 10-way head (He et al. 2016 Table 6; kuangliu/pytorch-cifar;
# LeCun et al. 1998 for LeNet-5 on 1x32x32).
PUBLISHED = {"resnet20": 0.27e6, "resnet32": 0.46e6, "resnet44": 0.66e6, "resnet56": 0.85e6,
             "resnet110": 1.7e6, "resnet18": 11.17e6, "vgg19_bn": 20.04e6}


@pytest.mark.parametrize("name", PUBLISHED)
def test_parameter_counts_match_the_published_ones(name):
    assert count_parameters(build_model(name, 10)) == pytest.approx(PUBLISHED[name], rel=0.02)


def test_lenet5_has_the_classic_61706_parameters():
    assert count_parameters(build_model("lenet5", 10, in_channels=1, image_size=32)) == 61706


@pytest.mark.parametrize("name", sorted(set(MODELS) - {"resnet1202", "resnet110", "resnet50", "densenet121"}))
@pytest.mark.parametrize(("channels", "size"), [(1, 28), (3, 32)])
def test_every_model_takes_any_channel_count_and_size(name, channels, size):
    model = build_model(name, 7, channels, size).eval()
    with torch.no_grad():
        assert model(torch.randn(2, channels, size, size)).shape == (2, 7)


def test_backbone_features_and_swapping_the_head():
    model = build_model("resnet20", 10, 1, 28)
    x = torch.randn(3, 1, 28, 28)
    assert model.features(x).shape == (3, model.feature_dim) == (3, 64)
    regression = Classifier(model.backbone, nn.Linear(model.feature_dim, 50))
    assert regression(x).shape == (3, 50)
    assert regression.backbone is model.backbone


def test_unknown_model_names_the_allowed_values():
    with pytest.raises(ValueError, match="model='resnet33' is unknown; allowed values: resnet20"):
        build_backbone("resnet33")
