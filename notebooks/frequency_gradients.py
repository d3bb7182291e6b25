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
# # Frequency bias: learning priority
#
# Trains a classifier (the paper's preset: CIFAR ResNet-18, SGD 0.1, momentum 0.9, weight decay
# 5e-4, batch 128, 200 epochs, lr ÷10 at 60/120/180) and records, before training and after every
# epoch, the spectrum of the input gradient of the batch-mean cross-entropy on the test set (eval
# mode): the channel sum's centred |FFT|, averaged per radial band, min-max per image, mean over
# images (Lin, Gao and Sang, IJCAI 2022, Algorithm 1). Upstream's StepLR every 50 epochs, which is
# what its misspelt schedule keys really ran, is `milestones=[0.25, 0.5, 0.75]`.
# **Claim checked** (`frequency.gradient_centroid_rises` in `python -m reprlab claims`): the gradient
# spectrum's centroid moves to higher bands as training goes on, from the first trained epoch to the
# last (before training the gradient of a random network is noise-like and spread over all bands,
# `centroid_before_training`).

# %% tags=["parameters"]
dataset: str = "cifar10"  # one of: {datasets}
model: str = "resnet18"  # backbone; one of: {models}
epochs: int = 200  # training epochs; range: [1, inf)
batch_size: int = 128  # per-device batch size; range: [1, inf)
lr: float = 0.1  # peak learning rate; range: (0, inf)
optimizer: str = "sgd"  # one of: {optimizers}
momentum: float = 0.9  # SGD momentum; range: [0, 1)
weight_decay: float = 5e-4  # weight decay; range: [0, inf)
schedule: str = "multistep"  # one of: {schedules}
milestones: list = [0.3, 0.6, 0.9]  # lr ÷10 at these fractions (upstream meant epochs 60, 120, 180, it ran [0.25, 0.5, 0.75]); each in range: [0, 1]
warmup: float = 0.0  # warm-up as a fraction of the run; range: [0, 1)
subset: int = 0  # keep this many training images, class-stratified (0 keeps all); range: [0, inf)
val_size: int = 0  # training images held out for validation / model selection; range: [0, inf)
level: float = 100.0  # percent of the training data kept; range: (0, 100]
stratified: bool = False  # keep `level` percent of every class
corruption: float = 0.0  # fraction of training labels replaced by a random label; range: [0, 1]
corruption_seed: int = 0  # seed of the label corruption; range: [0, 4294967295]
corruption_include_true: bool = False  # upstream MCR2: the random label may equal the true one
seed: int = 0  # seeds init, split, data order and augmentation; range: [0, 4294967295]
deterministic: bool = False  # deterministic kernels (bit-exact reruns)
amp: bool = True  # bf16 autocast on GPU
compile: bool = False  # torch.compile on GPU
device: str = "auto"  # where to compute (auto: a GPU when there is one); one of: {devices}
binning: str = "centered"  # radial bands: centered (DC-centred, all bands) or upstream (the paper's figures); one of: centered, upstream
spectrum_images: int = 0  # test images whose gradient spectra are recorded, class-stratified (0: all); range: [0, inf)
progress: bool = True  # live progress bar (the runner turns it off)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/frequency_gradients/interactive-<hash>

# %%
from reprlab.experiments.classification import ClassifierJob
from reprlab.papers.frequency import figures, gradients, spectra
from reprlab.papers.frequency.training import train_with_gradient_spectra
from reprlab.workbench import figures as common
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("frequency_gradients", globals())
job = ClassifierJob.from_params(run.params)
trained = train_with_gradient_spectra(job, run.dir, binning=binning, spectrum_images=spectrum_images,
                                      progress=progress)

# %% [markdown]
# ## Learning priority: the test-set input-gradient spectrum, epoch by epoch

# %%
run.save_figure(figures.spectrum_heatmap(trained.spectrum_mean), "gradient_spectrum_heatmap")

# %%
run.save_figure(figures.spectrum_evolution(trained.spectrum_mean), "band_energy_and_centroid")

# %%
run.save_figure(common.learning_curves(trained.result.history), "learning_curves")

# %%
centroid = spectra.spectral_centroid(trained.spectrum_mean)
fractions = spectra.band_energy_fractions(trained.spectrum_mean)
metrics = run.log_metrics(
    test_accuracy=trained.result.test.accuracy, epochs=len(trained.result.history),
    bands=int(trained.spectrum_mean.shape[1]), binning=binning,
    centroid_per_epoch=centroid.tolist(), centroid_before_training=float(centroid[0]),
    high_band_share_first=float(fractions[0, -1]), high_band_share_last=float(fractions[-1, -1]),
    spectrum_mean=trained.spectrum_mean.tolist(),
    train_seconds=sum(r["seconds"] for r in trained.result.history),
    spectrum_hook_share=gradients.hook_share(trained.result.history),  # the hook's seconds / the epochs' seconds
)
show_metrics({k: v for k, v in metrics.items() if k not in ("spectrum_mean", "centroid_per_epoch")})
