# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Training on less data
#
# Test accuracy of every label type against the fraction of training data kept (`level`), mean ±
# std over seeds. Every point is a `label_training` run through the runner, reused when complete.
# By default every level trains as many optimiser steps as the full data (`level_budget="steps"`:
# epochs × 100 / level), so small levels converge; `level_budget="epochs"` is upstream's rule, the
# same epochs at every level (upstream trains 600 epochs, enough to converge at every level).

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the label_training runs
labels: list = ["category", "speech", "shuffle", "uniform", "composite", "random", "lowdim", "bert"]  # label types; each one of: {labels}
levels: list = [1.0, 2.0, 4.0, 8.0, 10.0, 20.0]  # percent of the training data kept; each in range: (0, 100]
seeds: list = [7, 77]  # seeds (upstream README); each in range: [0, 4294967295]
level_budget: str = "steps"  # training budget below 100 %: steps (same optimiser steps as the full data) or upstream's epochs; one of: steps, epochs
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/label_less_data/interactive-<hash>

# %%
from reprlab.papers.labels import figures, less_data
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("label_less_data", globals())
table = less_data.less_data_sweep(labels, levels, seeds, train_profile, level_budget)
table

# %%
run.save_figure(figures.accuracy_vs_level(table), "accuracy_vs_level")

# %%
metrics = run.log_metrics(**less_data.less_data_summary(table), table=table.reset_index().to_dict(orient="list"))
show_metrics(metrics)
