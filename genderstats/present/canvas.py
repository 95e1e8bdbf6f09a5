"""The Agg canvas the charts draw on: matplotlib's, whose renderer keeps its text measurements.

matplotlib measures every text once per renderer, and a chart makes a new renderer for each
figure. Where the ``matplotlib-text-metrics`` patch is in effect, the renderer keeps them for
the life of the process instead (the override and its cache live with every other override,
in :mod:`genderstats.patches`); elsewhere this is matplotlib's own canvas. The pixels are the
same either way (a test compares them).
"""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

from genderstats import patches


class ChartCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` whose renderer keeps its text measurements (see the module)."""

    def get_renderer(self) -> RendererAgg:
        # matplotlib decides when a new renderer is due (a new size or resolution); the
        # patch gives the new one its caching methods, its state is matplotlib's own.
        renderer = super().get_renderer()
        patches.keep_text_metrics(renderer)
        return renderer
