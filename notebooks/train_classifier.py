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
# # Categorical classifier
#
# Cross-entropy training of any backbone on any dataset with the shared engine
# (`reprlab.training.fit`). This is the baseline every paper in the workbook compares against.
# **Claim checked under `quick`:** ResNet-20 on a 20 000-image real Fashion-MNIST subset reaches
# at least 85 % test accuracy on the full 10 000-image test set in a few CPU minutes.

# %% tags=["parameters"]
dataset: str = "cifar10"  # one of: {datasets}
model: str = "resnet32"  # backbone; one of: {models}
epochs: int = 200  # training epochs; range: [1, inf)
batch_size: int = 128  # per-device batch size; range: [1, inf)
lr: float = 0.1  # peak learning rate; range: (0, inf)
optimizer: str = "sgd"  # one of: {optimizers}
momentum: float = 0.9  # SGD momentum; range: [0, 1)
weight_decay: float = 5e-4  # weight decay; range: [0, inf)
schedule: str = "multistep"  # one of: {schedules}
milestones: list = [0.5, 0.75]  # multistep: fractions of the run where lr is multiplied by 0.1; each in range: [0, 1]
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
nproc: int = 1  # processes for DistributedDataParallel via torchrun (GPUs); range: [1, inf)
progress: bool = True  # live progress bar (the runner turns it off)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/train_classifier/interactive-<hash>

# %%
from reprlab.experiments import classification
from reprlab.workbench import figures
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("train_classifier", globals())
job = classification.ClassifierJob.from_params(run.params)
result = classification.run(job, run.dir, nproc=nproc, progress=progress)

# %% [markdown]
# ## Learning curves

# %%
fig = figures.learning_curves(result.history)
run.save_figure(fig, "learning_curves")

# %% [markdown]
# ## Confusion matrix on the test set

# %%
fig = figures.confusion(result.test.predictions.numpy(), result.test.targets.numpy(), result.classes)
run.save_figure(fig, "confusion_matrix")

# %%
final = result.history[-1]
metrics = run.log_metrics(
    test_accuracy=result.test.accuracy,
    test_loss=result.test.loss,
    train_accuracy=final["train_accuracy"],
    best_test_accuracy=max(r["test_accuracy"] for r in result.history),
    epochs=len(result.history),
    train_seconds=sum(r["seconds"] for r in result.history),
)
show_metrics(metrics)
