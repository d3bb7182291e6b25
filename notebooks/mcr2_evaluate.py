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
# # MCR² evaluation
#
# Evaluates the features of an `mcr2_train` run (executed, or reused when already complete, through
# the runner) with every protocol of the paper: linear SVM, cosine kNN, nearest subspace, KMeans
# and elastic-net subspace clustering (accuracy by Hungarian matching, NMI, ARI), and compares
# with a cross-entropy classifier trained on the same data and labels (`train_classifier`).

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the mcr2_train and train_classifier runs evaluated here
train_overrides: dict = {}  # extra mcr2_train parameters, e.g. {"lcr": 0.2}
ce_params: dict = {"epochs": 400, "lr": 0.1, "weight_decay": 5e-4, "milestones": [0.375, 0.75]}  # train_classifier settings of the baseline
n_comp: int = 30  # nearest subspace: principal components per class; range: [1, inf)
knn_k: int = 10  # kNN neighbours; range: [1, inf)
cluster_subset: int = 2000  # training features clustered (KMeans, EnSC); 0 for all; range: [0, inf)
ensc_gamma: float = 50.0  # EnSC: gamma relative to the smallest non-trivial value; range: (0, inf)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/mcr2_evaluate/interactive-<hash>

# %%
from reprlab.papers.mcr2 import evaluation, figures, runs, training
from reprlab.papers.mcr2.explore import MCR2Explorer
from reprlab.workbench.explore import show
from reprlab.workbench.notebook import show_metrics, start_run
from reprlab.workbench.runner import run_spec

run = start_run("mcr2_evaluate", globals())
mcr2_spec = runs.mcr2_train_spec(train_profile, train_overrides)
trained = run_spec(mcr2_spec)
job = training.MCR2Job.from_params(trained.params)
features = training.Features.load(trained.run_dir / "features")
baseline = run_spec(runs.baseline_spec(mcr2_spec, ce_params))

# %% [markdown]
# ## Classification and clustering

# %%
scores = evaluation.classify(features, n_comp=n_comp, knn_k=knn_k)
scores |= evaluation.cluster(features, n_clusters=len(set(features.test_labels)), subset=cluster_subset,
                       ensc_gamma=ensc_gamma)
metrics = run.log_metrics(**scores, cross_entropy_accuracy=baseline.metrics["test_accuracy"],
                          label_corruption=job.lcr, train_run=str(trained.run_dir))
show_metrics(metrics)

# %% [markdown]
# ## Per-class singular values
# MCR² spreads each class over a low-dimensional subspace: a few large singular values per class.

# %%
run.save_figure(figures.singular_value_spectra(features.train, features.train_clean_labels), "singular_values")

# %% [markdown]
# ## Cosine similarity of features sorted by class
# Block-diagonal structure: features of one class are similar, features of different classes
# are close to orthogonal.

# %%
run.save_figure(figures.cosine_heatmap(features.test, features.test_labels, per_class=100), "cosine_heatmap")

# %%
run.save_figure(figures.projection_2d(features.test, features.test_labels), "projection_2d")

# %% [markdown]
# ## Explore
# In JupyterLab, widgets over this run: two classes: the principal angles between their subspaces
# and their singular values; a test example: its residual to every class subspace (the nearest-
# subspace decision). The same explorer opens on any finished run
# (`MCR2Explorer.from_run("runs/mcr2_evaluate/<run>")`); under papermill it draws one static frame.

# %%
show(MCR2Explorer.from_run(run.dir), interactive=run.interactive)
