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
# # DUET, SimCLR and ESSL: self-supervised training
#
# Trains one of three self-supervised models on two augmented views (Suau et al., ICML 2023;
# upstream apple/ml-duet `train_ssl.py`, whose parameters keep their names here):
# **SimCLR** (NT-Xent between the two views' projections), **ESSL** (SimCLR plus a predictor that
# recovers `equi_tx` applied to a third, half-resolution view; `equi_tx` is removed from the
# contrastive views, keeping your order) and **DUET** (the representation read as a G x C matrix:
# its content, summed over G, goes to NT-Xent; its group marginal, softmax over G, is pulled towards
# a von Mises or Gaussian histogram of the recorded parameter t of `equi_tx` by λ · JSD).
# An online linear probe on the detached representation is trained by the same AdamW, and tested
# on the clean, centre-cropped test set every `test_every` epochs: upstream's only number (≈ 73 %
# for DUET on CIFAR-10 after 800 epochs of the widened ResNet-32, its README).

# %% tags=["parameters"]
model: str = "duet"  # the method; one of: {ssl_methods}
dataset: str = "cifar10"  # one of: {datasets}
encoder: str = "cifar10_resnet32"  # upstream's widened CIFAR ResNet; one of: {encoders}
width: float = 1.0  # channel multiplier of the encoder (1.0: upstream's 64/128/256/512, a 512-d representation); range: (0, inf)
batch_size: int = 1024  # images per step and per process (the paper used 2048 in all); range: [2, inf)
image_size: int = 32  # side S of the views; range: [8, inf)
center_crop: bool = True  # upstream --center-crop: images resized to 36 and cropped (test: centre 32 of 36)
num_classes: int = 0  # online probe classes (0: the dataset's); range: [0, inf)
epochs: int = 800  # training epochs; range: [1, inf)
warmup_epochs: int = 10  # linear warm-up from lr x 1e-3; range: [0, inf)
test_every: int = 10  # test the online probe every this many epochs and after the last; range: [1, inf)
lr: float = 4e-4  # AdamW learning rate (betas 0.9, 0.95); range: (0, inf)
weight_decay: float = 1e-4  # AdamW weight decay on every parameter, as upstream; range: [0, inf)
lr_step: str = "epoch"  # the schedule moves once per epoch (upstream) or every step; one of: epoch, step
tx: list = ["sca", "rot"]  # transformations of the views, in order; each one of: {transforms}
upstream_resize: bool = False  # res as upstream's kornia 0.6.12 resize (corner pixels aligned, no antialiasing) instead of torchvision's
equi_tx: str = "rot"  # the transformation whose structure is learned (DUET: must be in tx; ESSL: must not); one of: {transforms}
duet_lambda: float = 1000.0  # weight of DUET's JSD structure loss (upstream default 10, README example 1000); range: [0, inf)
duet_bins: int = 8  # G, bins of the group axis; must divide the representation width; range: [2, inf)
duet_target: str = "vm"  # target histogram: vm (von Mises, kappa 3, wraps) or ga (Gaussian sigma 0.2, truncated); one of: vm, ga
group_pooling: str = "mean"  # group logits: mean over C (upstream's code) or sum (the paper's text); one of: mean, sum
essl_lambda: float = 0.4  # weight of ESSL's equivariance loss; range: [0, inf)
temperature: float = 0.1  # NT-Xent temperature; range: (0, inf)
proj_hidden: int = 2048  # hidden width of the projection head and ESSL's predictor; range: [1, inf)
proj_dim: int = 128  # projection output; range: [1, inf)
debug_steps: int = 0  # upstream --debug-steps: steps per epoch (0: the whole epoch); range: [0, inf)
subset: int = 0  # training images kept, class-stratified (0 keeps all); range: [0, inf)
seed: int = 0  # seeds init, data order and every augmentation; range: [0, 4294967295]
amp: bool = True  # bf16 autocast on GPU (augmentations and targets stay float32)
device: str = "auto"  # where to compute (auto: a GPU when there is one); one of: {devices}
nproc: int = 1  # processes (GPUs) for one run through torchrun + DDP; range: [1, inf)
progress: bool = True  # live progress bar (the runner turns it off)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/duet_train/interactive-<hash>

# %%
from reprlab.papers.duet import evaluation, figures, training
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("duet_train", globals())
job = training.DuetJob.from_params(run.params)
ssl_model, history, splits = training.run_ssl(job, run.dir, nproc=nproc, progress=progress)

# %% [markdown]
# ## Loss terms over training
# NT-Xent (the sum of both directions' cross-entropies, upstream's scale), DUET's JSD or ESSL's
# equivariance loss, and the probe's cross-entropy, averaged over each epoch's training batches.

# %%
run.save_figure(figures.loss_terms(history), "loss_terms")

# %% [markdown]
# ## Online probe accuracy over epochs
# Training accuracy is on augmented view 1 (as upstream trains the probe); test accuracy is on
# clean, centre-cropped test images, counted per example.

# %%
run.save_figure(figures.probe_accuracy(history), "probe_accuracy")

# %% [markdown]
# ## The learned group distribution (DUET)
# softmax over the G bins of the group logits for test images transformed by `equi_tx`, sorted by
# the parameter t: a diagonal band means the group axis tracks the transformation (the paper's
# Fig. 1 idea). SimCLR and ESSL have no group axis.

# %%
if ssl_model.method.group_axis:
    shown = evaluation.group_distribution(ssl_model, job, splits.test, images=512)
    run.save_figure(figures.group_distribution(shown.probs, shown.t, shown.code), "group_distribution")

# %%
metrics = run.log_metrics(**training.summary(history))
show_metrics(metrics)
