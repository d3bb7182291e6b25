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
# # When deep classifiers agree
#
# N networks trained on the same data (one `agreement_network` run each, seeds 0..N-1,
# architectures cycled from `models`; reused when complete, concurrent under an executor) have
# recorded every example's prediction after every epoch. This notebook measures how much they agree
# on *which* examples they get right (true-positive agreement, Fleiss' kappa) against what
# independent networks with the same accuracies would give, then relates each example's learning
# order (the first epoch from which all networks stay correct) to image statistics, with Spearman
# correlations and bootstrap intervals.

# %% tags=["parameters"]
train_profile: str = "paper"  # profile of the agreement_network runs (dataset, epochs, optimiser, ...)
train_overrides: dict = {}  # extra agreement_network parameters for every network, e.g. {"epochs": 30}
models: list = ["lenet5", "vgg16_bn", "resnet50", "densenet121"]  # architectures, cycled over the networks; each one of: {models}
networks: int = 5  # number of networks (seeds 0..N-1); range: [1, inf)
random_label_probs: list = [0.0]  # label randomisation probabilities (fixed labels shared by all networks); each in range: [0, 1]
n_boot: int = 1000  # bootstrap resamples of the correlation intervals; range: [1, inf)
fresh: bool = False  # start afresh: an earlier run with these parameters is moved aside (kept), not resumed or reused
run_dir: str = ""  # set by the runner; empty: runs/agreement/interactive-<hash>

# %%
from reprlab.papers.agreement import correlations, figures, image_stats, learning_order, runs
from reprlab.papers.agreement.explore import AgreementExplorer
from reprlab.workbench.explore import show
from reprlab.workbench.notebook import show_metrics, start_run

run = start_run("agreement", globals())
trained = {prob: runs.trained_networks(runs.network_specs(train_profile, train_overrides, models, networks, prob))
           for prob in random_label_probs}
recordings = {prob: recording for prob, (recording, _) in trained.items()}
first_network = trained[random_label_probs[0]][1][0].params
dataset, epochs = first_network["dataset"], first_network["epochs"]
correct_by_prob = {p: learning_order.correctness(r.train, r.train_labels) for p, r in recordings.items()}
rec = recordings[random_label_probs[0]]
correct = correct_by_prob[random_label_probs[0]]
curves = learning_order.AgreementCurves.from_correct(correct)
test_curves = learning_order.AgreementCurves.from_correct(learning_order.correctness(rec.test, rec.test_labels))

# %% [markdown]
# ## Instance agreement (training set)
# The hatched gap between agreement and the lower bound, and the distance to the dashed curve of
# independent networks, show how much more the networks agree than their accuracies force them to.

# %%
run.save_figure(figures.instance_agreement(curves, "Instance agreement (train)"), "instance_agreement")
run.save_figure(figures.instance_agreement(test_curves, "Instance agreement (test)"), "instance_agreement_test")

# %%
shares = learning_order.agreed_class_shares(correct, rec.train_labels, len(rec.classes))
run.save_figure(figures.agreed_class_histograms(shares, rec.classes), "agreed_classes")

# %% [markdown]
# ## Image statistics and learning order

# %%
stats = image_stats.cached_image_statistics(rec.train_images, rec.train_indices, image_stats.cache_path(dataset, "train"))
first = learning_order.first_learned_epoch(correct)
table = correlations.correlation_table(stats, first, epochs, n_boot=n_boot)
run.save_figure(figures.correlation_intervals(table), "correlations")
table

# %%
for column in ("entropy", "dct_percentage", "segments", "edge_strength"):
    curve = learning_order.mean_metric_of_agreed_set(correct, stats[column].to_numpy())
    run.save_figure(figures.agreement_with_metric(curves, curve, column), f"agreed_{column}")

# %%
if len(random_label_probs) > 1:
    fig = figures.agreement_by_label_noise({p: learning_order.tp_agreement(c) for p, c in correct_by_prob.items()})
    run.save_figure(fig, "agreement_random_labels")

# %%
metrics = run.log_metrics(
    agreement_per_epoch=curves.agreement.tolist(), kappa_per_epoch=curves.kappa.tolist(),
    independent_agreement_per_epoch=curves.independent.tolist(),
    accuracy_per_epoch=curves.accuracy_mean.tolist(),
    final_agreement=float(curves.agreement[-1]), final_kappa=float(curves.kappa[-1]),
    final_independent_agreement=float(curves.independent[-1]), final_accuracy=float(curves.accuracy_mean[-1]),
    final_test_agreement=float(test_curves.agreement[-1]),
    never_learned_fraction=float((first < 0).mean()),
    correlations=table.to_dict(orient="index"),
    random_label_final_agreement={f"{p:g}": float(learning_order.tp_agreement(c)[-1])
                                  for p, c in correct_by_prob.items()},
    network_runs={f"{p:g}": [str(r.run_dir) for r in results] for p, (_, results) in trained.items()},
)
show_metrics({k: v for k, v in metrics.items() if not k.endswith("per_epoch")})

# %% [markdown]
# ## Explore
# In JupyterLab, widgets over this run: the training examples sorted by the epoch every network
# learned them or by an image statistic, filtered by class; one example: its correctness per network
# and epoch and its statistics. The same explorer opens on any finished run
# (`AgreementExplorer.from_run("runs/agreement/<run>")`); under papermill it draws one static frame.

# %%
show(AgreementExplorer.from_run(run.dir), interactive=run.interactive)
