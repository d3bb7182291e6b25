"""The label-representation paper's claims, decided by the scorecard from ``metrics.json``."""

from reprlab.papers.labels.attacks import HIGH_DIMENSIONAL
from reprlab.workbench.claims import Claim, Compare, Key, Reduce

TITLE = "Beyond categorical label representations (Chen et al., ICLR 2021)"
#: The paper's notebooks, in the order a reader follows them (the report groups them so).
NOTEBOOKS = ("label_generation", "label_training", "label_attacks", "label_less_data")


def _worst(path: str) -> Reduce:
    return Reduce("min", path, HIGH_DIMENSIONAL, label=f"worst high-dimensional label ({path})")


THIRD_PARTY = "third-party ResNet-32 on CIFAR-10, upstream's attack at ε = 0.05"

CLAIMS = (
    Claim("comparable_accuracy",
          "High-dimensional labels (speech, shuffle, composite, random, bert) reach test accuracy within "
          "2 points of categorical labels.",
          "label_attacks",
          Compare(_worst("test_accuracy"), ">=", Key("test_accuracy/category"), margin=-0.02),
          paper_value="'comparable' (table not recovered); third-party CIFAR-10 ResNet-32: category 88.8 %, "
                      "speech 85.9 %, random 84.2 %",
          figure="robustness_curves"),
    Claim("fgsm_robustness",
          "Under untargeted FGSM (middle ε) every high-dimensional label keeps more accuracy than "
          "categorical labels.",
          "label_attacks", Compare(_worst("fgsm_accuracy"), ">", Key("fgsm_accuracy/category")),
          paper_value=f"{THIRD_PARTY}: category 15 %, speech 59 %, random 64 %", figure="robustness_curves"),
    Claim("bim_robustness",
          "Under untargeted iterative attacks (BIM, middle ε) every high-dimensional label keeps more accuracy "
          "than categorical labels.",
          "label_attacks", Compare(_worst("bim_accuracy"), ">", Key("bim_accuracy/category")),
          paper_value=f"{THIRD_PARTY}: category 1.5 %, speech 54 %, random 62 %", figure="robustness_curves"),
    Claim("low_dimensional_weaker",
          "Low-dimensional (lowdim) and constant (uniform) labels reach lower test accuracy than every "
          "high-dimensional label.",
          "label_attacks",
          Compare(Reduce("max", "test_accuracy", ("lowdim", "uniform"), label="better of lowdim and uniform"),
                  "<", _worst("test_accuracy")),
          paper_value="weaker (table not recovered); third-party CIFAR-10 ResNet-32: uniform 76.7 %, lowdim 85.6 %, "
                      "random 84.2 %, speech 85.9 %",
          profiles=("paper",), figure="robustness_curves"),
    Claim("data_efficiency",
          "With the least training data, the high-dimensional labels' mean test accuracy beats categorical "
          "labels'.",
          "label_less_data",
          Compare(Reduce("mean", "accuracy_at_lowest_level", HIGH_DIMENSIONAL,
                         label="mean of high-dimensional labels at the lowest level"),
                  ">", Key("accuracy_at_lowest_level/category")),
          paper_value="better at low data fractions (numbers not recovered)", figure="accuracy_vs_level"),
)
