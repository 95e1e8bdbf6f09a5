"""One chart theme for every report: CJK font, fixed gender colours, labelled values.

Every chart function takes a gender table (index = category, count columns
``男, 女, 其他, 合計``, share columns ``男%, 女%, 其他%``) and returns a document block,
:class:`~genderstats.present.model.Chart`: the PNG rendered at two widths (a desktop page
and a phone, chosen by the browser with ``<picture>``), alt text stating the numbers, the
numbers again as a table for 「查看數據」, and an optional caption::

    >>> import pandas as pd
    >>> t = pd.DataFrame({"男": [21], "女": [14], "其他": [0], "合計": [35]},
    ...                  index=pd.Index(["全體委員"], name="group"))
    >>> donut(t, title="第2屆資料治理委員會委員性別統計").alt
    '圓餅圖：第2屆資料治理委員會委員性別統計，全體委員35人，女性14人（40%）、男性21人（60%）。'

Figures are built with :class:`matplotlib.figure.Figure` directly, not pyplot, so they
never reach a notebook's inline backend (no double display) and no backend is forced.

Over 500 lines because one theme serves every chart: the colours, fonts, labels and
the PNG rendering are shared by each chart type.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, Literal, ParamSpec, TypeVar

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from matplotlib.transforms import blended_transform_factory
from PIL import Image

from genderstats import fonts
from genderstats.config import GENDERS, TOTAL
from genderstats.data.absence import NO_DATA
from genderstats.numbers import format_count, format_pct, is_missing, threshold_words
from genderstats.present.model import Chart
from genderstats.privacy import masked, printable, protection_of

__all__ = [
    "GENDER_COLORS",
    "THEME",
    "alt_text",
    "donut",
    "grouped_bars",
    "pyramid",
    "stacked_100",
    "contrast_ratio",
    "text_color_on",
    "trend",
]

# Okabe–Ito blue and vermillion stay far apart under protan-, deutan- and tritanopia;
# grey for 其他 is the most robust third colour against both (checked with the
# Machado et al. 2009 simulation: every pair keeps a CIELAB distance above 30).
GENDER_COLORS: dict[str, str] = {"男": "#0072B2", "女": "#D55E00", "其他": "#999999"}
GENDER_WORDS: dict[str, str] = {"男": "男性", "女": "女性", "其他": "其他性別"}
TEXT_COLOR = "#222222"  # 15.9:1 on white
MUTED_COLOR = "#555555"  # 7.5:1 on white
NEUTRAL_BAR = "#6E6E6E"  # totals, not tied to a gender

DPI = 200
WIDTH_IN = 7.5
# The phone rendition: the same type sizes on a narrower figure. report.css shows it at most
# as wide as the page's content: on a 390 px screen 390 − 2 × .75rem = 366 CSS px (the figure
# has no side margin, the image max-width 100%). PHONE_CONTENT_PX assumes 358 (1rem each
# side) to leave room for a wider padding. A size of s pt then shows at
# s × 358 / (72 × 3.9) ≈ 1.27 s CSS px: the smallest label, 9 pt, at 11.5 px.
NARROW_WIDTH_IN = 3.9
PHONE_CONTENT_PX = 358
MAX_PNG_BYTES = 250_000
EDGE_IN = 0.1  # white margin around every chart
PALETTE_COLORS = 128
_WIDTH: ContextVar[float] = ContextVar("chart_width_in", default=WIDTH_IN)

THEME: dict[str, Any] = {
    "font.size": 12.5,
    "axes.titlesize": 14.5,
    "axes.titleweight": "bold",
    "figure.titlesize": 14.5,
    "figure.titleweight": "bold",
    "axes.labelsize": 12.5,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "text.color": TEXT_COLOR,
    "axes.labelcolor": TEXT_COLOR,
    "axes.edgecolor": "#444444",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "xtick.labelcolor": TEXT_COLOR,
    "ytick.labelcolor": TEXT_COLOR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.8,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.prop_cycle": matplotlib.cycler(color=list(GENDER_COLORS.values())),
    # Category names come from data: a "$" in one must not switch on mathtext.
    "text.parse_math": False,
    "svg.hashsalt": "genderstats",
}
FONT: str | None = fonts.apply(THEME)
matplotlib.rcParams.update(THEME)

P = ParamSpec("P")
R = TypeVar("R")


def _themed(func: Callable[P, Chart]) -> Callable[P, Chart]:
    """Draw inside the theme (even if a notebook changed rcParams after import), twice:
    at the page width and at the phone width, kept as ``Chart.png_narrow``."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        with matplotlib.rc_context(THEME):
            wide = func(*args, **kwargs)
            token = _WIDTH.set(NARROW_WIDTH_IN)
            try:
                narrow = func(*args, **kwargs)
            finally:
                _WIDTH.reset(token)
        return dataclasses.replace(wide, png_narrow=narrow.png)

    return wrapper


