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


def test_every_styled_figure_of_a_notebook_is_shown_inline(tmp_path):
    """In a kernel the first figure loads the inline backend, which turns interactive mode on; a
    style that restored every rcParam afterwards turned it off, and later figures never showed."""
    import nbformat
    from nbclient import NotebookClient

    draw = ("from reprlab.workbench.figures import history_columns\n"
            "fig = history_columns([{'epoch': 1, 'train_R': 2.0}], {'train_R': 'R'}, 'Coding rates')")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(draw) for _ in range(3)])
    NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [sum("image/png" in out.get("data", {}) for out in cell.outputs) for cell in notebook.cells]
    assert shown == [1, 1, 1]
