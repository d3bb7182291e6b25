import numpy as np
import torch

from reprlab.data import ImageSet
from reprlab.papers.labels.explore import LabelsExplorer
from reprlab.papers.labels.training import label_task


def _explorer():
    torch.manual_seed(0)
    # class 2's label is closest to class 0's; class 1 is far from both
    bank = np.zeros((3, 16), dtype=np.float32)
    bank[1] += 10.0
    bank[2, 0] = 1.0
    tasks = {"category": label_task("category", 16, 3, None), "random": label_task("random", 16, 3, bank)}
    models = {name: torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 16), torch.nn.ReLU(),
                                        task.head).eval() for name, task in tasks.items()}
    images = torch.randint(0, 256, (4, 1, 8, 8), dtype=torch.uint8)
    test = ImageSet("test", images, torch.tensor([0, 1, 2, 0]), ["a", "b", "c"])
    banks = {"category": np.eye(3, dtype=np.float32), "random": bank}
    return LabelsExplorer(["category", "random"], lambda name: (models[name], tasks[name]), banks, test,
                          (0.5,), (0.25,), ["fgsm", "bim"], 0.05)


def test_the_nearest_other_label_is_found_by_mean_squared_distance():
    explorer = _explorer()
    explorer.widget()
    assert explorer.state["nearest_distance"] == 2 / 3  # one-hot rows differ in 2 of 3 entries
    explorer.controls["label"].value = "random"
    assert explorer.state["nearest_class"] == 2 and explorer.state["nearest_distance"] == 1 / 16
    explorer.controls["class_index"].value = 1
    assert explorer.state["nearest_class"] in (0, 2) and explorer.state["nearest_distance"] > 90


def test_the_attack_stays_in_its_epsilon_ball_and_the_output_decodes_to_the_nearest_label():
    explorer = _explorer()
    explorer.widget()
    assert np.abs(explorer.state["perturbation"]).max() < 1e-6  # eps = 0: the normalisation round trip only
    assert explorer.state["predicted"] == explorer.state["clean_predicted"]
    explorer.controls["label"].value = "random"
    explorer.controls["method"].value = "bim"
    explorer.controls["eps"].value = 0.03
    state = explorer.state
    assert 0 < np.abs(state["perturbation"]).max() <= 0.03 + 1e-6
    distances = ((state["output"].reshape(1, -1) - explorer.banks["random"].reshape(3, -1)) ** 2).mean(1)
    assert state["predicted"] == distances.argmin() and state["output_distance"] == np.float32(distances.min())


def test_the_class_shown_follows_the_test_image():
    explorer = _explorer()
    explorer.widget()
    assert explorer.controls["class_index"].value == 0
    explorer.controls["example"].value = 2  # a test image of class c
    assert explorer.controls["class_index"].value == 2 and explorer.state["class_index"] == 2
