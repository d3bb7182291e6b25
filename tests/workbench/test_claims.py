import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reprlab import paths
from reprlab.io import write_json
from reprlab.workbench import claims
from reprlab.workbench.claims import (
    FAILS,
    HOLDS,
    NOT_MEASURED,
    NOT_RUN,
    Claim,
    Compare,
    Key,
    MissingMetric,
    Near,
    Ordering,
    Pointwise,
    Reduce,
    Trend,
)
from reprlab.workbench.cli import main
from reprlab.workbench.papers import Paper, installed_papers
from reprlab.workbench.parameters import list_notebooks
from reprlab.workbench.spec import list_profiles, load_profile


@dataclass
class Run:
    name: str = "quick-1"
    directory: Path = Path("/runs/x/quick-1")
    status: dict = field(default_factory=lambda: {"profile": "quick"})
    metrics: dict = field(default_factory=dict)


def verdict(rule, metrics, unit="%"):
    return claims.decide(Claim("c", "a claim", "nb", rule, unit=unit), Run(metrics=metrics))


def test_compare_with_a_margin_in_points():
    rule = Compare(Reduce("min", "acc", ("speech", "random")), ">=", Key("acc/category"), margin=-0.02)
    held = verdict(rule, {"acc": {"category": 0.88, "speech": 0.87, "random": 0.865}})
    assert held.verdict == HOLDS and held.measured == "86.5 % vs 88.0 % (-1.5 pts)"
    assert verdict(rule, {"acc": {"category": 0.88, "speech": 0.87, "random": 0.84}}).verdict == FAILS
    assert rule.text(Claim("c", "", "nb", rule).delta).endswith("≥ acc/category − 2.0 pts")
    # a name the run did not train is left out of the minimum; none at all is not measured
    assert verdict(rule, {"acc": {"category": 0.88, "speech": 0.9}}).verdict == HOLDS
    assert verdict(rule, {"acc": {"category": 0.88, "lowdim": 0.9}}).verdict == NOT_MEASURED


def test_compare_against_a_number_and_the_mean():
    assert verdict(Compare(Key("rho"), ">", 0.0), {"rho": 0.31}, unit="").verdict == HOLDS
    assert verdict(Compare(Key("rho"), ">", 0.0), {"rho": -0.01}, unit="").verdict == FAILS
    mean = Compare(Reduce("mean", "acc", ("a", "b")), ">", Key("acc/c"))
    assert verdict(mean, {"acc": {"a": 0.5, "b": 0.8, "c": 0.6}}).verdict == HOLDS  # mean 0.65
    assert verdict(mean, {"acc": {"a": 0.5, "b": 0.6, "c": 0.6}}).verdict == FAILS  # mean 0.55


def test_trend_orders_numeric_keys_as_numbers():
    # lexicographic order ("10" < "2") would read this as falling
    radii = {"2": 0.10, "10": 0.50, "4": 0.20}
    rises = verdict(Trend("low", "rises"), {"low": radii})
    assert rises.verdict == HOLDS and rises.measured.startswith("10.0 % → 50.0 % (2 → 10")
    assert verdict(Trend("low", "falls"), {"low": radii}).verdict == FAILS
    # over epochs, skipping the untrained network's entry
    centroid = [7.6, 6.8, 4.7, 5.9]
    assert verdict(Trend("c", "rises"), {"c": centroid}, unit="").verdict == FAILS
    assert verdict(Trend("c", "rises", start=2), {"c": centroid}, unit="").verdict == HOLDS
    assert verdict(Trend("c", "rises", start=3), {"c": centroid}, unit="").verdict == NOT_MEASURED  # one entry


def test_ordering_is_strict():
    rule = Ordering((Key("a"), Key("b"), Key("c")))
    assert verdict(rule, {"a": 0.79, "b": 0.43, "c": 0.20}).verdict == HOLDS
    failed = verdict(rule, {"a": 0.185, "b": 0.156, "c": 0.246})
    assert failed.verdict == FAILS and failed.measured == "18.5 %, 15.6 %, 24.6 %"
    assert verdict(rule, {"a": 0.5, "b": 0.5, "c": 0.2}).verdict == FAILS


