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
# # Every paper's instrument on every trained model
#
# Each paper brings an instrument for looking at a trained image model, and each upstream
# repository applies it to its own models only. Here every model the workbook trained on one
# dataset (the classifier, the label-representation models, the MCR² encoder, DUET, SimCLR and
# ESSL, the agreement networks, the frequency baseline) is rebuilt from its run directory and
# looked at through every lens, on the same test images: coding rate (MCR²), the frequency
# content it relies on (frequency bias), robustness to FGSM and BIM (label representations),
# how much of a rotation its representation keeps (DUET), and which examples it gets right
# (agreement). An encoder without a classifier is read through a linear probe fit on its frozen
# features. **Beyond upstream** (no repository compares across papers).

# %% tags=["parameters"]
train_profile: str = "paper"  # the profile whose trained models are looked at (they run first)
dataset: str = "cifar10"  # the models trained on this dataset, and the images they are looked at through; one of: {datasets}
lenses: list = []  # the lenses applied (empty: every lens); each one of: {lenses}
train_images: int = 2000  # class-stratified training images the probes are fit on; range: [10, inf)
test_images: int = 1000  # class-stratified test images every model is looked at through; range: [10, inf)
seed: int = 0  # seeds the subsets, the rotations and the probes; range: [0, 4294967295]
run_dir: str = ""  # set by the runner; empty: runs/lenses/interactive-<hash>

# %%
from reprlab.data import load_splits
from reprlab.data.splits import stratified_subset
from reprlab.lenses import figures
from reprlab.lenses.instruments import QUESTIONS, Heads, LensData, agreement_matrix, lens_matrix, matrix_metrics
from reprlab.lenses.runs import lens_models
from reprlab.rehearsal import cap_examples
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("lenses", globals())
splits = load_splits(dataset, split_seed=seed)
data = LensData(cap_examples(stratified_subset(splits.train, train_images, seed)),
                cap_examples(stratified_subset(splits.test, test_images, seed)), seed)
models, provenance = lens_models(run.params, data.test)
print(f"{len(models)} models: {', '.join(provenance)}")

# %% [markdown]
# ## The matrix: one row per model, one column per lens and metric

# %%
heads = Heads(data)
matrix = lens_matrix(models, data, lenses or None, heads)
matrix.T

# %% [markdown]
# ## A heat map per lens
# Colour scaled per column (best to worst); the numbers are the values.

# %%
for lens in dict.fromkeys(column.split("/")[0] for column in matrix.columns):
    run.save_figure(figures.lens_heatmap(matrix, lens), lens)

# %% [markdown]
# ## Do models trained under different objectives agree on which examples are easy?
# Pairwise true-positive agreement: of the test examples either model gets right, the share both do.

# %%
pairs = agreement_matrix(models, data, heads)
run.save_figure(figures.agreement_heatmap(pairs), "pairwise_agreement")

# %% [markdown]
# ## Across papers
# Do models that compress their classes more (higher ΔR) resist attacks better? Do the more robust
# models rely on lower frequencies (a lower input-gradient centroid)? One point per model.

# %%
for x, y in QUESTIONS:
    if {x, y} <= set(matrix.columns):
        run.save_figure(figures.lens_scatter(matrix, x, y), f"{x.split('/')[0]}_vs_{y.split('/')[0]}")

# %%
metrics = run.log_metrics(**matrix_metrics(matrix, pairs, provenance), models=provenance,
                          test_images=len(data.test), train_images=len(data.train))
show_metrics(metrics)
