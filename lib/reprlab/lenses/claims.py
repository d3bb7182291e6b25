"""The lenses' claims: only where a paper states one that another paper's models can test."""

from reprlab.workbench.claims import Claim, Compare, Key

TITLE = "Lenses: every paper's instrument on every trained model"
NOTEBOOKS = ("lenses",)


def _cell(model: str, lens: str, metric: str) -> Key:
    return Key(f"matrix/{model}/{lens}/{metric}")


CLAIMS = (
    Claim("duet_keeps_rotation",
          "Through the equivariance lens too, a linear probe recovers the rotation's bin from DUET's "
          "representation better than from SimCLR's.",
          "lenses", Compare(_cell("duet_train duet", "equivariance", "rotation_probe_accuracy"), ">",
                            _cell("duet_train simclr", "equivariance", "rotation_probe_accuracy")),
          paper_value="DUET (ICML 2023): the group axis keeps the transformation (its own protocol)",
          figure="equivariance"),
)
