"""The workbench receives its papers through the entry-point group ``reprlab.papers``: a package
installed beside reprlab adds a paper (its notebooks' sweeps, registries and checks) without a
line of the workbench changing."""

import textwrap

import pytest

from reprlab.workbench import papers
from reprlab.workbench.claims import Claim, Compare, Key
from reprlab.workbench.papers import Paper, check_of, check_papers, installed_papers, paper_of, sweep_of
from reprlab.workbench.parameters import parse_help


@pytest.fixture
def toy_package(tmp_path, monkeypatch):
    """A package ``toy_paper`` on sys.path with a dist-info whose entry point lists one paper."""
    (tmp_path / "toy_paper.py").write_text(textwrap.dedent('''
        from reprlab.workbench.claims import Claim, Key, Compare
        from reprlab.workbench.papers import Paper
        from reprlab.workbench.spec import RunSpec

        def check(params):
            if params["width"] > params["depth"]:
                raise ValueError(f"width={params['width']} must not exceed depth={params['depth']}")

        PAPERS = [Paper("toy", "A toy paper", (Claim("wide", "It is wide.", "toy_train", Compare(Key("w"), ">", 1)),),
                        ("toy_train", "toy_sweep"),
                        sweeps={"toy_sweep": lambda params, profile: [RunSpec("train_classifier", profile, {})]},
                        registries={"toy_shapes": lambda: ("square", "circle")},
                        checks={"toy_train": check})]
    '''))
    info = tmp_path / "toy_paper-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-paper\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[reprlab.papers]\ntoy = toy_paper:PAPERS\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    installed_papers.cache_clear()
    yield
    installed_papers.cache_clear()


def test_an_installed_package_adds_a_paper_after_reprlabs_own(toy_package):
    names = [p.name for p in installed_papers()]
    assert names == ["labels", "mcr2", "agreement", "duet", "frequency", "lenses", "toy"]
    assert paper_of("toy_train").title == "A toy paper" and paper_of("train_classifier") is None
    assert [s.notebook for s in sweep_of("toy_sweep")({}, "smoke")] == ["train_classifier"]
    # its registry is a parameter's allowed values; its check refuses a combination by name
    shape = parse_help("shape", "str", "square", "the shape; one of: {toy_shapes}")
    assert shape.allowed == ("square", "circle")
    with pytest.raises(ValueError, match="allowed values: square, circle"):
        shape.coerce("triangle", "toy_train")
    with pytest.raises(ValueError, match="width=3 must not exceed depth=2"):
        check_of("toy_train")({"width": 3, "depth": 2})


def test_reprlabs_papers_contribute_their_registries_and_checks():
    assert "cifar10_resnet20" in papers.paper_registries()["encoders"]()
    assert papers.paper_registries()["labels"]()[0] == "category"
    with pytest.raises(ValueError, match="equi_tx"):
        from reprlab.workbench.spec import resolve_parameters

        resolve_parameters("duet_train", "smoke", {"tx": ["sca"], "equi_tx": "rot"})
    assert check_of("train_classifier") is None and sweep_of("train_classifier") is None


def test_two_papers_cannot_claim_one_name_notebook_or_registry():
    claim = (Claim("c", "C.", "a", Compare(Key("x"), ">", 0)),)
    with pytest.raises(ValueError, match="declares a claim id twice"):
        Paper("p", "P", claim * 2, ("a",))
    with pytest.raises(ValueError, match="notebooks it does not list"):
        Paper("p", "P", claim, ("a",), sweeps={"b": lambda p, profile: []})
    with pytest.raises(ValueError, match="both declare the notebook 'a'"):
        check_papers([Paper("p", "P", claim, ("a",)), Paper("q", "Q", claim, ("a",))])
    with pytest.raises(ValueError, match="both declare the registry 'r'"):
        check_papers([Paper("p", "P", claim, ("a",), registries={"r": tuple}),
                      Paper("q", "Q", claim, ("b",), registries={"r": tuple})])
