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
# # Adversarial robustness of label representations
#
# FGSM and iterative FGSM (BIM, 5 steps), untargeted and targeted, plus PGD with a random start, on
# the test set, against the best model of each label type (`label_training` runs, reused when
# complete). Epsilon is in pixel units and adversarial images stay in the valid pixel range;
# `upstream_quirks=True` switches to upstream's attack (normalised-unit epsilon, per-image clamp,
# cumulative BIM gradient). Accuracy counts initially wrong images as failures; targeted attacks
# also report how often the target class is predicted.

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the label_training runs attacked here
labels: list = ["category", "speech", "shuffle", "uniform", "composite", "random", "lowdim", "bert"]  # label types; each one of: {labels}
eps: list = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06]  # L-infinity radii in pixel units; each in range: [0, 1]
attacks: list = ["fgsm", "bim", "pgd"]  # methods; each one of: {attacks}
targeted: list = [False, True]  # untargeted and/or targeted; each one of: False, True
steps: int = 5  # BIM / PGD steps; range: [1, inf)
test_images: int = 0  # attack this many test images (0: all); range: [0, inf)
upstream_quirks: bool = False  # upstream attack semantics
batch_size: int = 500  # images attacked at once; range: [1, inf)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/label_attacks/interactive-<hash>

# %%
from reprlab.papers.labels import attacks as label_attacks
from reprlab.papers.labels import figures, runs
from reprlab.papers.labels.explore import LabelsExplorer
from reprlab.workbench.explore import show
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("label_attacks", globals())
table, examples = label_attacks.attack_label_types(
    labels, train_profile, eps, attacks, targeted, steps=steps, test_images=test_images,
    upstream_quirks=upstream_quirks, batch_size=batch_size)
table

# %%
run.save_figure(figures.robustness_curves(table), "robustness_curves")

# %%
run.save_figure(figures.adversarial_grid(examples), "adversarial_examples")

# %%
accuracies = runs.accuracy_on_test_set(labels, train_profile)
metrics = run.log_metrics(**label_attacks.summary(table, accuracies), table=table.to_dict(orient="list"))
show_metrics({k: v for k, v in metrics.items() if k != "table"})

# %% [markdown]
# ## Explore
# In JupyterLab, widgets over this run: a label type and class: its label and the nearest other
# class; a test image attacked at the ε of the slider: the perturbation, the output and the label it
# decodes to. The same explorer opens on any finished run
# (`LabelsExplorer.from_run("runs/label_attacks/<run>")`); under papermill it draws one static frame.

# %%
show(LabelsExplorer.from_run(run.dir), interactive=run.interactive)
