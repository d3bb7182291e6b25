import dataclasses
import typing

import pytest

from reprlab.data import DATASETS
from reprlab.experiments.classification import ClassifierJob
from reprlab.jobs import TrainingJob
from reprlab.models import MODELS
from reprlab.papers.agreement.training import NetworkJob
from reprlab.papers.duet.training import DuetJob
from reprlab.papers.labels.bank import LABEL_TYPES
from reprlab.papers.labels.training import LabelJob
from reprlab.papers.mcr2.training import MCR2Job
from reprlab.training import TrainConfig
from reprlab.training.schedules import SCHEDULES
from reprlab.workbench.cli import main
from reprlab.workbench.parameters import (
    Range,
    list_notebooks,
    notebook_parameters,
    parse_help,
    parse_literal,
    validate,
)

JOBS = (ClassifierJob, MCR2Job, LabelJob, NetworkJob, DuetJob)
_PY_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "list": (tuple, list), "dict": dict}


def test_contract_is_read_from_the_parameters_cell():
    spec = notebook_parameters("train_classifier")
    assert spec["epochs"].type == "int" and spec["epochs"].default == 200
    assert spec["weight_decay"].type == "float" and spec["weight_decay"].default == 5e-4
    assert spec["optimizer"].allowed == ("sgd", "adam", "adamw")
    assert spec["epochs"].range == Range(1, float("inf"), False, True)
    assert spec["level"].range == Range(0, 100, True, False)


def test_allowed_values_come_from_the_registries():
    spec = notebook_parameters("train_classifier")
    assert spec["model"].allowed == tuple(MODELS)
    assert spec["dataset"].allowed == tuple(n for n in DATASETS if n != "imagefolder")
    assert spec["schedule"].allowed == SCHEDULES
    assert notebook_parameters("label_training")["label"].allowed == ("category", *LABEL_TYPES)
    assert notebook_parameters("agreement")["models"].allowed == tuple(MODELS)  # each element of a list


def test_every_notebook_declares_its_allowed_values_and_ranges_in_a_known_form():
    for notebook in list_notebooks():
        for p in notebook_parameters(notebook).values():
            p.allowed  # noqa: B018 - resolving raises on an unknown registry
            assert "one of" not in p.help and "range" not in p.help, (notebook, p.name, p.help)
            if p.name in ("epochs", "batch_size", "lr"):
                assert p.range is not None, (notebook, p.name)
            if p.name in ("model", "dataset", "optimizer", "schedule"):
                assert p.allowed, (notebook, p.name)


@pytest.mark.parametrize("job_class", JOBS, ids=lambda c: c.__name__)
def test_jobs_take_every_default_from_their_notebook(job_class):
    """One source of truth: a job declares no default of its own; each of its fields is a
    parameter of its notebook, with a matching type, and its defaults are the notebook's."""
    spec = notebook_parameters(job_class.NOTEBOOK)
    for field in dataclasses.fields(job_class):
        assert field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING, field.name
        assert field.name in spec, f"{job_class.__name__}.{field.name} is no {job_class.NOTEBOOK} parameter"
        declared = typing.get_origin(field.type) or field.type
        assert issubclass(declared, _PY_TYPES[spec[field.name].type]), field.name
    job = job_class.defaults()
    for field in dataclasses.fields(job_class):
        value = getattr(job, field.name)
        assert (list(value) if isinstance(value, tuple) else value) == spec[field.name].default, field.name


@pytest.mark.parametrize("job_class", [j for j in JOBS if issubclass(j, TrainingJob)], ids=lambda c: c.__name__)
def test_train_config_takes_every_optimisation_parameter_of_the_job(job_class):
    job = job_class.defaults(momentum=0.5, weight_decay=0.125, milestones=[0.25, 0.5], schedule="multistep")
    config = TrainConfig.from_job(job)
    assert (config.momentum, config.weight_decay, config.milestones) == (0.5, 0.125, (0.25, 0.5))
    assert config.epochs == job.epochs and config.lr == job.lr and config.optimizer == job.optimizer