def _palette(image: Any, dpi: int) -> bytes:
    """The RGB(A) ``image`` as a PNG with a 128-colour palette: a third of the bytes, so a
    page can carry each chart twice (page and phone width); flat chart colours and
    anti-aliased text survive."""
    quantized = image.convert("RGB").quantize(
        colors=PALETTE_COLORS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    # zlib's default level: level 9 (``optimize``) makes the file 10 % smaller and costs
    # eight times as long, the largest share of a chart's time.
    quantized.save(buffer, format="PNG", compress_level=6, dpi=(dpi, dpi))
    return buffer.getvalue()


def render_png(fig: Figure) -> bytes:
    """PNG bytes of ``fig``, deterministic, kept under MAX_PNG_BYTES.

    The figure is drawn once per resolution straight into an Agg buffer, which is then
    palette-encoded. ``savefig`` would write a full-colour PNG only to have it decoded again,
    and ``bbox_inches="tight"`` would draw the figure a second time; constrained layout has
    already fitted every artist inside the figure with its own margin. The PNG carries no
    "Software" chunk (it would name the matplotlib version), so the same input gives the
    same bytes and the build cache can compare them.
    """
    canvas = FigureCanvasAgg(fig)
    png = b""
    for dpi in (DPI, 160, 130, 100):
        fig.set_dpi(dpi)
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        png = _palette(image, dpi)
        if len(png) <= MAX_PNG_BYTES:
            break
    # No fig.clear(): taking the artists apart costs more (about 7 % of a chart's time)
    # than the collector spends freeing the unreferenced figure.
    return png


def _suptitle(fig: Figure, title: str) -> None:
    """The figure title, folded into balanced lines when it is wider than the figure."""
    fig.suptitle(_title_lines(title, fig.get_figwidth()))


def _title_lines(title: str, width_in: float) -> str:
    """The title folded to the figure's width inside its white margins."""
    size = float(matplotlib.rcParams["figure.titlesize"])
    return _fold(title, (width_in - 2 * EDGE_IN) * 72 / size)


def _ems(text: str) -> float:
    """Width of one line of ``text`` in ems: CJK characters one em, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def _fold(text: str, em: float) -> str:
    """``text`` in as few lines of at most ``em`` ems as possible, of about equal length.

    CJK characters are one em, others about half: _fold("一二三四五六", 4) → '一二三\n四五六'.
    """
    total = _ems(text)
    if total <= em or em <= 0:
        return text
    lines = math.ceil(total / em)
    target = total / lines
    out, line = [], ""
    for char in text:
        if line and _ems(line + char) > target + 0.5 and len(out) < lines - 1:
            out.append(line)
            line = ""
        line += char
    return "\n".join([*out, line])


def _narrow() -> bool:
    """True while drawing the phone rendition."""
    return _WIDTH.get() < WIDTH_IN


def _figure(height: float) -> Figure:
    # Not pyplot: the figure is not registered anywhere, so nothing else can display it.
    fig = Figure(figsize=(_WIDTH.get(), height), layout="constrained")
    # The white margin a tight bounding box would add (0.1 in), without its second draw.
    fig.get_layout_engine().set(w_pad=EDGE_IN, h_pad=EDGE_IN)
    return fig


# --------------------------------------------------------------------------- helpers


def _luminance(color: str) -> float:
    """WCAG relative luminance of a matplotlib colour."""
    r, g, b = to_rgb(color)
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_color_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG ratio).

    >>> text_color_on("#0072B2"), text_color_on("#D55E00")
    ('#FFFFFF', '#000000')
    """
    lum = _luminance(background)
    white, black = 1.05 / (lum + 0.05), (lum + 0.05) / 0.05
    return "#FFFFFF" if white >= black else "#000000"


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two colours.

    >>> round(contrast_ratio("#FFFFFF", "#0072B2"), 2)
    5.19
    """
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _body(table: pd.DataFrame) -> pd.DataFrame:
    """The category rows: the 合計 row is a sum, not a category. A protected people-level
    table (:func:`genderstats.privacy.carry`) gives only the rows it prints in full, so
    neither the bars nor the alt text nor the data table shows a hidden count."""
    table = printable(table)
    if TOTAL in table.index:
        return table.drop(index=TOTAL)
    return table


def _left_out(table: pd.DataFrame, unit: str) -> str:
    """What a chart of ``table`` says about the categories :func:`_body` leaves out:
    「另有2類因人數未達3人而未顯示，以保護個人隱私。」 ("" when it draws them all). A row hidden
    only so that a small count cannot be worked out is 「可據以推算」, as the tables say."""
    protected = protection_of(table)
    if protected is None:
        return ""
    hidden = [k for k in table.index if k != TOTAL and not protected.row_shown(k)]
    if not hidden:
        return ""
    small = [k for k in hidden if any(protected.is_small(k, c) for c in protected.marks.columns)]
    why = f"人數未達{protected.threshold}{unit}" + ("" if len(small) == len(hidden)
                                                   else "或可據以推算")
    return f"另有{len(hidden)}類因{why}而未顯示，以保護個人隱私。"


def _noted(caption: str | None, alt: str, note: str) -> tuple[str | None, str]:
    """The caption and alt text with ``note`` (:func:`_left_out`) after them."""
    if not note:
        return caption, alt
    if caption:
        caption = caption + ("" if caption.endswith("。") else "。") + note
    return caption or note, alt + note


def _count(table: pd.DataFrame, gender: str) -> pd.Series:
    if gender in table.columns:
        return pd.to_numeric(table[gender], errors="coerce")
    return pd.Series(np.nan, index=table.index, dtype=float)


def _total(table: pd.DataFrame) -> pd.Series:
    if TOTAL in table.columns:
        return pd.to_numeric(table[TOTAL], errors="coerce")
    present = [g for g in GENDERS if g in table.columns]
    return table[present].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)


def _share(table: pd.DataFrame, gender: str) -> pd.Series:
    """Share of ``gender`` per row: the table's own ``男%`` column, else count / 合計."""
    column = f"{gender}%"
    if column in table.columns:
        return pd.to_numeric(table[column], errors="coerce").astype(float)
    total = _total(table).astype(float)
    return (_count(table, gender).astype(float) / total.where(total > 0)).astype(float)


def _shown_genders(table: pd.DataFrame) -> list[str]:
    """男 and 女 whenever they are columns (a zero is news); 其他 only when non-zero."""
    shown = []
    for gender in GENDERS:
        if gender not in table.columns:
            continue
        if gender == "其他" and not (_count(table, gender).fillna(0) > 0).any():
            continue
        shown.append(gender)
    return shown


def _subject(title: str, kind: str) -> str:
    """The title without a trailing chart-type word, so alt text does not say it twice."""
    subject = title.strip()
    for suffix in (kind, "圖"):
        if subject.endswith(suffix) and len(subject) > len(suffix):
            subject = subject[: -len(suffix)]
            break
    return subject.rstrip("：:，, ")


def _legend(ax: Axes, genders: Sequence[str], unit_note: str = "",
            extra: Sequence[Any] = ()) -> None:
    """Legend above the plot's top-right corner; the unit (if any) above its top-left.

    Anchored to the axes, not the figure, so constrained layout keeps it clear of the
    title. The unit sits horizontally there because rotated Chinese text reads badly.
    """
    handles = [*(Patch(color=GENDER_COLORS[g], label=g) for g in genders), *extra]
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.02), ncols=len(handles),
              borderaxespad=0, handlelength=1.4, columnspacing=1.2)
    if unit_note:
        ax.set_title(unit_note, loc="left", fontsize=11.5, fontweight="normal",
                     color=MUTED_COLOR, pad=8)


