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
# # DUET, SimCLR and ESSL: every evaluation protocol
#
# Trains (or reuses) one `duet_train` run per model with the same settings, freezes each encoder
# and evaluates it: the online probe (upstream's only number), a frozen linear probe (logistic
# regression on standardised features of clean images), weighted kNN (k = 200, cosine,
# temperature 0.1, as ESSL), how well a linear probe recovers the bin of `equi_tx`'s parameter
# from the representation (for all three models), the clean probe's accuracy on transformed test
# images, DUET's group-axis equivariance (argmax bin of softmax over G against the true bin, and
# the mean circular bin error), and transfer: a frozen linear probe on a second dataset.
# **Beyond upstream** (its code has only the online probe): these protocols are rebuilt from the
# paper's text and ESSL's code.
# **Claims checked:** DUET's group axis predicts the bin far above chance (1/G); the bin is
# recovered from DUET's representation better than from SimCLR's; DUET's probe accuracy is within
# a few points of SimCLR's or above.

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the duet_train runs evaluated here
train_overrides: dict = {}  # extra duet_train parameters for every model, e.g. {"duet_lambda": 10}
models: list = ["duet", "simclr", "essl"]  # each one of: {ssl_methods}
train_images: int = 0  # training images the frozen probes are fitted on (0: all); range: [0, inf)
knn_k: int = 200  # kNN neighbours; range: [1, inf)
knn_temperature: float = 0.1  # kNN vote weight exp(similarity / temperature); range: (0, inf)
transfer_dataset: str = "cifar100"  # second dataset of the transfer probe; one of: {datasets}
transfer_train_images: int = 0  # its training images used (0: all); range: [0, inf)
seed: int = 0  # seeds the transformations and the probes; range: [0, 4294967295]
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/duet_evaluate/interactive-<hash>

# %%
import pandas as pd

from reprlab.data import load_splits
from reprlab.papers.duet import evaluation, figures, runs
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("duet_evaluate", globals())
second = load_splits(transfer_dataset, split_seed=seed, subset=transfer_train_images)  # loaded once for every model
rows = {}
for name, trained in runs.trained_models(models, train_profile, train_overrides):
    job, splits = trained.job, trained.splits
    scores = evaluation.evaluate_ssl(trained.model, evaluation.stratified(splits.train, train_images, seed), splits.test,
                                     image_size=job.image_size, equi_tx=job.equi_tx, bins=job.duet_bins,
                                     upstream_resize=job.upstream_resize, knn_k=knn_k, knn_temperature=knn_temperature,
                                     seed=seed)
    scores["transfer_accuracy"] = evaluation.transfer_accuracy(trained.model, second, image_size=job.image_size,
                                                               input_size=job.input_size, seed=seed)
    rows[name] = {"online_probe_accuracy": trained.run.metrics["online_probe_accuracy"], **scores}
table = pd.DataFrame(rows).T
table

# %% [markdown]
# ## All protocols, one bar per model
# Accuracies in %; "n/a" where a model has no group axis. Dashed: chance for the bin protocols (1/G).

# %%
chance = {"transform_probe_accuracy": 1 / job.duet_bins, "group_bin_accuracy": 1 / job.duet_bins}
columns = [c for c in table.columns if c != "group_bin_error"]
run.save_figure(figures.protocol_bars(table[columns], chance), "protocols")

# %%
metrics = run.log_metrics(models=rows, bins=job.duet_bins, group_bin_chance=1 / job.duet_bins, equi_tx=job.equi_tx)
show_metrics(metrics)
