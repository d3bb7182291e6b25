"""MCR²'s claims, decided by the scorecard from ``metrics.json``."""

from reprlab.workbench.claims import Claim, Compare, Key, Pointwise, Trend

TITLE = "Learning diverse and discriminative representations via MCR² (Yu et al., NeurIPS 2020)"
#: The paper's notebooks, in the order a reader follows them (the report groups them so).
NOTEBOOKS = ("mcr2_train", "mcr2_evaluate", "mcr2_corruption_sweep")
NOT_VERIFIED = "recollection, not verified"

CLAIMS = (
    Claim("delta_r_rises", "Training raises the coding-rate reduction ΔR = R − Rc of the features.",
          "mcr2_train", Trend("delta_R_per_epoch", "rises"), unit="", figure="coding_rates",
          paper_value="ΔR rises over training (values not recovered)"),
    Claim("close_to_cross_entropy",
          "Nearest-subspace classification of MCR² features is within 2 points of a cross-entropy network "
          "trained on the same data.",
          "mcr2_evaluate", Compare(Key("nearest_subspace_accuracy"), ">=", Key("cross_entropy_accuracy"), margin=-0.02),
          paper_value=f"CIFAR-10 at 10 % label noise: MCR² 91.1 %, CE 90.9 % ({NOT_VERIFIED})",
          figure="singular_values"),
    Claim("robust_to_label_noise",
          "At every label-corruption ratio MCR² loses less test accuracy than cross-entropy.",
          "mcr2_corruption_sweep", Pointwise("mcr2_drop", "<", "ce_drop"),
          paper_value=f"CIFAR-10, noise 0.1 → 0.5: MCR² 91.1 → 84.3 %, CE 90.9 → 61.0 % ({NOT_VERIFIED})",
          figure="accuracy_vs_corruption"),
)