def _label_size(n_bars: int) -> float:
    """Smaller value labels when many bars share the width, so they do not collide."""
    if n_bars <= 8:
        return 12
    if n_bars <= 14:
        return 10.5
    return 9


def _count_header(unit: str) -> str:
    """Column header of counts in 「查看數據」: 人 → 人數, 人次 → 人次."""
    return "人數" if unit == "人" else unit


def _data(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in rows], columns=list(columns))


# --------------------------------------------------------------------------- alt text


def alt_text(kind: str, subject: str, parts: Sequence[str], note: str = "") -> str:
    """Assemble alt text: 「{kind}：{subject}，{part}；{part}。{note}」.

    >>> alt_text("長條圖", "各年齡區間參與人次", ["51-60歲 男7、女45", "61-70歲 男246、女965"])
    '長條圖：各年齡區間參與人次，51-60歲 男7、女45；61-70歲 男246、女965。'
    """
    head = f"{kind}：{subject}" if subject else f"{kind}："
    body = "；".join(p for p in parts if p)
    if body:
        head = f"{head}，{body}" if subject else f"{head}{body}"
    return f"{head}。{note}" if note else f"{head}。"


def _row_pick(table: pd.DataFrame, row: Any) -> Any:
    if row is not None:
        if row not in table.index:
            raise KeyError(f"row {row!r} not in table; rows are {list(table.index)}")
        return row
    if TOTAL in table.index:
        return TOTAL
    if len(table.index) == 1:
        return table.index[0]
    raise ValueError(
        f"donut() needs row=… : the table has {len(table.index)} rows and no {TOTAL} row "
        f"({list(table.index)[:5]}…)"
    )


# --------------------------------------------------------------------------- charts


RING_WIDTH = 0.38  # of the radius: the hole is 62 % of the ring's diameter
PHONE_RING = 0.62  # the phone ring's diameter, of the figure's width
LINE_EMS = 1.45  # a line of the CJK font, in ems


def _ring(ax: Axes, drawn: Sequence[str], counts: dict[str, Any],
          names: dict[str, str] | None) -> None:
    """The donut's ring on ``ax``, each slice named beside it unless ``names`` is None."""
    ax.set_aspect("equal")
    ax.axis("off")
    if not drawn:
        ax.pie([1], colors=["#E3E3E3"], startangle=90, wedgeprops={"width": RING_WIDTH})
        return
    ax.pie(
        [counts[g] for g in drawn],
        colors=[GENDER_COLORS[g] for g in drawn],
        labels=[names[g] for g in drawn] if names else None,
        labeldistance=1.1,
        # A lone full ring would put its label at the bottom, over the note below.
        startangle=90 if len(drawn) > 1 else 180,
        counterclock=False,
        wedgeprops={"width": RING_WIDTH, "edgecolor": "white", "linewidth": 2},
        textprops={"fontsize": 13, "color": TEXT_COLOR},
    )


