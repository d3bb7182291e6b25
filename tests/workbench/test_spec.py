"""Profiles and parameter resolution: defaults, then the profile, then overrides."""

from reprlab.workbench.spec import resolve_parameters


def test_profile_values_override_defaults_and_overrides_win():
    params = resolve_parameters("train_classifier", "quick", {"epochs": "2"})
    assert params["dataset"] == "fashionmnist" and params["epochs"] == 2 and params["momentum"] == 0.9
