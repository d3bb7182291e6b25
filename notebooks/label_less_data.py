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
# # Training on less data
#
# Test accuracy of every label type against the fraction of training data kept (`level`), mean ±
# std over seeds. Every point is a `label_training` run through the runner, reused when complete.

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the label_training runs
labels: list = ["category", "speech", "shuffle", "uniform", "composite", "random", "lowdim", "bert"]  # label types
levels: list = [1.0, 2.0, 4.0, 8.0, 10.0, 20.0]  # percent of the training data kept
seeds: list = [7, 77]  # seeds (upstream README)
progress: bool = True  # unused here; kept for a uniform interface
run_dir: str = ""  # set by the runner; empty: runs/label_less_data/interactive-<hash>

# %%
from reprlab import nb, plots
from reprlab.experiments import label_attacks

run = nb.start_run("label_less_data", globals())
table = label_attacks.less_data_sweep(labels, levels, seeds, train_profile)
table

# %%
run.save_figure(plots.accuracy_vs_level(table), "accuracy_vs_level")

# %%
metrics = run.log_metrics(table=table.reset_index().to_dict(orient="list"))
nb.show_metrics(metrics)