def _phone_donut(title: str, drawn: Sequence[str], counts: dict[str, Any],
                 names: dict[str, str], zero: str, centre: tuple[str, str]) -> Figure:
    """The phone's donut, laid out by hand from the top: the title; a ring PHONE_RING of the
    width with the total and what it counts in its hole; one line per slice after its colour
    (beside the ring they would not fit a phone's width); then ``zero``."""
    width = _WIDTH.get()
    folded = _title_lines(title, width)
    title_h = (folded.count("\n") + 1) * LINE_EMS * float(matplotlib.rcParams["figure.titlesize"])
    ring = PHONE_RING * width
    keys_h = len(drawn) * 1.9 * 13 + (LINE_EMS * 12.5 if zero else 0)  # points
    gap = 0.15
    height = 2 * EDGE_IN + (title_h + keys_h) / 72 + ring + 2 * gap
    fig = Figure(figsize=(width, height))
    fig.suptitle(folded, y=1 - EDGE_IN / height, va="top")
    bottom = EDGE_IN + keys_h / 72 + gap
    ax = fig.add_axes(((width - ring) / 2 / width, bottom / height, ring / width, ring / height))
    _ring(ax, drawn, counts, None)
    ax.set(xlim=(-1.02, 1.02), ylim=(-1.02, 1.02))  # the ring fills its square
    _centre_text(ax, centre, (1 - RING_WIDTH) * ring)
    if drawn:
        fig.legend(handles=[Patch(color=GENDER_COLORS[g], label=names[g]) for g in drawn],
                   loc="upper center", bbox_to_anchor=(0.5, (bottom - gap / 2) / height),
                   fontsize=13, handlelength=1.2, borderaxespad=0, labelspacing=0.5)
    if zero:
        fig.text(0.5, EDGE_IN / height, zero, ha="center", va="bottom", fontsize=12.5,
                 color=TEXT_COLOR)
    return fig


def _centre_text(ax: Axes, centre: tuple[str, str], hole_in: float) -> None:
    """The total (bold) over what it counts, sized and folded to stay inside a hole
    ``hole_in`` wide: within its inscribed rectangle of 0.8 × 0.6 of the diameter."""
    total, label = centre
    room_w, room_h = 0.8 * hole_in * 72, 0.6 * hole_in * 72  # points
    # Bold figures run about a tenth wider than the regular ones _ems assumes.
    big = min(20.0, room_w / (1.1 * max(_ems(total), 1)))
    small = 12.0
    lines = _fold(label, room_w / small).split("\n")
    if len(lines) > 2 or big * LINE_EMS + len(lines) * small * LINE_EMS > room_h:
        lines = _fold(label, room_w / 10).split("\n")
        small = 10.0
    label = "\n".join(lines)
    block = (big + len(lines) * small) * LINE_EMS
    scale = 2.04 * (1 - RING_WIDTH) / hole_in / 72  # points to data units (radius 1 of 1.02)
    top = block / 2 * scale
    ax.text(0, top - big * LINE_EMS / 2 * scale, total, ha="center", va="center",
            fontsize=big, fontweight="bold", color=TEXT_COLOR)
    ax.text(0, top - big * LINE_EMS * scale - len(lines) * small * LINE_EMS / 2 * scale, label,
            ha="center", va="center", fontsize=small, color=MUTED_COLOR, linespacing=1.2)


@_themed
def donut(
    table: pd.DataFrame,
    *,
    row: Any = None,
    title: str,
    label: str | None = None,
    unit: str = "人",
    digits: int = 0,
    caption: str | None = None,
    alt: str | None = None,
) -> Chart:
    """Gender composition of one row as a donut, total in the centre.

    ``row`` defaults to the 合計 row, or the only row; ``label`` names it in the centre and
    the alt text (default: the row label). Slices read 「女 14人 (40%)」.

    >>> t = pd.DataFrame({"男": [21], "女": [14], "合計": [35]}, index=["全體委員"])
    >>> donut(t, title="委員性別").alt
    '圓餅圖：委員性別，全體委員35人，女性14人（40%）、男性21人（60%）。'
    """
    key = _row_pick(table, row)
    if key not in printable(table).index:
        raise ValueError(f"「{key}」有為保護個人隱私而不公開的人數，不能繪製圓餅圖")
    one = table.loc[[key]]
    label = str(key) if label is None else label
    total = _total(one).iloc[0]
    genders = _shown_genders(one)
    counts = {g: _count(one, g).iloc[0] for g in genders}
    shares = {g: _share(one, g).iloc[0] for g in genders}

    drawn = [g for g in genders if not is_missing(counts[g]) and counts[g] > 0]
    names = {g: f"{g} {format_count(counts[g], missing=NO_DATA)}{unit} "
                f"({format_pct(shares[g], digits, missing=NO_DATA)})" for g in drawn}
    # A gender with no one is the finding (e.g. a group without women): say it on the chart.
    zero = "、".join(f"{g} 0{unit} (0%)" for g in genders if g not in drawn) if drawn else ""
    centre = (f"{format_count(total, missing='0')}{unit}", label if drawn else NO_DATA)
    if _narrow():
        fig = _phone_donut(title, drawn, counts, names, zero, centre)
    else:
        fig = _figure(4.8)
        ax = fig.add_subplot()
        _ring(ax, drawn, counts, names)
        if zero:
            fig.supxlabel(zero, fontsize=12.5, color=TEXT_COLOR)
        ax.text(0, 0.07, centre[0], ha="center", va="center", fontsize=22,
                fontweight="bold", color=TEXT_COLOR, in_layout=False)
        ax.text(0, -0.22, centre[1], ha="center", va="center", fontsize=12,
                color=MUTED_COLOR, in_layout=False)
        _suptitle(fig, title)
    png = render_png(fig)

    if alt is None:
        order = [g for g in ("女", "男", "其他") if g in genders]
        parts = [
            f"{GENDER_WORDS[g]}{format_count(counts[g], missing=NO_DATA)}{unit}"
            f"（{format_pct(shares[g], digits, missing=NO_DATA)}）" for g in order
        ]
        head = f"{label}{format_count(total, missing=NO_DATA)}{unit}"
        body = "、".join(parts) if total and not is_missing(total) and total > 0 else NO_DATA
        alt = alt_text("圓餅圖", _subject(title, "圓餅圖"), [f"{head}，{body}"])
    order = [g for g in ("女", "男", "其他") if g in genders]
    data = _data(["性別", _count_header(unit), "比例"],
                 [[GENDER_WORDS[g], format_count(counts[g], missing=NO_DATA),
                   format_pct(shares[g], digits, missing=NO_DATA)] for g in order]
                 + [[TOTAL, format_count(total, missing=NO_DATA), ""]])
    return Chart(png=png, alt=alt, caption=caption, data=data, title=title)


