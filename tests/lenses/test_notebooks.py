"""The ``lenses`` notebook on the smoke workbook: every model run is rebuilt from its directory,
the matrix covers every model and lens, and a lens gives the number its model's own paper
notebook reports where both measure the same thing."""

import math

import pytest

from reprlab.data import load_dataset
from reprlab.data.splits import stratified_subset
from reprlab.lenses.instruments import Heads, LensData, equivariance, frequency, robustness
from reprlab.lenses.models import load_model, model_loaders, model_runs
from reprlab.papers.duet import evaluation as duet_evaluation
from reprlab.papers.duet.runs import duet_train_spec
from reprlab.papers.duet.training import DuetJob, load_ssl_splits
from reprlab.papers.labels.runs import label_training_spec
from reprlab.workbench.runner import run_parameters


def test_the_lens_matrix_covers_every_model_and_lens(smoke_workbook):
    m = smoke_workbook["lenses"].metrics
    expected = {"train_classifier", "label_training", "mcr2_train", "duet_train", "agreement_network",
                "frequency_gradients"}
    assert {entry["notebook"] for entry in m["models"].values()} == expected
    assert {"duet_train duet", "duet_train simclr", "duet_train essl", "label_training category",
            "label_training speech"} <= set(m["matrix"])
    for model, lenses in m["matrix"].items():
        assert set(lenses) == {"coding_rate", "frequency", "robustness", "equivariance", "agreement"}, model
        assert 0 <= lenses["robustness"]["bim_accuracy"] <= lenses["agreement"]["accuracy"] + 1e-9, model
        assert math.isfinite(lenses["coding_rate"]["delta_R"]), model
    figures = smoke_workbook["lenses"].run_dir / "figures"
    assert {"coding_rate.png", "robustness.png", "pairwise_agreement.png", "coding_rate_vs_robustness.png"} <= {
        p.name for p in figures.iterdir()}


def test_every_model_run_is_rebuilt_from_its_directory(smoke_workbook, monkeypatch):
    smoke_workbook.use(monkeypatch)
    test = load_dataset("fashionmnist", "test").subset(range(8))
    runs = model_runs(smoke_workbook.runs, "smoke", "fashionmnist")
    assert {r.parent.name for r in runs} == set(model_loaders())
    for run_dir in runs:
        model = load_model(run_dir, test)
        assert model.features(test.images.float() / 255).shape[0] == 8, run_dir
    with pytest.raises(ValueError, match="a run of label_attacks, which trains no model; models come from"):
        load_model(smoke_workbook["label_attacks"].run_dir, test)


def test_a_lens_gives_the_number_of_its_models_own_paper_notebook(smoke_workbook, monkeypatch):
    smoke_workbook.use(monkeypatch)
    # robustness = label_attacks' FGSM and BIM (untargeted) on the same stratified test images
    attacks = smoke_workbook["label_attacks"]
    table = attacks.metrics["table"]
    eps = max(attacks.params["eps"])
    test = load_dataset("fashionmnist", "test")
    shown = LensData(test, stratified_subset(test, attacks.params["test_images"], seed=0))
    for label in attacks.params["labels"]:
        _, run_dir = label_training_spec(label, attacks.params["train_profile"]).resolve()  # the run it attacked
        lensed = robustness(load_model(run_dir, test), shown, Heads(shown), eps=eps)
        for method in ("fgsm", "bim"):
            [paper] = [a for lab, m, t, e, a in zip(table["label"], table["method"], table["targeted"], table["eps"],
                                                      table["accuracy"], strict=True)
                       if lab == label and m == method and not t and e == eps]
            assert lensed[f"{method}_accuracy"] == pytest.approx(paper, abs=0.011), (label, method)
    # frequency = frequency_filtering's low- and high-pass accuracy of the baseline, whole test split
    filtering = smoke_workbook["frequency_filtering"]
    radii = tuple(filtering.params["radii"])
    whole = LensData(test, test)
    lensed = frequency(load_model(filtering.metrics["train_run"], test), whole, Heads(whole), radii)
    for radius in radii:
        for part in ("low", "high"):
            assert lensed[f"{part}_pass_accuracy_r{radius:g}"] == pytest.approx(
                filtering.metrics[f"{part}_accuracy"][f"{radius:g}"]), (part, radius)
    # equivariance = duet_evaluate's transform probe (rotation) on the same images
    evaluated = smoke_workbook["duet_evaluate"]
    profile, overrides = evaluated.params["train_profile"], evaluated.params["train_overrides"]
    _, duet_dir = duet_train_spec("duet", profile, overrides).resolve()  # the run it evaluated
    job = DuetJob.from_params(run_parameters(duet_dir))
    splits = load_ssl_splits(job)
    seed = evaluated.params["seed"]
    train = duet_evaluation.stratified(splits.train, evaluated.params["train_images"], seed)
    shown = LensData(train, splits.test, seed)
    lensed = equivariance(load_model(duet_dir, splits.test), shown, Heads(shown), bins=job.duet_bins)
    assert job.equi_tx == "rot"
    assert lensed["rotation_probe_accuracy"] == pytest.approx(
        evaluated.metrics["models"]["duet"]["transform_probe_accuracy"], abs=0.02)


def test_the_report_shows_the_lens_matrix_under_its_own_heading_after_the_papers(smoke_workbook, tmp_path, browser):
    from reprlab.lenses.claims import TITLE
    from reprlab.workbench.report import build_report

    warnings: list[str] = []
    index = build_report(smoke_workbook.runs, tmp_path / "report", warn=warnings.append)
    assert not warnings
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(request.url))
    page.goto(index.as_uri())
    assert page.locator("section.paper h2").all_inner_texts()[-1] == TITLE

    m = smoke_workbook["lenses"].metrics
    section = page.locator("#lenses")
    table = section.locator("table.metric-table")
    assert table.locator("tr > th:first-child").all_inner_texts()[1:] == list(m["matrix"])  # a row per model
    columns = table.locator("tr").first.locator("th").all_inner_texts()
    some_model = next(iter(m["matrix"].values()))
    assert columns == ["", "notebook", "run"] + [f"{lens}/{metric}" for lens, values in some_model.items()
                                                 for metric in values]
    # 17 columns are wider than the page: the table scrolls sideways, its last column within reach
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    last = table.locator("tr").first.locator("th").last
    last.scroll_into_view_if_needed()
    box, viewport = last.bounding_box(), page.viewport_size
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"]

    shown = section.locator("img").evaluate_all("imgs => imgs.map(i => [i.src.split('/').pop(), i.naturalWidth])")
    assert {"coding_rate.png", "frequency.png", "robustness.png", "equivariance.png", "agreement.png",
            "pairwise_agreement.png", "coding_rate_vs_robustness.png"} <= {name for name, _ in shown}
    assert all(width > 0 for _, width in shown), shown  # every figure loaded
    headline = section.locator("table.runs").last.locator("tr").first.inner_text()
    assert "across.spearman_delta_R_vs_bim_accuracy" in headline and "across.mean_pairwise_agreement" in headline
    assert not problems, problems
