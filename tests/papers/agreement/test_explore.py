import numpy as np
import pandas as pd

from reprlab.papers.agreement.explore import FIRST_LEARNED, AgreementExplorer


def _explorer():
    # 2 networks, 3 epochs, 4 examples: example 0 learned by both from epoch 0, example 1 from
    # epoch 2, example 2 never (network 1 forgets it), example 3 from epoch 1
    correct = np.zeros((2, 3, 4), dtype=bool)
    correct[:, :, 0] = True
    correct[:, 2, 1] = True
    correct[0, :, 2] = True
    correct[:, 1:, 3] = True
    stats = pd.DataFrame({"entropy": [3.0, 1.0, 2.0, 0.5], "segments": [4, 3, 2, 1]})
    images = np.arange(4 * 1 * 2 * 2, dtype=np.uint8).reshape(4, 1, 2, 2)
    return AgreementExplorer(correct, stats, images, np.array([0, 1, 0, 1]), ["t-shirt", "trouser"])


def test_examples_sort_by_first_learned_epoch_with_never_learned_last():
    explorer = _explorer()
    assert explorer.order(FIRST_LEARNED, -1).tolist() == [0, 3, 1, 2]
    assert explorer.order("entropy", -1).tolist() == [3, 1, 2, 0]
    assert explorer.order("entropy", 0).tolist() == [2, 0]  # one class only


def test_picking_a_rank_shows_that_examples_correctness_and_statistics():
    explorer = _explorer()
    explorer.widget()
    assert explorer.state["index"] == 0 and explorer.state["first_learned"] == 0
    explorer.controls["rank"].value = 3
    state = explorer.state
    assert state["index"] == 2 and state["first_learned"] == 3  # never learned: after the last epoch
    np.testing.assert_array_equal(state["correct"], [[True, True, True], [False, False, False]])
    explorer.controls["sort_by"].value = "entropy"
    assert explorer.state["index"] == 0 and explorer.state["statistics"] == {"entropy": 3.0, "segments": 4}
    explorer.controls["label"].value = 1
    assert explorer.state["index"] == 1  # rank 3 is past class 1's two examples: its last one


def test_the_rank_slider_spans_the_chosen_class_and_a_never_learned_example_says_so():
    explorer = _explorer()
    explorer.widget()
    assert explorer.controls["rank"].max == 3
    explorer.controls["label"].value = 0  # two examples of class 0
    assert explorer.controls["rank"].max == 1
    explorer.controls["label"].value = -1
    explorer.controls["rank"].value = 3  # example 2: never correct in both networks at once
    title = explorer.draw(explorer.state).axes[1].get_title()
    assert "never correct in every network at once" in title