@_themed
def grouped_bars(
    table: pd.DataFrame,
    *,
    title: str,
    value: Literal["count", "share"] = "count",
    horizontal: bool = False,
    unit: str = "人",
    digits: int = 0,
    caption: str | None = None,
    alt: str | None = None,
) -> Chart:
    """Bars per gender side by side for each category, values on the bars.

    >>> t = pd.DataFrame({"男": [7, 246], "女": [45, 965], "其他": [0, 0]},
    ...                  index=["51-60歲", "61-70歲"])
    >>> grouped_bars(t, title="各年齡區間參與人次", unit="人次").alt
    '長條圖：各年齡區間參與人次（單位：人次），51-60歲 男7、女45；61-70歲 男246、女965。'
    """
    if value not in ("count", "share"):
        raise ValueError(f"value must be 'count' or 'share', not {value!r}")
    body = _body(table)
    genders = _shown_genders(body)
    categories = [str(c) for c in body.index]
    values = {g: (_count(body, g) if value == "count" else _share(body, g)) for g in genders}

    def label(v: Any) -> str:
        if value == "count":
            return format_count(v, missing="-")
        return format_pct(v, digits, missing="-")

    n_cat, n_gender = len(categories), max(1, len(genders))
    height = max(3.6, 1.4 + 0.32 * n_cat * n_gender) if horizontal else 4.6
    fig = _figure(height)
    ax = fig.add_subplot()
    positions = np.arange(n_cat, dtype=float)
    width = 0.8 / n_gender
    size = _label_size(n_cat * n_gender) if not horizontal else 11.5
    longest = max((len(label(v)) for g in genders for v in values[g]), default=1)
    # Labels wider than their bar would run into the neighbour's: turn them upright.
    # (plot width ≈ figure width − 1.2 in; a digit is ≈ 0.6 em wide.)
    plot_width = _WIDTH.get() - 1.2
    upright = (not horizontal
               and longest * size * 0.6 / 72 > plot_width / max(1, n_cat) * width * 1.05)
    for i, gender in enumerate(genders):
        offset = (i - (n_gender - 1) / 2) * width
        heights = values[gender].astype(float).fillna(0).to_numpy()
        if horizontal:
            bars = ax.barh(positions + offset, heights, width, color=GENDER_COLORS[gender])
        else:
            bars = ax.bar(positions + offset, heights, width, color=GENDER_COLORS[gender])
        ax.bar_label(bars, labels=[label(v) for v in values[gender]], padding=2,
                     fontsize=size, color=TEXT_COLOR, rotation=90 if upright else 0)
    value_axis = ax.xaxis if horizontal else ax.yaxis
    if value == "share":
        value_axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    if horizontal:
        ax.set_yticks(positions, labels=[_category_label(c) for c in categories])
        ax.invert_yaxis()  # first category on top, as in the table
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        ax.margins(x=0.12)
    else:
        ax.set_xticks(positions, labels=categories)
        ax.margins(y=0.2 if upright else 0.12)
    if value == "share":
        (ax.set_xlim if horizontal else ax.set_ylim)(0, 1.12)
    _legend(ax, genders, f"單位：{unit}" if value == "count" else "")
    _suptitle(fig, title)
    png = render_png(fig)

    if alt is None:
        def alt_value(v: Any) -> str:
            if value == "count":
                return format_count(v, missing=NO_DATA)
            return format_pct(v, digits, missing=NO_DATA)

        parts = [
            f"{cat} " + "、".join(f"{g}{alt_value(values[g].iloc[i])}" for g in genders)
            for i, cat in enumerate(categories)
        ]
        unit_note = f"（單位：{unit}）" if value == "count" else "（性別比例）"
        alt = alt_text("長條圖", _subject(title, "長條圖") + unit_note, parts)
    head = _count_header(unit) if value == "count" else "比例"
    data = _data(["項目", *(f"{GENDER_WORDS[g]}{head}" for g in genders)],
                 [[cat, *(label(values[g].iloc[i]) for g in genders)]
                  for i, cat in enumerate(categories)])
    caption, alt = _noted(caption, alt, _left_out(table, unit))
    return Chart(png=png, alt=alt, caption=caption, data=data, title=title)


def _segment_labels(shares: dict[str, pd.Series], order: Sequence[str], n_bars: int,
                    bar_inches: float, digits: int
                    ) -> tuple[dict[str, list[bool]], list[list[str]]]:
    """Which shares of a 100%-stacked bar are labelled in their segment, and the others
    (「男 0%」) per bar, to be named beside it."""
    inside: dict[str, list[bool]] = {}
    outside: list[list[str]] = [[] for _ in range(n_bars)]
    for gender in order:
        inside[gender] = []
        for i, share in enumerate(shares[gender]):
            if is_missing(share) or pd.isna(share):
                inside[gender].append(False)
                continue
            # A label goes in its segment only if it fits there (a digit ≈ 0.6 em of 12 pt).
            fits = share * bar_inches >= len(format_pct(share, digits)) * 0.6 * 12 / 72 + 0.08
            inside[gender].append(bool(share >= 0.08 and fits))
            if not inside[gender][-1] and (share > 0 or gender != "其他"):
                outside[i].append(f"{gender} {format_pct(share, digits)}")
    return inside, outside