def test_pointwise_needs_every_entry_and_names_the_worst():
    rule = Pointwise("hars", ">", "base")
    metrics = {"hars": {"4": 0.10, "8": 0.30, "12": 0.25}, "base": {"4": 0.17, "8": 0.27, "12": 0.20}}
    failed = verdict(rule, metrics)
    assert failed.verdict == FAILS and failed.measured == "2 of 3 (worst at 4: -7.0 pts)"
    metrics["hars"]["4"] = 0.18
    assert verdict(rule, metrics).verdict == HOLDS
    metrics["base"].pop("12")
    assert verdict(rule, metrics).verdict == NOT_MEASURED  # the two series must cover the same radii
    assert verdict(Pointwise("d", "<", 0.0), {"d": {"0.4": -0.01, "0.6": -0.03}}).verdict == HOLDS


def test_near_the_papers_number():
    rule = Near(Key("probe"), 0.73, 0.03)
    assert verdict(rule, {"probe": 0.712}).verdict == HOLDS
    assert verdict(rule, {"probe": 0.69}).verdict == FAILS


def test_missing_keys_and_runs():
    rule = Compare(Key("models/duet/knn"), ">", Key("models/simclr/knn"))
    missing = verdict(rule, {"models": {"duet": {"knn": 0.6}}})
    assert missing.verdict == NOT_MEASURED and "models/simclr/knn" in missing.measured
    assert verdict(rule, {"models": {"duet": {"knn": float("nan")}, "simclr": {"knn": 0.5}}}).verdict == NOT_MEASURED
    assert claims.decide(Claim("c", "", "nb", rule), None).verdict == NOT_RUN
    with pytest.raises(MissingMetric):
        claims.lookup({"a": 1}, "a/b")


def test_score_reads_the_latest_run_of_each_profile_and_only_the_profiles_asked():
    rule = Compare(Key("x"), ">", 0.5)
    paper = Paper("p", "A paper", (Claim("big", "x is big", "nb", rule, profiles=("quick", "paper")),
                                   Claim("other", "y", "nb2", rule, profiles=("random_labels",))))
    runs = {"nb": [Run("quick-new", status={"profile": "quick"}, metrics={"x": 0.9}),
                   Run("quick-old", status={"profile": "quick"}, metrics={"x": 0.1}),
                   Run("smoke-1", status={"profile": "smoke"}, metrics={"x": 0.1})]}
    rows = claims.score(runs, [paper])
    assert [r.id for r in rows] == ["p.big", "p.other"]
    assert rows[0].results["quick"].verdict == HOLDS and rows[0].results["quick"].run.name == "quick-new"
    assert rows[0].results["paper"].verdict == NOT_RUN and rows[1].results["random_labels"].verdict == NOT_RUN
    assert claims.tally(rows, "quick") == {HOLDS: 1, FAILS: 0, NOT_RUN: 0, NOT_MEASURED: 0, claims.REHEARSED: 0}
    only = claims.score(runs, [paper], profiles=["quick"])
    assert list(only[0].results) == ["quick"] and only[1].results == {}


def test_a_rehearsed_run_decides_nothing_but_shows_whether_its_metrics_were_written():
    rule = Compare(Key("x"), ">", 0.5)
    paper = Paper("p", "A paper", (Claim("big", "x is big", "nb", rule, profiles=("paper",)),
                                   Claim("gone", "z is big", "nb", Compare(Key("z"), ">", 0.5), profiles=("paper",)),
                                   Claim("nan", "w is big", "nb", Compare(Key("w"), ">", 0.5), profiles=("paper",))))
    caps = {"epochs": 2, "steps_per_epoch": 2, "eval_batches": 2, "max_batch_size": 4}
    runs = {"nb": [Run("paper-rehearsed", status={"profile": "paper", "rehearsal": caps},
                       metrics={"x": 0.9, "w": float("nan")})]}
    verdicts = {row.claim.id: row.results["paper"] for row in claims.score(runs, [paper])}
    assert verdicts["big"].verdict == claims.REHEARSED  # 0.9 > 0.5, and still no "holds"
    assert verdicts["nan"].verdict == claims.REHEARSED  # written, though a capped run on noise gave NaN
    assert verdicts["gone"].verdict == NOT_MEASURED and "metrics.json has no z" in verdicts["gone"].measured


