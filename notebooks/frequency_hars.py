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
# # Frequency bias: HARS
#
# The high-frequency-aligned, low-frequency-shuffled training set: every training image keeps its
# high frequencies (distance ≥ r from the spectrum's centre) and its label and takes the low
# frequencies of a donor of another class; every image donates once (a seeded assignment that
# always exists when no class holds more than half the images; upstream's loop can hang). A model
# trained on HARS with the baseline's settings (the `frequency_gradients` run of `train_profile`,
# reused when complete) is compared with the baseline on the original, low- and high-pass test sets.
# **Claim checked:** the HARS model beats the baseline on high-pass test sets and loses on
# low-pass ones.

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the frequency_gradients run whose settings and model are the baseline
radius: float = 12.0  # HARS mixing radius (upstream 12); range: (0, inf)
hars_seed: int = 0  # seed of the donor assignment; range: [0, 4294967295]
radii: list = [4.0, 8.0, 12.0, 16.0]  # filter radii of the test sets; each in range: (0, inf)
examples: int = 4  # mixed images shown with their two sources; range: [0, inf)
progress: bool = True  # live progress bar (the runner turns it off)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/frequency_hars/interactive-<hash>

# %%
from reprlab.data import load_dataset
from reprlab.experiments.classification import ClassifierJob, load_classifier, train_classifier
from reprlab.papers.frequency import evaluation, figures
from reprlab.papers.frequency.runs import baseline_run
from reprlab.papers.frequency.training import hars_training_set
from reprlab.training import resolve_device
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("frequency_hars", globals())
baseline = baseline_run(train_profile)
job = ClassifierJob.from_params(baseline.params)

hars, original, donors = hars_training_set(job, radius, hars_seed)
result = train_classifier(job, run.dir, progress=progress, train_set=hars, eval_every=job.epochs)  # no learning curve shown

# %% [markdown]
# ## Mixed images: high frequencies (and label) from the first, low frequencies from the donor

# %%
def hwc(images, i):
    return images[i].permute(1, 2, 0).numpy()


rows = [[(hwc(original.images, i), f"high: {original.classes[int(original.targets[i])]}"),
         (hwc(original.images, int(donors[i])), f"low: {original.classes[int(original.targets[int(donors[i])])]}"),
         (hwc(hars.images, i), "HARS")] for i in range(min(examples, len(hars)))]
if rows:
    run.save_figure(figures.image_grid(rows), "hars_examples")

# %% [markdown]
# ## HARS model against the baseline on the original, low- and high-pass test sets

# %%
test = load_dataset(job.dataset, "test")
device = resolve_device(job.device)
baseline_model = load_classifier(baseline.params, baseline.run_dir, test, device)
tables = {"baseline": evaluation.accuracy_over_radii(baseline_model, test, radii, device),
          "HARS": evaluation.accuracy_over_radii(result.model.eval(), test, radii, device)}
run.save_figure(figures.accuracy_vs_radius(tables), "hars_vs_baseline")

# %%
accuracy = {model: {part: evaluation.accuracy_by_radius(t, part) for part in ("original", "low", "high")}
            for model, t in tables.items()}
metrics = run.log_metrics(
    baseline_run=str(baseline.run_dir), radius=radius, accuracy=accuracy,
)
show_metrics(metrics)
