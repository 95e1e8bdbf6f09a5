"""The Agg canvas the charts draw on: matplotlib's, with its text measurements kept.

matplotlib measures every text once per renderer, and a chart makes a new renderer for
each figure: the page and the phone rendition of every chart measured the same tick
labels, legend entries and font heights again, a fifth of a chart's drawing time. Here
the measurements of plain (non-math) text are kept for the life of the process, keyed on
everything they depend on: the string, the font properties, the resolution, and the
``font.*`` and ``text.*`` settings and fonts known when the figure is drawn. The pixels
are those of matplotlib's own canvas (a test compares the two).
"""

from __future__ import annotations

from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.font_manager import fontManager, get_font

_MAX_ENTRIES = 20_000  # a year's charts measure about a thousand strings
_metrics: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_heights: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}

# The font tables text.py reads a font's line height from, in its order.
_HEIGHT_TABLES = (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                  ("hhea", "lineGap", "ascent", "descent"))


def _settings() -> tuple[Any, ...]:
    """What, besides a text's own properties, decides which font draws it and how."""
    rc = matplotlib.rcParams
    return (id(fontManager), len(fontManager.ttflist), *(
        (key, _frozen(value))
        for key, value in sorted(rc.items()) if key.startswith(("font.", "text."))))


def _frozen(value: Any) -> Any:
    """``value`` as part of a dict key: lists as tuples, anything unhashable as its repr.

    >>> _frozen(["Noto Sans CJK TC", ["DejaVu Sans"]]), _frozen({"a": 1})
    (('Noto Sans CJK TC', ('DejaVu Sans',)), "{'a': 1}")
    """
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


class _Renderer(RendererAgg):
    _settings: tuple[Any, ...]  # set when the canvas makes the renderer

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any
                                      ) -> tuple[float, float, float]:
        if ismath:  # mathtext and TeX depend on more settings: measured every time
            return super().get_text_width_height_descent(s, prop, ismath)
        # FontProperties are equal when their hashes are (matplotlib's own rule).
        key = (s, hash(prop), self._settings)
        found = _metrics.get(key)
        if found is None:
            found = super().get_text_width_height_descent(s, prop, ismath)
            _remember(_metrics, key, found)
        return found

    def _get_font_height_metrics(self, prop: Any, *_: Any) -> tuple[Any, Any, Any]:
        """(ascent, descent, line gap) of the font ``prop`` selects, in pixels, as text.py
        would compute them itself: matplotlib (3.10 and later) asks the renderer first."""
        key = (hash(prop), self._settings)
        found = _heights.get(key)
        if found is None:
            found = _height_metrics(prop, self.dpi)
            _remember(_heights, key, found)
        return found


def _height_metrics(prop: Any, dpi: float) -> tuple[Any, Any, Any]:
    try:
        font = get_font(fontManager._find_fonts_by_props(prop))
    except AttributeError:  # a matplotlib without this look-up: text.py does it its way
        return None, None, None
    for table_name, gap_key, ascent_key, descent_key in _HEIGHT_TABLES:
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None  # text.py then measures "lp" itself


def _remember(cache: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> None:
    if len(cache) >= _MAX_ENTRIES:
        cache.clear()
    cache[key] = value


class ChartCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` whose renderer keeps its text measurements (see the module)."""

    def get_renderer(self) -> RendererAgg:
        # matplotlib decides when a new renderer is due (a new size or resolution); the
        # new one is given the caching methods, its state is matplotlib's own.
        renderer = super().get_renderer()
        if not isinstance(renderer, _Renderer):
            renderer.__class__ = _Renderer
            renderer._settings = (_settings(), renderer.dpi)
        return renderer
