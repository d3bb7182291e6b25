"""The frequency-bias paper's claims, decided by the scorecard from ``metrics.json``."""

from reprlab.workbench.claims import Claim, Key, Ordering, Pointwise, Trend

TITLE = "Frequency bias in image classification: spectral density and class consistency (Lin et al., IJCAI 2022)"
#: The paper's notebooks, in the order a reader follows them (the report groups them so).
NOTEBOOKS = ("frequency_gradients", "frequency_filtering", "frequency_hars", "spectral_density")


def _smallest_radius(model: str) -> Key:
    return Key(f"high_pass_accuracy/{model}", pick="first", label=f"{model} on X_h at the smallest radius")


CLAIMS = (
    Claim("gradient_centroid_rises",
          "Training moves the input-gradient spectrum towards higher frequencies: its centroid (in bands) ends "
          "higher than after the first epoch.",
          "frequency_gradients", Trend("centroid_per_epoch", "rises", start=1), unit="",
          paper_value="f_baseline: energy starts in the low bands, then moves to mid bands (heat map)",
          figure="band_energy_and_centroid"),
    Claim("low_pass_accuracy_rises", "Accuracy on low-pass test images X_l^(r) rises with the radius r.",
          "frequency_filtering", Trend("low_accuracy", "rises"), paper_value="numbers not recovered",
          figure="accuracy_vs_radius"),
    Claim("high_pass_accuracy_falls", "Accuracy on high-pass test images X_h^(r) falls as r grows.",
          "frequency_filtering", Trend("high_accuracy", "falls"),
          paper_value="f_baseline, CIFAR-10: 43.2 % at r = 10 → 8.3 % at r = 18", figure="accuracy_vs_radius"),
    Claim("hars_uses_high_frequencies",
          "A model trained on HARS beats the baseline on high-pass test images at every radius.",
          "frequency_hars", Pointwise("accuracy/HARS/high", ">", "accuracy/baseline/high"),
          paper_value="HARS accuracies not recovered", figure="hars_vs_baseline"),
    Claim("cdes_ordering",
          "On each model's own high-pass test set at the smallest radius, f_scr > f_baseline > f_wcr: "
          "class-related density enhancement makes high frequencies discriminative, class-agnostic hurts.",
          "spectral_density", Ordering((_smallest_radius("f_scr"), _smallest_radius("f_baseline"),
                                        _smallest_radius("f_wcr"))),
          paper_value="X_h^(10), CIFAR-10: 79.0 > 43.2 > 20.4 %", figure="accuracy_vs_radius"),
)
