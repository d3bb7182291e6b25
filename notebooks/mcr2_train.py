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
# # MCR² training
#
# Learns unit-norm features that maximise the coding rate reduction
# ΔR = R(Z) − Rc(Z | Π) (Yu et al., NeurIPS 2020), supervised on possibly corrupted labels
# (`lcr`, `lcs`) or self-supervised with augmented views (`mode="selfsupervised"`: `n_aug` views per
# image, the image's slot in the batch as its pseudo-label). The loss is `reprlab.losses.MCR2Loss`
# (batched Cholesky log-determinants). Features of both splits are saved for `mcr2_evaluate`.

# %% tags=["parameters"]
dataset: str = "cifar10"  # one of: {datasets}
model: str = "resnet18"  # backbone; one of: {models}
fd: int = 128  # feature dimension; range: [1, inf)
mode: str = "supervised"  # one of: supervised, selfsupervised
epochs: int = 500  # training epochs; range: [1, inf)
batch_size: int = 1000  # images per batch (selfsupervised: images x views); range: [1, inf)
lr: float = 0.01  # learning rate; range: (0, inf)
optimizer: str = "sgd"  # one of: {optimizers}
momentum: float = 0.9  # SGD momentum; range: [0, 1)
weight_decay: float = 5e-4  # weight decay; range: [0, inf)
schedule: str = "multistep"  # one of: {schedules}
milestones: list = [0.4, 0.8]  # multistep: fractions of the run where lr drops 10x (epochs 200, 400 of 500); each in range: [0, 1]
eps: float = 0.5  # squared distortion eps^2 (upstream --eps); range: (0, inf)
gam1: float = 1.0  # gamma_1, inside the expansion logdet; range: (0, inf)
gam2: float = 1.0  # gamma_2, weight of the expansion term; range: (0, inf)
lcr: float = 0.0  # label corruption ratio; range: [0, 1]
lcs: int = 10  # label corruption seed; range: [0, 4294967295]
corruption_include_true: bool = False  # upstream: a corrupted label may equal the true one
n_aug: int = 50  # selfsupervised: views per image (view 0 is the identity); range: [1, inf)
fixed_order: bool = False  # selfsupervised: upstream's fixed image groupings every epoch
subset: int = 0  # training images kept, class-stratified (0 keeps all); range: [0, inf)
seed: int = 0  # seeds init, split and data order; range: [0, 4294967295]
float64: bool = False  # log-determinants in float64
n_comp: int = 30  # nearest subspace: principal components per class; range: [1, inf)
knn_k: int = 10  # kNN neighbours; range: [1, inf)
device: str = "auto"  # where to compute (auto: a GPU when there is one); one of: {devices}
progress: bool = True  # live progress bar (the runner turns it off)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/mcr2_train/interactive-<hash>

# %%
from reprlab.papers.mcr2 import evaluation, training
from reprlab.workbench import figures
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("mcr2_train", globals())
job = training.MCR2Job.from_params(run.params)
model, history, features = training.train_mcr2(job, run.dir, progress=progress)

# %% [markdown]
# ## Coding rates over training
# The expansion R should rise and the compression Rc fall, so that ΔR = R − Rc grows.

# %%
fig = figures.history_columns(history, {"train_R": "R (expansion)", "train_Rc": "Rc (compression)",
                                        "train_delta_R": "ΔR = R − Rc"}, "Coding rates (training batches)",
                              ylabel="coding rate (nats)")
run.save_figure(fig, "coding_rates")

# %% [markdown]
# ## Test accuracy of classifiers on the learned features

# %%
scores = evaluation.classify(features, n_comp=n_comp, knn_k=knn_k, svm=False)
metrics = run.log_metrics(**scores, delta_R=history[-1]["train_delta_R"], R=history[-1]["train_R"],
                          Rc=history[-1]["train_Rc"], epochs=len(history),
                          delta_R_per_epoch=[r["train_delta_R"] for r in history])
show_metrics(metrics)
