import pytest

from reprlab.parameters import notebook_parameters, parse_literal, validate


def test_contract_is_read_from_the_parameters_cell():
    spec = notebook_parameters("train_classifier")
    assert spec["epochs"].type == "int" and spec["epochs"].default == 200
    assert spec["weight_decay"].type == "float" and spec["weight_decay"].default == 5e-4
    assert "fashionmnist" in spec["dataset"].choices and spec["optimizer"].choices == ("sgd", "adam", "adamw")


def test_command_line_strings_are_typed():
    assert validate("train_classifier", {"epochs": "3", "lr": "5e-4", "amp": "false", "dataset": "mnist"}) == {
        "epochs": 3, "lr": 5e-4, "amp": False, "dataset": "mnist"}
    assert validate("train_classifier", {"lr": 1}) == {"lr": 1.0}  # an int is a fine float
    assert parse_literal("[0.5, 0.75]") == [0.5, 0.75]


@pytest.mark.parametrize(("values", "message"), [
    ({"epoch": 3}, "unknown parameter 'epoch'; allowed parameters: dataset, model, epochs"),
    ({"epochs": "three"}, "parameter 'epochs' expects int, got 'three'"),
    ({"epochs": 2.5}, "parameter 'epochs' expects int"),
    ({"amp": 1}, "parameter 'amp' expects bool"),
    ({"optimizer": "lion"}, "optimizer='lion' is not allowed; allowed values: sgd, adam, adamw"),
])
def test_bad_parameters_name_the_parameter_and_what_is_allowed(values, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        validate("train_classifier", values)


def test_unknown_notebook_lists_the_notebooks():
    with pytest.raises(ValueError, match=r"notebook=.nope. does not exist; allowed values: .*train_classifier"):
        notebook_parameters("nope")
