# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
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
ratios: list = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]  # label corruption ratios
ce_params: dict = {"epochs": 400, "lr": 0.1, "weight_decay": 5e-4, "milestones": [0.375, 0.75]}  # train_classifier settings of the baseline
progress: bool = True  # unused here; kept for a uniform interface
run_dir: str = ""  # set by the runner; empty: runs/mcr2_corruption_sweep/interactive-<hash>

# %%
from reprlab import nb, plots
from reprlab.experiments import mcr2

run = nb.start_run("mcr2_corruption_sweep", globals())
table = mcr2.corruption_sweep(ratios, train_profile, ce_params)
table

# %%
fig = plots.accuracy_vs_corruption(table)
run.save_figure(fig, "accuracy_vs_corruption")

# %%
metrics = run.log_metrics(**mcr2.sweep_summary(table), table=table.to_dict(orient="list"))
nb.show_metrics(metrics)