def test_train_config_refuses_a_job_without_a_setting_it_uses_and_an_unknown_setting():
    @dataclasses.dataclass
    class Misspelt:  # weight_decay spelt otherwise: TrainConfig's default must not stand in for it
        epochs: int = 2
        lr: float = 0.1
        optimizer: str = "sgd"
        momentum: float = 0.9
        weigth_decay: float = 0.0
        schedule: str = "cosine"

    with pytest.raises(ValueError, match="Misspelt has no weight_decay: a training job declares"):
        TrainConfig.from_job(Misspelt())
    assert TrainConfig.from_job(Misspelt(), weight_decay=0.0).weight_decay == 0.0  # given by the call
    with pytest.raises(ValueError, match="TrainConfig has no setting lr_decay"):
        TrainConfig.from_job(Misspelt(), weight_decay=0.0, lr_decay=0.5)


def test_a_job_needs_every_parameter():
    with pytest.raises(ValueError, match="LabelJob needs the label_training parameters"):
        LabelJob.from_params({"dataset": "digits"})


def test_command_line_strings_are_typed():
    assert validate("train_classifier", {"epochs": "3", "lr": "5e-4", "amp": "false", "dataset": "mnist"}) == {
        "epochs": 3, "lr": 5e-4, "amp": False, "dataset": "mnist"}
    assert validate("train_classifier", {"lr": 1}) == {"lr": 1.0}  # an int is a fine float
    assert parse_literal("[0.5, 0.75]") == [0.5, 0.75]


@pytest.mark.parametrize(("notebook", "values", "message"), [
    ("train_classifier", {"epoch": 3}, "unknown parameter 'epoch'; allowed parameters: dataset, model, epochs"),
    ("train_classifier", {"epochs": "three"}, "parameter 'epochs' expects int, got 'three'"),
    ("train_classifier", {"epochs": 2.5}, "parameter 'epochs' expects int"),
    ("train_classifier", {"amp": 1}, "parameter 'amp' expects bool"),
    ("train_classifier", {"optimizer": "lion"}, "optimizer='lion' is not allowed; allowed values: sgd, adam, adamw"),
    ("train_classifier", {"model": "vit"}, "model='vit' is not allowed; allowed values: resnet20, resnet32"),
    ("train_classifier", {"epochs": 0}, "epochs=0 is out of range; allowed range: [1, inf)"),
    ("train_classifier", {"lr": -1}, "lr=-1.0 is out of range; allowed range: (0, inf)"),
    ("train_classifier", {"batch_size": 0}, "batch_size=0 is out of range; allowed range: [1, inf)"),
    ("train_classifier", {"level": 150}, "level=150.0 is out of range; allowed range: (0, 100]"),
    ("train_classifier", {"subset": -5}, "subset=-5 is out of range; allowed range: [0, inf)"),
    ("train_classifier", {"corruption": 1.5}, "corruption=1.5 is out of range; allowed range: [0, 1]"),
    ("train_classifier", {"milestones": [0.5, 2]},
     "milestones contains 2, out of range; allowed range for each: [0, 1]"),
    ("agreement", {"models": ["lenet5", "vit"]}, "models contains 'vit', not allowed; allowed values: resnet20"),
    ("label_attacks", {"attacks": ["fgsm", "cw"]},
     "attacks contains 'cw', not allowed; allowed values: fgsm, bim, pgd"),
])
def test_bad_parameters_name_the_parameter_and_what_is_allowed(notebook, values, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[").replace(")", r"\)")):
        validate(notebook, values)


def test_help_comment_grammar():
    p = parse_help("x", "list", [1], "weights; each in range: (0, 1]; each one of: {models}")
    assert p.help == "weights" and p.each_range == Range(0, 1, True, False) and p.each_choices == ("{models}",)
    assert 1 in p.each_range and 0 not in p.each_range and str(p.each_range) == "(0, 1]"
    with pytest.raises(ValueError, match="must look like"):
        Range.parse("0..1")


def test_params_command_prints_type_default_and_allowed_values(capsys):
    assert main(["params", "train_classifier"]) == 0
    lines = {line.split(":", 1)[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["optimizer"] == "optimizer: str = 'sgd', one of: sgd, adam, adamw"
    assert lines["model"].startswith("model: str = 'resnet32', one of: resnet20, resnet32,")
    assert lines["epochs"] == "epochs: int = 200, range [1, inf)  # training epochs"


def test_unknown_notebook_lists_the_notebooks():
    with pytest.raises(ValueError, match=r"notebook=.nope. does not exist; allowed values: .*train_classifier"):
        notebook_parameters("nope")
