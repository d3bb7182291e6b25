import matplotlib.pyplot as plt
import numpy as np

from reprlab.papers.agreement.figures import agreement_with_metric
from reprlab.papers.agreement.learning_order import AgreementCurves
from reprlab.workbench.figures import STYLE, history_columns


def test_short_runs_get_whole_epoch_ticks_and_labelled_axes():
    before = dict(plt.rcParams)
    fig = history_columns([{"epoch": 1, "train_R": 2.0}], {"train_R": "R"}, "Coding rates", ylabel="nats")
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == [1] and ax.get_ylabel() == "nats"
    assert STYLE["axes.grid"] and not plt.rcParams["axes.grid"]  # matplotlib's default has no grid
    assert all(line.get_visible() for line in ax.get_xgridlines())  # the figure was drawn in the style
    assert dict(plt.rcParams) == before  # the style is applied per figure, never globally


def test_a_fully_masked_statistic_says_why_on_the_plot():
    correct = np.zeros((2, 3, 10), dtype=bool)  # nobody learns anything: agreement stays at 0
    curves = AgreementCurves.from_correct(correct)
    fig = agreement_with_metric(curves, np.arange(3.0), "entropy")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("entropy not shown" in t for t in texts)
    assert list(fig.axes[0].get_xticks()) == [1, 2, 3]
