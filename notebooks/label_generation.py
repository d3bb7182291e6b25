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
# # Label bank
#
# Every label representation of "Beyond Categorical Label Representations" (Chen et al., ICLR
# 2021) for a class list, written to `labels/` as `<dataset>_<type>.npy` with a JSON sidecar.
# Deterministic types follow upstream's exact recipes and seeds; speech comes from recordings or
# `espeak-ng`; `bert` uses bert-base-uncased when its weights are present, else all-MiniLM-L6-v2
# token states (same 48×48 shape); `glove` reads a GloVe file or uses a clearly named stand-in.

# %% tags=["parameters"]
dataset: str = "cifar10"  # dataset whose class order the labels follow (names read from it); one of: {datasets}
class_names: list = []  # class names to use instead of the dataset's (in class-index order)
types: list = ["speech", "shuffle", "uniform", "composite", "random", "lowdim", "bert", "glove"]  # label types (shuffle needs speech first); each one of: {label_types}
recordings: str = ""  # folder with <i>.wav per class; empty: espeak-ng speaks the names
glove_file: str = ""  # glove.6B.50d.txt; empty: the sentence-encoder stand-in
upstream_semantic_order: bool = False  # CIFAR-100 bert/glove rows in upstream's superclass order (misaligned)
bert_upstream_unscaled: bool = False  # skip the [0, 80] scaling, as upstream's CIFAR-10 bert file
labels_dir: str = ""  # where to write; empty: the repository's labels/
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/label_generation/interactive-<hash>

# %%
import pandas as pd

from reprlab import paths
from reprlab.data import load_dataset
from reprlab.papers.labels import bank, figures
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("label_generation", globals())
names = class_names or load_dataset(dataset, "test").classes
out = labels_dir or paths.labels_dir()
banks, rows = bank.write_label_bank(out, dataset, names, types, recordings=recordings or None,
                                    glove_file=glove_file or None, upstream_semantic_order=upstream_semantic_order,
                                    bert_upstream_unscaled=bert_upstream_unscaled)
written = [bank.label_path(out, dataset, kind) for kind in types]
run.wrote(*written, *(path.with_suffix(".json") for path in written))  # a bank deleted later is written again
table = pd.DataFrame(rows).set_index("type")
table

# %% [markdown]
# ## Gallery: the label of the first classes under every representation

# %%
run.save_figure(figures.label_gallery(banks, names), "gallery")

# %%
metrics = run.log_metrics(classes=len(names), labels_dir=str(out),
                          statistics=table[["entropy", "distance"]].to_dict(orient="index"))
show_metrics(metrics)
