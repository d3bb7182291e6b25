"""DUET's claims (against SimCLR and ESSL), decided by the scorecard from ``metrics.json``."""

from reprlab.workbench.claims import Claim, Compare, Key, Near

TITLE = "DUET: 2D structured and approximately equivariant representations (Suau et al., ICML 2023)"
#: The paper's notebooks, in the order a reader follows them (the report groups them so).
NOTEBOOKS = ("duet_train", "duet_evaluate", "duet_generation")


def _model(key: str, name: str = "duet") -> Key:
    return Key(f"models/{name}/{key}")


def _duet_vs_simclr(key: str, op: str = ">=") -> Compare:
    return Compare(_model(key), op, _model(key, "simclr"))


NOT_FOUND = "Tables 2–3 not recovered"

CLAIMS = (
    Claim("group_axis_tracks_transformation",
          "DUET's group axis encodes the transformation: its argmax bin matches the bin of equi_tx's parameter "
          "far above chance (1/G).",
          "duet_evaluate", Compare(_model("group_bin_accuracy"), ">", Key("group_bin_chance")),
          paper_value="Fig. 1: the group distribution follows the transformation (no number)", figure="protocols"),
    Claim("keeps_transformation",
          "A linear probe recovers the transformation's bin from DUET's representation better than from "
          "SimCLR's.",
          "duet_evaluate", _duet_vs_simclr("transform_probe_accuracy", ">"), paper_value=NOT_FOUND, figure="protocols"),
    Claim("online_probe_vs_simclr",
          "DUET's online linear probe (upstream's reported number) is at least SimCLR's.",
          "duet_evaluate", _duet_vs_simclr("online_probe_accuracy"), paper_value=NOT_FOUND, figure="protocols"),
    Claim("frozen_probe_vs_simclr",
          "A linear probe fitted on clean images of DUET's frozen representation is at least SimCLR's.",
          "duet_evaluate", _duet_vs_simclr("linear_probe_accuracy"), paper_value=NOT_FOUND, figure="protocols"),
    Claim("transfer_vs_simclr",
          "DUET's frozen representation transfers to a second dataset at least as well as SimCLR's.",
          "duet_evaluate", _duet_vs_simclr("transfer_accuracy"), paper_value=NOT_FOUND, figure="protocols"),
    Claim("online_probe_cifar10",
          "DUET's online probe reaches about 73 % on CIFAR-10 (ResNet-32, 800 epochs), within 3 points.",
          "duet_evaluate", Near(_model("online_probe_accuracy"), 0.73, 0.03), profiles=("paper",),
          paper_value="≈ 73 % (upstream README, 'as in Figure 4')", figure="protocols"),
    Claim("reconstructs_better",
          "A decoder reconstructs images from DUET's representation with lower error than from SimCLR's.",
          "duet_generation", _duet_vs_simclr("reconstruction_mse", "<"),
          unit="", paper_value=NOT_FOUND, figure="generation_duet"),
    Claim("controlled_generation",
          "Rolling DUET's group axis by k bins moves the decode towards the input rotated by k bins: lower "
          "error than the decode without the roll.",
          "duet_generation", Compare(_model("controlled_mse"), "<", _model("unrolled_mse")),
          unit="", paper_value="the paper's generation figures (no number)", figure="generation_duet"),
)