def _category_label(name: str, size: float = 12) -> str:
    """A category name beside the plot, folded to at most 40 % of the figure's width."""
    return _fold(name, 0.4 * _WIDTH.get() * 72 / size)


@_themed
def stacked_100(
    table: pd.DataFrame,
    *,
    title: str,
    rule: float | None = None,
    rule_label: str | None = None,
    unit: str = "人",
    digits: int = 0,
    caption: str | None = None,
    alt: str | None = None,
) -> Chart:
    """100%-stacked horizontal bars per category, women first from the left.

    Women start at 0 so an optional ``rule`` line (e.g. ``1/3``, labelled 「三分之一」)
    reads directly against the female share.

    >>> t = pd.DataFrame({"男": [1, 3], "女": [6, 1], "合計": [7, 4]},
    ...                  index=["整合應用組", "空間資訊組"])
    >>> stacked_100(t, title="各工作小組委員性別比例", rule=1/3).alt
    '百分比堆疊橫條圖：各工作小組委員性別比例，整合應用組（7人）女性86%、男性14%；空間資訊組（4人）女性25%、男性75%。參考線：三分之一。'
    """
    body = _body(table)
    present = _shown_genders(body)
    order = [g for g in ("女", "男", "其他") if g in present]
    categories = [str(c) for c in body.index]
    totals = _total(body)
    shares = {g: _share(body, g).astype(float) for g in order}

    narrow = _narrow()
    bar_inches = _WIDTH.get() - (0.6 if narrow else 3.2)
    inside, outside = _segment_labels(shares, order, len(categories), bar_inches,
                                       digits)
    names = [f"{c} ({format_count(totals.iloc[i], missing='0')}{unit})"
             for i, c in enumerate(categories)]
    for i, notes in enumerate(outside):
        if notes and narrow and not is_missing(totals.iloc[i]) and totals.iloc[i] > 0:
            names[i] += "　" + "、".join(notes)
    # On a phone the category names go above their bars, so the bars get the full width;
    # a name longer than the plot is wide takes more lines, and its bar more room.
    names = [_fold(n, (_WIDTH.get() - 0.8) * 72 / 12) if narrow else _category_label(n)
             for n in names]
    extra = max((n.count("\n") for n in names), default=0) * 0.45
    step = 1.45 + extra if narrow else 1.0
    fig = _figure(max(2.6, 1.5 + 0.55 * step * len(categories)))
    ax = fig.add_subplot()
    ypos = np.arange(len(categories)) * step
    left = np.zeros(len(categories))
    for gender in order:
        widths = shares[gender].fillna(0).to_numpy()
        ax.barh(ypos, widths, 0.62, left=left, color=GENDER_COLORS[gender],
                edgecolor="white", linewidth=1)
        for i, share in enumerate(shares[gender]):
            if inside[gender][i]:
                # The box in the segment's colour hides the rule line behind the label.
                ax.text(left[i] + share / 2, ypos[i], format_pct(share, digits), ha="center",
                        va="center", fontsize=12, color=text_color_on(GENDER_COLORS[gender]),
                        bbox={"facecolor": GENDER_COLORS[gender], "edgecolor": "none",
                              "pad": 1.5}, zorder=3, in_layout=False)
        left += widths
    for i, notes in enumerate(outside):
        if is_missing(totals.iloc[i]) or not totals.iloc[i] > 0:
            ax.text(0.01, ypos[i], NO_DATA, va="center", fontsize=12, color=MUTED_COLOR)
        elif notes and not narrow:
            ax.text(1.015, ypos[i], "、".join(notes), va="center", fontsize=11.5,
                    color=TEXT_COLOR, clip_on=False)
    if narrow:
        ax.set_yticks(ypos, labels=[""] * len(ypos))
        for y, name in zip(ypos, names, strict=True):
            # White behind the name so the rule line does not strike through it.
            ax.text(0, y - 0.36, name, ha="left", va="bottom", fontsize=12, color=TEXT_COLOR,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, zorder=3)
        if len(ypos):  # top to bottom, with room above the first bar for its name
            ax.set_ylim(ypos[-1] + 0.5, ypos[0] - 1.0 - extra)
    else:
        ax.set_yticks(ypos, labels=names)
    if not narrow:
        ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.tick_params(axis="y", length=0)
    rule_key = None
    if rule is not None:
        rule = float(rule)  # stats.parse_threshold gives a Fraction
        label = rule_label or threshold_words(rule)
        # Under the in-bar labels (text zorder 3) so a label on the line stays readable.
        ax.axvline(rule, color="#222222", linestyle="--", linewidth=1.3, zorder=2.5)
        if narrow:  # above the plot it would run into the legend: name it in the legend
            rule_key = Line2D([], [], color="#222222", linestyle="--", linewidth=1.3,
                              label=label)
        else:
            ax.text(rule, 1.0, label,
                    transform=blended_transform_factory(ax.transData, ax.transAxes),
                    ha="center", va="bottom", fontsize=11.5, color=TEXT_COLOR)
    _legend(ax, order, extra=[rule_key] if rule_key else [])
    _suptitle(fig, title)
    png = render_png(fig)

    if alt is None:
        parts = []
        for i, cat in enumerate(categories):
            head = f"{cat}（{format_count(totals.iloc[i], missing=NO_DATA)}{unit}）"
            if is_missing(totals.iloc[i]) or not totals.iloc[i] > 0:
                parts.append(f"{cat} {NO_DATA}")
                continue
            parts.append(head + "、".join(
                f"{GENDER_WORDS[g]}{format_pct(shares[g].iloc[i], digits, missing=NO_DATA)}"
                for g in order))
        note = f"參考線：{rule_label or threshold_words(rule)}。" if rule is not None else ""
        alt = alt_text("百分比堆疊橫條圖", _subject(title, "橫條圖"), parts, note)
    data = _data(["項目", f"合計{_count_header(unit)}", *(f"{GENDER_WORDS[g]}比例" for g in order)],
                 [[cat, format_count(totals.iloc[i], missing=NO_DATA),
                   *(format_pct(shares[g].iloc[i], digits, missing=NO_DATA) for g in order)]
                  for i, cat in enumerate(categories)])
    caption, alt = _noted(caption, alt, _left_out(table, unit))
    return Chart(png=png, alt=alt, caption=caption, data=data, title=title)


