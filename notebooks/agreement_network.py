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
# # One network of "When deep classifiers agree"
#
# Trains one network and records every example's predicted class after every epoch (training
# examples as they are trained on, or in a clean pass with `train_source=eval`; test examples in an
# evaluation pass). The `agreement` notebook starts one such run per network and seed, so the
# networks train concurrently under an executor, then compares their recordings.

# %% tags=["parameters"]
dataset: str = "cifar10"  # one of: {datasets}
model: str = "lenet5"  # architecture; one of: {models}
seed: int = 0  # seeds the initialisation and the batch order; range: [0, 4294967295]
epochs: int = 60  # training epochs; range: [1, inf)
batch_size: int = 128  # batch size; range: [1, inf)
lr: float = 0.1  # learning rate; range: (0, inf)
optimizer: str = "sgd"  # one of: {optimizers}
momentum: float = 0.9  # SGD momentum; range: [0, 1)
weight_decay: float = 5e-4  # weight decay; range: [0, inf)
schedule: str = "cosine"  # one of: {schedules}
milestones: list = [0.5, 0.75]  # multistep: fractions of the run where lr drops 10x; each in range: [0, 1]
subset: int = 0  # training images kept, class-stratified (0 keeps all); range: [0, inf)
train_source: str = "on_the_fly"  # one of: on_the_fly, eval
random_label_prob: float = 0.0  # fraction of labels (train and test) replaced by fixed random ones; range: [0, 1]
label_seed: int = 12345  # seed of the random labels (shared by every network); range: [0, 4294967295]
device: str = "auto"  # where to compute (auto: a GPU when there is one); one of: {devices}
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/agreement_network/interactive-<hash>

# %%
from reprlab.papers.agreement import training
from reprlab.workbench import figures
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("agreement_network", globals())
job = training.NetworkJob.from_params(run.params)
history = training.train_network(job, run.dir)

# %% [markdown]
# ## Learning curves

# %%
run.save_figure(figures.learning_curves(history), "learning_curves")

# %%
metrics = run.log_metrics(test_accuracy=history[-1]["test_accuracy"], train_accuracy=history[-1]["train_accuracy"],
                          epochs=len(history))
show_metrics(metrics)
