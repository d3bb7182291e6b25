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
# # Image statistics
#
# The per-image statistics "When Deep Classifiers Agree" relates to learning order: mean local
# entropy (10×10 windows), the percentage of DCT coefficients holding 99.98 % of the L2 norm,
# the Felzenszwalb segment count and a Sobel edge-strength proxy (upstream used MATLAB
# crisp-boundaries), plus, for CIFAR-10, the CIFAR-10H human predictive entropy. Values are
# cached per dataset and example index under `data/cache/`.

# %% tags=["parameters"]
dataset: str = "cifar10"  # one of: {datasets}
split: str = "train"  # one of: train, test
subset: int = 0  # images kept, class-stratified (0 keeps all); range: [0, inf)
cifar10h: bool = True  # add CIFAR-10H entropy (cifar10 test split only; downloads once)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/image_statistics/interactive-<hash>

# %%

from reprlab.data import load_dataset
from reprlab.data.cifar10h import cifar10h_entropy, load_cifar10h
from reprlab.data.splits import stratified_subset
from reprlab.papers.agreement import figures, image_stats
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("image_statistics", globals())
data = load_dataset(dataset, split)
if subset:
    data = stratified_subset(data, subset, seed=0)
stats = image_stats.cached_image_statistics(data.images.numpy(), data.indices.numpy(),
                                            image_stats.cache_path(dataset, split))
if cifar10h and dataset == "cifar10" and split == "test":
    stats["cifar10h_entropy"] = cifar10h_entropy(load_cifar10h())[data.indices.numpy()]
stats.describe()

# %%
run.save_figure(figures.metric_histograms(stats), "histograms")

# %%
by_class = stats.assign(label=[data.classes[t] for t in data.targets.numpy()]).groupby("label").mean()
by_class

# %%
metrics = run.log_metrics(examples=len(stats), mean=stats.mean().to_dict(), std=stats.std().to_dict(),
                          mean_by_class=by_class.to_dict(orient="index"))
show_metrics({"examples": len(stats), "mean": metrics["mean"]})
