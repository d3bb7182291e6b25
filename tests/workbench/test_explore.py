import matplotlib
import pytest

from reprlab.workbench.explore import Explorer, dropdown, show, slider

matplotlib.use("Agg")


class Squares(Explorer):
    title = "squares"

    def __init__(self):
        super().__init__()
        self.controls = {"n": slider("n", 0, 10, 1, 3), "sign": dropdown("sign", [("+", 1), ("-", -1)])}
        self.drawn = 0

    def compute(self, n, sign):
        return {"value": sign * n * n}

    def draw(self, state):
        import matplotlib.pyplot as plt

        self.drawn += 1
        fig, ax = plt.subplots()
        ax.set_title(str(state["value"]))
        return fig


def test_changing_a_control_recomputes_the_state_and_redraws():
    explorer = Squares()
    explorer.widget()
    assert explorer.state == {"value": 9} and explorer.drawn == 1
    explorer.controls["n"].value = 4
    assert explorer.state == {"value": 16} and explorer.drawn == 2
    explorer.controls["sign"].value = -1
    assert explorer.state == {"value": -16}


def test_without_a_front_end_one_static_frame_is_drawn_at_the_initial_values(capsys):
    explorer = Squares()
    show(explorer, interactive=False)
    assert explorer.state == {"value": 9} and explorer.drawn == 1
    assert "VBox" not in capsys.readouterr().out  # no widget is displayed


def test_sliders_are_integer_or_float_from_their_bounds():
    assert type(slider("k", 0, 7, 1)).__name__ == "IntSlider"
    radius = slider("r", 0.5, 19.8, 0.5, 8.0)
    assert type(radius).__name__ == "FloatSlider" and radius.value == 8.0
    with pytest.raises(NotImplementedError):
        Explorer().compute()
