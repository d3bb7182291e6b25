"""Interactive explorers: ipywidgets controls over a finished run directory, redrawn with
matplotlib's inline output (no front-end extension beyond what JupyterLab and ipywidgets bring).

An explorer is built from a run directory alone (``Explorer.from_run``), so it works on a run
made by papermill, on a cluster, or in JupyterLab. Each one separates what a frame shows
(:meth:`Explorer.compute`, plain numbers and arrays, tested headlessly) from how it is drawn
(:meth:`Explorer.draw`). Where there is no front end (papermill, the report) :func:`show` renders
one static frame at the controls' initial values instead of the widgets.
"""

from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.figure import Figure


class Explorer:
    """Base class. Subclasses build ``self.controls`` (name -> widget whose ``value`` is read) in
    ``__init__`` and implement ``compute(**values) -> dict`` and ``draw(state) -> Figure``. After
    :meth:`widget`, changing any control recomputes ``self.state`` and redraws."""

    title = "explorer"

    def __init__(self) -> None:
        self.controls: dict[str, widgets.ValueWidget] = {}
        self.state: dict[str, Any] = {}
        self._output: widgets.Output | None = None

    def values(self) -> dict[str, Any]:
        """The controls' current values."""
        return {name: control.value for name, control in self.controls.items()}

    def compute(self, **values: Any) -> dict[str, Any]:
        raise NotImplementedError

    def draw(self, state: dict[str, Any]) -> Figure:
        raise NotImplementedError

    def refresh(self, *_: Any) -> dict[str, Any]:
        """Recompute the state from the controls and redraw it in the widget's output, if shown."""
        self.state = self.compute(**self.values())
        if self._output is not None:
            figure = self.draw(self.state)
            self._output.clear_output(wait=True)
            with self._output:
                display(figure)
            plt.close(figure)
        return self.state

    def frame(self) -> Figure:
        """One static frame at the controls' current values."""
        return self.draw(self.refresh())

    def widget(self) -> widgets.VBox:
        """The controls above the drawn frame; every change of a control redraws."""
        self._output = widgets.Output()
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()
        return widgets.VBox([widgets.HTML(f"<b>{self.title}</b>"),
                             widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                             self._output])


def show(explorer: Explorer, interactive: bool) -> None:
    """In JupyterLab (``interactive``) display the explorer's widgets; under papermill or in a
    report, one static frame (a PNG in the executed notebook), so batch runs stay complete."""
    if interactive:
        display(explorer.widget())
        return
    figure = explorer.frame()
    display(figure)
    plt.close(figure)


def dropdown(description: str, options: list, value: Any = None) -> widgets.Dropdown:
    """A labelled dropdown over ``options`` (values, or (label, value) pairs); the first option's
    value unless ``value``."""
    if value is None:
        value = options[0][1] if isinstance(options[0], tuple) else options[0]
    return widgets.Dropdown(description=description, options=options, value=value,
                            style={"description_width": "initial"})


def slider(description: str, low: float, high: float, step: float, value: float | None = None) -> widgets.ValueWidget:
    """An integer slider when every bound is an int, else a float slider, with continuous updates
    off (a frame is computed on release)."""
    common = {"description": description, "min": low, "max": high, "step": step, "continuous_update": False,
              "value": low if value is None else value, "style": {"description_width": "initial"}}
    if all(isinstance(v, int) for v in (low, high, step)):
        return widgets.IntSlider(**common)
    return widgets.FloatSlider(**common, readout_format=".3g")
