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
# # DUET: reconstruction and controlled generation
#
# **Rebuilt from the paper's text** (upstream ships no decoder): for each model a decoder is
# trained on the frozen representation of images transformed by `equi_tx` to reproduce them; its
# test pixel MSE is the reconstruction error. For DUET (with `equi_tx="rot"`) the group axis of an
# image's representation is rolled by k bins and decoded: if the axis is equivariant, the decode
# resembles the image rotated by k · 360°/G more than the decode without the roll does.
# SimCLR and ESSL have no axis to roll: controllability is not defined for them.
# **Claims checked:** DUET's reconstruction MSE is below SimCLR's; rolling DUET's group axis
# moves the decode towards the transformed image (`controlled_mse` < `unrolled_mse`).

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the duet_train runs used here
train_overrides: dict = {}  # extra duet_train parameters for every model
models: list = ["duet", "simclr", "essl"]  # each one of: {ssl_methods}
train_images: int = 0  # training images the decoder learns from (0: all); range: [0, inf)
test_images: int = 0  # test images scored (0: all); range: [0, inf)
decoder_epochs: int = 30  # decoder training epochs (Adam 1e-3, batch 256); range: [1, inf)
seed: int = 0  # seeds the transformations and the decoder; range: [0, 4294967295]
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/duet_generation/interactive-<hash>

# %%
import pandas as pd

from reprlab.papers.duet import evaluation, figures, generation, runs
from reprlab.papers.duet.explore import DuetExplorer
from reprlab.workbench.explore import show
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("duet_generation", globals())
results = {}
train_runs = {}
for name, trained in runs.trained_models(models, train_profile, train_overrides):
    results[name] = generation.evaluate_generation(
        trained.model, trained.job, evaluation.stratified(trained.splits.train, train_images, seed),
        evaluation.stratified(trained.splits.test, test_images, seed), epochs=decoder_epochs, seed=seed)
    generation.save_decoder(results[name].decoder, run.dir / "checkpoints" / f"decoder_{name}.pt")
    train_runs[name] = str(trained.run.run_dir)
table = pd.DataFrame({name: {"reconstruction_mse": r.reconstruction_mse, "controlled_mse": r.controlled_mse,
                             "unrolled_mse": r.unrolled_mse} for name, r in results.items()}).T
table

# %% [markdown]
# ## Controlled generation (DUET)
# Top: the input rotated by k bins (the target); middle: the decode of the representation with its
# group axis rolled by k bins; bottom: the decode without the roll.

# %%
for name, result in results.items():
    title = (f"{name}: rolling the group axis" if result.controlled_mse is not None
             else f"{name}: reconstruction only (no group axis to roll)")
    run.save_figure(figures.generation_grid(result.examples, result.columns, title), f"generation_{name}")

# %%
metrics = run.log_metrics(
    train_runs=train_runs,
    models={name: {k: v for k, v in row.items() if pd.notna(v)} for name, row in table.to_dict("index").items()},
    controlled_per_shift={str(k): list(v) for k, v in results["duet"].per_shift.items()} if "duet" in results else {})
show_metrics(metrics)

# %% [markdown]
# ## Explore
# In JupyterLab, widgets over this run: a test image at a rotation: DUET's softmax over the bins,
# and the decode of its representation with the group axis rolled by k bins beside the input rotated
# by k bins. The same explorer opens on any finished run
# (`DuetExplorer.from_run("runs/duet_generation/<run>")`); under papermill it draws one static frame.

# %%
show(DuetExplorer.from_run(run.dir), interactive=run.interactive)
