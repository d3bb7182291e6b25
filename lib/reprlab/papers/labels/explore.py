"""Explore a finished label-attack run: a label type's label for a class and its nearest other
class; a test image attacked at a chosen ε, the perturbation, what the model outputs, and the
label that output decodes to."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from reprlab import paths
from reprlab.data import ImageSet, dataset_info, load_dataset
from reprlab.data.normalize import Normalizer
from reprlab.evaluation.attacks import attack
from reprlab.papers.labels.bank import load_label
from reprlab.papers.labels.runs import load_label_model
from reprlab.papers.labels.training import LabelJob, LabelTask
from reprlab.workbench.explore import Explorer, dropdown, slider
from reprlab.workbench.figures import show_image, styled
from reprlab.workbench.runner import completed_run, find_run, run_parameters

Loader = Callable[[str], tuple[torch.nn.Module, LabelTask]]


def label_bank(label: str, dataset: str, num_classes: int) -> np.ndarray:
    """The labels (K, ...) of ``label``: the bank file, or one-hot rows (K, K) for ``category``."""
    if label == "category":
        return np.eye(num_classes, dtype=np.float32)
    return load_label(paths.labels_dir(), dataset, label, num_classes)


class LabelsExplorer(Explorer):
    """Controls: ``label`` (type), ``class_index``, ``example`` (a test image), ``method`` and
    ``eps`` (pixel units). ``compute`` gives the class's label, its nearest other class and their
    mean squared distance (the decoding rule); the clean and attacked image and the perturbation
    (pixels); the model's output on the attacked image and the class it decodes to, with the
    distance from the output to that class's label."""

    title = "Label representations: labels, attacks and what the output decodes to"

    def __init__(self, labels: list[str], load: Loader, banks: dict[str, np.ndarray], test: ImageSet,
                 mean: tuple[float, ...], std: tuple[float, ...], methods: list[str], eps_max: float, *,
                 steps: int = 5, upstream_quirks: bool = False) -> None:
        super().__init__()
        self.load, self.banks, self.test = load, banks, test
        self.mean, self.std, self.normalizer = mean, std, Normalizer(mean, std)
        self.steps, self.quirks = steps, upstream_quirks
        self._models: dict[str, tuple[torch.nn.Module, LabelTask]] = {}
        classes = [(name, i) for i, name in enumerate(test.classes)]
        self.controls = {"label": dropdown("label type", labels), "class_index": dropdown("class", classes, 0),
                         "example": slider("test image", 0, len(test) - 1, 1, 0),
                         "method": dropdown("attack", methods), "eps": slider("ε (pixels)", 0.0, eps_max, eps_max / 20)}
        self.controls["class_index"].value = int(test.targets[0])
        self.controls["example"].observe(self._class_of_example, names="value")

    def _class_of_example(self, change: dict[str, Any]) -> None:
        """The class shown is the test image's own class (another can still be picked after)."""
        self.controls["class_index"].value = int(self.test.targets[change["new"]])

    @classmethod
    def from_run(cls, run: "str | Path | tuple[str, str]") -> "LabelsExplorer":
        """From a ``label_attacks`` run: the ``label_training`` runs it attacked (found, not run).
        ``run``: a run directory, a path under the runs folder, or ``(notebook, profile)``
        (see :func:`~reprlab.workbench.runner.find_run`)."""
        run_dir = find_run(run, ("label_attacks",), cls.__name__)
        params = run_parameters(run_dir)
        dirs = {label: completed_run("label_training", params["train_profile"], {"label": label})
                for label in params["labels"]}
        jobs = {label: LabelJob.from_params(run_parameters(d)) for label, d in dirs.items()}
        dataset = next(iter(jobs.values())).dataset
        test = load_dataset(dataset, "test")
        info = dataset_info(dataset)
        banks = {label: label_bank(label, dataset, test.num_classes) for label in params["labels"]}

        def load(label: str) -> tuple[torch.nn.Module, LabelTask]:
            model, task = load_label_model(jobs[label], dirs[label], test)
            return model.cpu(), task

        return cls(params["labels"], load, banks, test, info.mean, info.std, params["attacks"],
                   max(params["eps"]) or 0.05, steps=params["steps"], upstream_quirks=params["upstream_quirks"])

    def model(self, label: str) -> tuple[torch.nn.Module, LabelTask]:
        if label not in self._models:
            self._models[label] = self.load(label)
        return self._models[label]

    def compute(self, label: str, class_index: int, example: int, method: str, eps: float) -> dict[str, Any]:
        bank = self.banks[label]
        flat = bank.reshape(len(bank), -1).astype(np.float64)
        distances = ((flat - flat[class_index]) ** 2).mean(1)
        distances[class_index] = np.inf
        nearest = int(distances.argmin())
        model, task = self.model(label)
        pixels = self.test.images[example:example + 1].float() / 255
        images, true = self.normalizer(pixels), self.test.targets[example:example + 1]
        adversarial = attack(model, images, true, eps, method=method, loss_fn=task.attack_loss,
                             mean=self.mean, std=self.std, steps=self.steps,
                             generator=torch.Generator().manual_seed(example), upstream_quirks=self.quirks)
        with torch.no_grad():
            output = model(adversarial)
            predicted = int(task.predict(output)[0])
            clean_predicted = int(task.predict(model(images))[0])
        shown = (torch.softmax(output, 1) if label == "category" else output)[0].float().numpy()
        output = output[0].float().numpy()
        attacked = self.normalizer.to_pixels(adversarial)[0].clamp(0, 1)
        return {"label_image": bank[class_index], "nearest_class": nearest,
                "nearest_distance": float(distances[nearest]), "clean": pixels[0].numpy(),
                "adversarial": attacked.numpy(),
                "perturbation": (attacked - pixels[0]).numpy(), "output": shown, "predicted": predicted,
                "clean_predicted": clean_predicted, "true": int(true[0]),
                "output_distance": float(((output.reshape(-1) - bank[predicted].reshape(-1)) ** 2).mean()),
                "label": label, "class_index": class_index, "method": method, "eps": float(eps)}

    @styled
    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(1, 5, figsize=(15, 3.2))
        names = self.test.classes
        _show(axes[0], state["label_image"], f"{state['label']} label: {names[state['class_index']]}\nnearest "
                       f"other: {names[state['nearest_class']]} (MSE {state['nearest_distance']:.3g})")
        _show(axes[1], state["clean"].transpose(1, 2, 0), f"test image: {names[state['true']]}\n"
                                                          f"clean → {names[state['clean_predicted']]}")
        limit = max(float(np.abs(state["perturbation"]).max()), 1e-6)
        axes[2].imshow(state["perturbation"].mean(0), cmap="RdBu", vmin=-limit, vmax=limit)
        axes[2].set_title(f"{state['method']} ε = {state['eps']:.3g}\nperturbation (±{limit:.3g})", fontsize=9)
        axes[2].axis("off")
        _show(axes[3], state["adversarial"].transpose(1, 2, 0), f"attacked → {names[state['predicted']]}")
        _show(axes[4], state["output"], f"output decodes to {names[state['predicted']]}\n"
                                        f"(MSE to its label {state['output_distance']:.3g})")
        fig.tight_layout()
        return fig


def _show(ax: plt.Axes, image: np.ndarray, title: str) -> None:
    """An image, a label matrix, or a vector (as a bar chart)."""
    if np.ndim(image) == 1:
        ax.bar(np.arange(len(image)), image, color="tab:blue")
        ax.set_title(title, fontsize=9)
    else:
        show_image(ax, image, title)