@_themed
def pyramid(
    table: pd.DataFrame,
    *,
    title: str,
    unit: str = "人",
    caption: str | None = None,
    alt: str | None = None,
) -> Chart:
    """Population-pyramid bars: categories (age bands) up the y axis, men left, women right.

    The first row is drawn at the bottom, so list age bands youngest first.

    >>> t = pd.DataFrame({"男": [7, 246], "女": [45, 965]}, index=["51-60歲", "61-70歲"])
    >>> pyramid(t, title="各年齡區間參與人次", unit="人次").alt
    '金字塔圖：各年齡區間參與人次（單位：人次），51-60歲 男7、女45；61-70歲 男246、女965。'
    """
    body = _body(table)
    categories = [str(c) for c in body.index]
    men = _count(body, "男").astype(float)
    women = _count(body, "女").astype(float)
    other = _count(body, "其他").fillna(0)

    fig = _figure(max(3.2, 1.6 + 0.55 * len(categories)))
    ax = fig.add_subplot()
    ypos = np.arange(len(categories))
    bars_m = ax.barh(ypos, -men.fillna(0).to_numpy(), 0.7, color=GENDER_COLORS["男"])
    bars_f = ax.barh(ypos, women.fillna(0).to_numpy(), 0.7, color=GENDER_COLORS["女"])
    ax.bar_label(bars_m, labels=[format_count(v) for v in men], padding=3, fontsize=11.5,
                 color=TEXT_COLOR)
    ax.bar_label(bars_f, labels=[format_count(v) for v in women], padding=3, fontsize=11.5,
                 color=TEXT_COLOR)
    largest = float(np.nanmax([men.max(), women.max(), 1]))
    ax.set_xlim(-largest * 1.22, largest * 1.22)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{abs(v):,.0f}"))
    ax.axvline(0, color="#444444", linewidth=1)
    ax.set_yticks(ypos, labels=[_category_label(c) for c in categories])
    ax.tick_params(axis="y", length=0)
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.set_xlabel(unit)
    # Side headers instead of a legend; 14pt bold is WCAG "large text", so the gender
    # colours themselves (3.9:1 and 5.2:1 on white) are readable as text here.
    for x, gender in ((0.25, "男"), (0.75, "女")):
        ax.text(x, 1.02, GENDER_WORDS[gender], transform=ax.transAxes, ha="center", va="bottom",
                fontsize=14, fontweight="bold", color=GENDER_COLORS[gender])
    other_total = int(other.sum())
    if other_total > 0:
        # Under the axis label, with room kept for it by the layout.
        fig.supxlabel(f"另有其他性別 {format_count(other_total)}{unit}未列於圖中", fontsize=11,
                      color=MUTED_COLOR)
    _suptitle(fig, title)
    png = render_png(fig)

    if alt is None:
        parts = [f"{cat} 男{format_count(men.iloc[i], missing=NO_DATA)}"
                 f"、女{format_count(women.iloc[i], missing=NO_DATA)}"
                 + (f"、其他{format_count(other.iloc[i], missing=NO_DATA)}"
                    if other_total > 0 else "")
                 for i, cat in enumerate(categories)]
        alt = alt_text("金字塔圖", _subject(title, "金字塔圖") + f"（單位：{unit}）", parts)
    shown = ["男", "女", *(["其他"] if other_total > 0 else [])]
    series = {"男": men, "女": women, "其他": other}
    data = _data(["項目", *(f"{GENDER_WORDS[g]}{_count_header(unit)}" for g in shown)],
                 [[cat, *(format_count(series[g].iloc[i], missing=NO_DATA) for g in shown)]
                  for i, cat in enumerate(categories)])
    caption, alt = _noted(caption, alt, _left_out(table, unit))
    return Chart(png=png, alt=alt, caption=caption, data=data, title=title)


