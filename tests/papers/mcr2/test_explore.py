import numpy as np
import pytest

from reprlab.papers.mcr2.explore import MCR2Explorer
from reprlab.papers.mcr2.training import Features


def _features(seed=0):
    """Class 0 spans e0, e1 and class 1 spans e2, e3 of R^6: orthogonal planes."""
    rng = np.random.default_rng(seed)
    def on(axes, n):
        x = np.zeros((n, 6))
        x[:, axes] = rng.normal(size=(n, 2))
        return x / np.linalg.norm(x, axis=1, keepdims=True)
    train = np.concatenate([on([0, 1], 40), on([2, 3], 40)])
    labels = np.repeat([0, 1], 40)
    test = np.concatenate([on([0, 1], 3), on([2, 3], 3)])
    return Features(train, labels, labels, test, np.repeat([0, 1], 3))


def test_orthogonal_class_planes_meet_at_right_angles_and_each_example_lies_in_its_own():
    explorer = MCR2Explorer(_features(), n_comp=2, class_names=["a", "b"])
    explorer.widget()
    state = explorer.state
    np.testing.assert_allclose(state["angles_degrees"], [90.0, 90.0], atol=1e-6)
    assert state["residuals"][0] == pytest.approx(0, abs=1e-9) and state["residuals"][1] == pytest.approx(1)
    assert state["decision"] == state["true"] == 0
    explorer.controls["example"].value = 4  # a class-1 test point
    assert explorer.state["decision"] == explorer.state["true"] == 1
    explorer.controls["class_b"].value = 0  # a class against itself: no angle
    np.testing.assert_allclose(explorer.state["angles_degrees"], [0.0, 0.0], atol=1e-5)
    # two non-zero singular values per class: each class spans exactly a plane
    assert (explorer.state["singular_values"][0] > 1e-8).sum() == 2


def test_the_test_example_is_drawn_beside_its_residuals_and_integer_axes_have_whole_ticks():
    images = np.arange(6 * 1 * 4 * 4, dtype=np.uint8).reshape(6, 1, 4, 4)
    explorer = MCR2Explorer(_features(), n_comp=2, class_names=["a", "b"], test_images=images)
    explorer.widget()
    explorer.controls["example"].value = 4
    fig = explorer.draw(explorer.state)
    assert len(fig.axes) == 4 and fig.axes[3].get_title() == "test example 4\nb → b"
    np.testing.assert_array_equal(fig.axes[3].images[0].get_array(), images[4, 0])
    assert all(float(t).is_integer() for t in fig.axes[1].get_xticks())  # angle numbers
    with pytest.raises(ValueError, match="test_images has 5 images for 6 test features"):
        MCR2Explorer(_features(), n_comp=2, test_images=images[:5])


def test_a_class_without_training_features_is_left_out_of_the_controls_and_the_bars():
    """A capped rehearsal extracts a few batches of features: some classes may have none."""
    features = _features()
    explorer = MCR2Explorer(features, n_comp=2, class_names=["a", "b", "c"])  # no "c" in training
    assert [name for name, _ in explorer.controls["class_a"].options] == ["a", "b"]
    explorer.widget()
    figure = explorer.draw(explorer.state)
    assert [t.get_text() for t in figure.axes[2].get_xticklabels()] == ["a", "b"]
