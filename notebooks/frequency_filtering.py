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
# # Frequency bias: low- and high-pass test sets
#
# A trained classifier (the `frequency_gradients` run of `train_profile`, reused when complete)
# on the test set filtered in the Fourier domain: X_l^(r) keeps the frequencies at distance < r from
# the spectrum's centre, X_h^(r) the rest (per channel, inverse FFT, real part, per-channel
# min-max, uint8, as upstream's test sets, which it ships no script for).
# **Claim checked:** accuracy on X_l^(r) rises with r and accuracy on X_h^(r) falls.

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the frequency_gradients run evaluated here
radii: list = [4.0, 8.0, 12.0, 16.0]  # filter radii (the paper's r in {4, 8, 12, 16}); each in range: (0, inf)
examples: int = 4  # test images shown at every radius; range: [0, inf)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/frequency_filtering/interactive-<hash>

# %%
from reprlab.data import load_dataset
from reprlab.experiments.classification import load_classifier
from reprlab.papers.frequency import evaluation, figures
from reprlab.papers.frequency.explore import FrequencyExplorer
from reprlab.papers.frequency.runs import baseline_run
from reprlab.training import resolve_device
from reprlab.workbench.explore import show
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("frequency_filtering", globals())
trained = baseline_run(train_profile)
test = load_dataset(trained.params["dataset"], "test")
device = resolve_device(trained.params["device"])
model = load_classifier(trained.params, trained.run_dir, test, device)
table = evaluation.accuracy_over_radii(model, test, radii, device)
table

# %%
run.save_figure(figures.accuracy_vs_radius({"baseline": table}), "accuracy_vs_radius")

# %% [markdown]
# ## The first test images, and their low- and high-pass versions at every radius

# %%
sets = {r: evaluation.filtered_sets(test.subset(range(examples)), r) for r in radii}
rows = [[(test.images[i].permute(1, 2, 0).numpy(), test.classes[int(test.targets[i])])]
        + [(sets[r][part].images[i].permute(1, 2, 0).numpy(), f"{part} r={r:g}") for r in radii
           for part in ("low", "high")] for i in range(examples)]
if rows:
    run.save_figure(figures.image_grid(rows), "filtered_examples")

# %%
low, high = evaluation.accuracy_by_radius(table, "low"), evaluation.accuracy_by_radius(table, "high")
metrics = run.log_metrics(
    train_run=str(trained.run_dir), original_accuracy=evaluation.accuracy_by_radius(table, "original")["0"],
    low_accuracy=low, high_accuracy=high,
)
show_metrics(metrics)

# %% [markdown]
# ## Explore
# In JupyterLab, widgets over this run: a test image's low- and high-pass versions at the radius of
# the slider and the model's prediction on each; the gradient spectrum at one epoch against the heat
# map. The same explorer opens on any finished run
# (`FrequencyExplorer.from_run("runs/frequency_filtering/<run>")`); under papermill it draws one static frame.

# %%
show(FrequencyExplorer.from_run(run.dir), interactive=run.interactive)
