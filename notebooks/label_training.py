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
# # Training with a label representation
#
# One backbone, one label type: `category` (linear head, cross-entropy) or a regression target
# (speech, shuffle, uniform, composite, random: 64×64 decoder; bert: 48×48 decoder; lowdim,
# glove: linear head) trained with SmoothL1 and decoded to the nearest label. The best-on-validation
# weights are kept; both the validation accuracy (what upstream reported as "test") and the true
# test accuracy are reported. Run `label_generation` first for the label files.

# %% tags=["parameters"]
dataset: str = "cifar10"  # one of: {datasets}
model: str = "resnet32"  # backbone; one of: {models}
label: str = "category"  # label representation; one of: {labels}
epochs: int = 600  # training epochs; range: [1, inf)
batch_size: int = 128  # batch size; range: [1, inf)
lr: float = 0.1  # learning rate; range: (0, inf)
optimizer: str = "sgd"  # one of: {optimizers}
momentum: float = 0.9  # SGD momentum; range: [0, 1)
weight_decay: float = 1e-4  # weight decay; range: [0, inf)
schedule: str = "multistep"  # one of: {schedules}
milestones: list = [0.5, 0.75]  # lr /10 at these fractions (upstream: epochs 300 and 450 of 600); each in range: [0, 1]
smoothing: float = 0.0  # label smoothing (category only); range: [0, 1)
val_size: int = 5000  # held-out validation images (model selection); range: [1, inf)
level: float = 100.0  # percent of the training data kept; range: (0, 100]
level_of: str = "train"  # one of: train, all
level_budget: str = "steps"  # below 100 %: train the same optimiser steps as the full data (epochs x 100/level), or upstream's "epochs" (the same epochs at every level); one of: steps, epochs
subset: int = 0  # training images kept first, class-stratified (0 keeps all); range: [0, inf)
seed: int = 7  # seeds init, split, data order and augmentation; range: [0, 4294967295]
device: str = "auto"  # where to compute (auto: a GPU when there is one); one of: {devices}
progress: bool = True  # live progress bar (the runner turns it off)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/label_training/interactive-<hash>

# %%
from reprlab import paths
from reprlab.papers.labels import bank, training
from reprlab.workbench import figures
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("label_training", globals())
job = training.LabelJob.from_params(run.params)
if label != "category":  # checked, and recorded: a changed bank makes this run out of date, so it trains again
    bank.load_label(paths.labels_dir(), dataset, label)
    run.read(bank.label_path(paths.labels_dir(), dataset, label))
result = training.train_labels(job, paths.labels_dir(), run.dir, progress=progress)

# %%
run.save_figure(figures.learning_curves(result.history), "learning_curves")

# %%
metrics = run.log_metrics(label=label, val_accuracy=result.val.accuracy, test_accuracy=result.test.accuracy,
                          train_images=result.train_size,
                          best_epoch=int(max((r for r in result.history if "val_accuracy" in r),
                                             key=lambda r: r["val_accuracy"])["epoch"]),
                          train_seconds=sum(r["seconds"] for r in result.history))
show_metrics(metrics)