@_themed
def trend(
    trend_table: pd.DataFrame,
    *,
    title: str,
    rule: float | None = None,
    rule_label: str | None = None,
    show_counts: bool = False,
    genders: Sequence[str] = ("女", "男"),
    unit: str = "人",
    digits: int = 2,
    caption: str | None = None,
    alt: str | None = None,
) -> Chart:
    """Gender shares across ROC years as lines; a year without data is a gap marked 「無資料」.

    Years are drawn as given (equally spaced), so a missing year must be a NaN row, as
    ``genderstats.stats.trend`` produces; a year left out of the index is simply not shown.

    >>> t = pd.DataFrame({"男": [9, None, 6], "女": [31, None, 14], "合計": [40, None, 20]},
    ...                  index=pd.Index([108, 109, 110], name="year"))
    >>> trend(t, title="女性參與比例", genders=["女"]).alt
    '折線圖：女性參與比例，女性比例 108年77.50%、109年無資料、110年70.00%。'
    """
    data = masked(trend_table)
    if TOTAL in data.index:
        data = data.drop(index=TOTAL)
    years = [int(y) if isinstance(y, int | np.integer) else y for y in data.index]
    shown = [g for g in genders if f"{g}%" in data.columns or g in data.columns]
    shares = {g: _share(data, g).astype(float) for g in shown}
    totals = _total(data).astype(float)
    missing = [
        (is_missing(totals.iloc[i]) or not totals.iloc[i] > 0)
        and all(pd.isna(shares[g].iloc[i]) for g in shown)
        for i in range(len(years))
    ]

    x = np.arange(len(years))
    if show_counts:
        fig = _figure(6.4)
        ax, ax_counts = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.5])
    else:
        fig = _figure(4.6)
        ax, ax_counts = fig.add_subplot(), None

    for gender in shown:
        # Women's line on top: it is the series the reports discuss.
        ax.plot(x, shares[gender].to_numpy(), marker="o", markersize=7,
                linewidth=2.6 if gender == "女" else 2, color=GENDER_COLORS[gender], label=gender,
                zorder=3 if gender == "女" else 2)
    # Label each point on the side away from the other lines so labels never overlap; where
    # points (nearly) coincide, the label names its gender since the markers cover each other.
    for i in range(len(years)):
        points = sorted(((shares[g].iloc[i], g) for g in shown if not pd.isna(shares[g].iloc[i])),
                        reverse=True)
        for rank, (value, gender) in enumerate(points):
            above = rank == 0
            close = any(abs(value - other) < 0.06 for other, g in points if g != gender)
            text = format_pct(value, digits)
            text = f"{gender} {text}" if close else text
            ax.annotate(text, (x[i], value), xytext=(0, 9 if above else -9),
                        textcoords="offset points", ha="center", va="bottom" if above else "top",
                        fontsize=11 if len(years) <= 8 else 9.5, color=TEXT_COLOR)
    ax.set_ylim(-0.04, 1.1)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(-0.5, len(years) - 0.5)
    if rule is not None:
        rule = float(rule)  # stats.parse_threshold gives a Fraction
        label = rule_label or threshold_words(rule)
        ax.axhline(rule, color="#222222", linestyle="--", linewidth=1.3, zorder=1)
        ax.text(1.005, rule, label, transform=blended_transform_factory(ax.transAxes, ax.transData),
                ha="left", va="center", fontsize=11.5, color=TEXT_COLOR)
    names = [str(y) if str(y).endswith("年") else f"{y}年" for y in years]
    tick_labels = [
        f"{name}\n{NO_DATA}" if gap else name
        for name, gap in zip(names, missing, strict=True)
    ]
    bottom = ax_counts if ax_counts is not None else ax
    bottom.set_xticks(x, labels=tick_labels)
    if ax_counts is not None:
        ax.tick_params(axis="x", labelbottom=False)
        heights = totals.fillna(0).to_numpy()
        bars = ax_counts.bar(x, heights, 0.55, color=NEUTRAL_BAR)
        ax_counts.bar_label(bars, labels=[format_count(v, missing="") for v in totals], padding=2,
                            fontsize=11, color=TEXT_COLOR)
        ax_counts.set_title(f"合計（單位：{unit}）", loc="left", fontsize=11.5,
                            fontweight="normal", color=MUTED_COLOR)
        ax_counts.margins(y=0.25)
        ax_counts.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax_counts.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    _legend(ax, shown)
    _suptitle(fig, title)
    png = render_png(fig)

    if alt is None:
        def series(values: pd.Series, fmt: Callable[[Any], str]) -> str:
            return "、".join(
                f"{name}{NO_DATA if gap else fmt(v)}"
                for name, v, gap in zip(names, values, missing, strict=True)
            )

        parts = [f"{GENDER_WORDS[g]}比例 {series(shares[g], lambda v: format_pct(v, digits))}"
                 for g in shown]
        if show_counts:
            parts.append(f"合計（{unit}） {series(totals, format_count)}")
        note = f"參考線：{rule_label or threshold_words(rule)}。" if rule is not None else ""
        alt = alt_text("折線圖", _subject(title, "折線圖"), parts, note)
    columns = ["年度", *(f"{GENDER_WORDS[g]}比例" for g in shown)]
    if show_counts:
        columns.append(f"合計{_count_header(unit)}")
    rows = []
    for i, name in enumerate(names):
        cells = [NO_DATA if missing[i] else format_pct(shares[g].iloc[i], digits)
                 for g in shown]
        if show_counts:
            cells.append(NO_DATA if missing[i] else format_count(totals.iloc[i]))
        rows.append([name, *cells])
    return Chart(png=png, alt=alt, caption=caption, data=_data(columns, rows), title=title)
