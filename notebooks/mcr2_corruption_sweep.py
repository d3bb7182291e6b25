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
# # MCR² under label corruption
#
# Test accuracy against the label-corruption ratio, for nearest subspace on MCR² features and for a
# cross-entropy classifier on the same corrupted labels (the paper's Table 2). Every point is an
# `mcr2_train` / `train_classifier` run through the runner, so completed points are reused.

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the mcr2_train and train_classifier runs
ratios: list = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]  # label corruption ratios (0.0 is the reference); each in range: [0, 1]
ce_params: dict = {"epochs": 400, "lr": 0.1, "weight_decay": 5e-4, "milestones": [0.375, 0.75]}  # train_classifier settings of the baseline
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/mcr2_corruption_sweep/interactive-<hash>

# %%
from reprlab.papers.mcr2 import figures, sweep
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("mcr2_corruption_sweep", globals())
table = sweep.corruption_sweep(ratios, train_profile, ce_params)
table

# %%
fig = figures.accuracy_vs_corruption(table)
run.save_figure(fig, "accuracy_vs_corruption")

# %%
metrics = run.log_metrics(**sweep.sweep_summary(table), table=table.to_dict(orient="list"))
show_metrics(metrics)