def test_every_declared_claim_names_a_notebook_that_its_profiles_run():
    papers = installed_papers()
    assert [p.name for p in papers] == ["labels", "mcr2", "agreement", "duet", "frequency", "lenses"]  # in order
    for paper in papers:
        assert paper.claims, paper.name
        for claim in paper.claims:
            assert claim.notebook in list_notebooks(), claim.id
            for profile in claim.profiles:
                assert profile in list_profiles() and claim.notebook in load_profile(profile), (claim.id, profile)
            assert claim.rule_text and claim.sentence.endswith("."), claim.id


def _fake_run(notebook: str, name: str, profile: str, metrics: dict, figure: str = "") -> Path:
    directory = paths.runs_dir() / notebook / name
    write_json(directory / "status.json", {"status": "completed", "profile": profile, "parent": "",
                                           "finished": "2026-11-30T10:00:00", "parameters": {}})
    write_json(directory / "metrics.json", metrics)
    if figure:
        (directory / "figures").mkdir()
        (directory / "figures" / f"{figure}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return directory


def test_report_opens_with_the_scorecard_and_writes_claims_json(capsys):
    _fake_run("frequency_filtering", "quick-a", "quick",
              {"low_accuracy": {"2": 0.1, "16": 0.56}, "high_accuracy": {"2": 0.21, "16": 0.25}},
              figure="accuracy_vs_radius")
    assert main(["report"]) == 0
    table = json.loads((paths.reports_dir() / "claims.json").read_text())
    by_id = {row["id"]: row for row in table["claims"]}
    assert by_id["frequency.low_pass_accuracy_rises"]["results"]["quick"]["verdict"] == HOLDS
    high = by_id["frequency.high_pass_accuracy_falls"]
    assert high["results"]["quick"]["verdict"] == FAILS  # shown plainly, with its numbers
    assert high["results"]["quick"]["values"] == {"high_accuracy/2": 0.21, "high_accuracy/16": 0.25}
    assert high["results"]["paper"]["verdict"] == NOT_RUN and high["paper_value"]
    assert by_id["duet.group_axis_tracks_transformation"]["results"]["quick"]["verdict"] == NOT_RUN
    assert table["tally"]["quick"][HOLDS] == 1 and table["tally"]["quick"][FAILS] == 1
    html = (paths.reports_dir() / "index.html").read_text()
    assert html.index("Reproduction scorecard") < html.index('<section id="frequency_filtering">')
    row = html[html.index('id="claim-frequency.high_pass_accuracy_falls"'):]
    row = row[:row.index("</tr>")]
    assert "does not hold" in row and "21.0 % → 25.0 %" in row
    assert 'href="frequency_filtering/quick-a/figures/accuracy_vs_radius.png"' in row
    assert (paths.reports_dir() / "frequency_filtering/quick-a/figures/accuracy_vs_radius.png").exists()

    capsys.readouterr()
    assert main(["claims", "--profile", "quick"]) == 0
    out = capsys.readouterr().out
    assert "quick: 1 holds, 1 does not hold" in out
    assert "frequency.high_pass_accuracy_falls" in out and "paper " not in out.split("\n", 1)[0]
    assert "    n/a           measured under random_labels" in out  # a claim of another profile


def test_claims_command_refuses_an_unknown_profile(capsys):
    (paths.runs_dir()).mkdir(parents=True)
    assert main(["claims", "--profile", "quik"]) == 2
    error = capsys.readouterr().err
    assert "profile='quik' does not exist; allowed values: paper, quick, random_labels, smoke" in error
