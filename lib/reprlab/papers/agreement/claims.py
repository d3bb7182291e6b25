"""The agreement paper's claims, decided by the scorecard from ``metrics.json``."""

from reprlab.workbench.claims import Claim, Compare, Key, Trend

TITLE = "When deep classifiers agree: learning order and image statistics (Pliushch et al.)"
#: The paper's notebooks, in the order a reader follows them (the report groups them so).
NOTEBOOKS = ("image_statistics", "agreement_network", "agreement")
NOT_FOUND = "numbers not recovered"

CLAIMS = (
    Claim("agree_beyond_independence",
          "Networks trained from different seeds agree on which training examples they get right more than "
          "independent networks with the same accuracies would.",
          "agreement", Compare(Key("final_agreement"), ">", Key("final_independent_agreement")),
          paper_value=f"high agreement, 'independent of architectures, hyper-parameters or labels' ({NOT_FOUND})",
          figure="instance_agreement"),
    Claim("entropy_orders_learning",
          "Examples of higher local image entropy are learned later: the 95 % interval of Spearman ρ between "
          "entropy and the first-learned epoch lies above 0.",
          "agreement", Compare(Key("correlations/entropy/ci_low", label="ρ(entropy, first-learned epoch), CI low"),
                               ">", 0.0),
          unit="", paper_value=f"learning follows an ordering by image statistics ({NOT_FOUND})",
          figure="correlations"),
    Claim("random_labels_lower_agreement",
          "With all labels random, the networks agree less at the end than with clean labels.",
          "agreement", Trend("random_label_final_agreement", "falls"), profiles=("random_labels",),
          paper_value=f"agreement drops with label randomness ({NOT_FOUND})", figure="agreement_random_labels"),
)
