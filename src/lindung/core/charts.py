"""Server-rendered SVG charts: the same SVG in pages and in PDFs, no JavaScript.

The SVG is written by hand: bars (grouped or stacked, vertical or horizontal, optionally with a
line on a second axis) and lines are a few rectangles, polylines and texts, so a chart costs a
fraction of a millisecond instead of the ~80 ms matplotlib needed — the dashboard draws five.
Amounts arrive as integer rupiah and are scaled to millions only for drawing (never money
arithmetic). Text stays text (selectable, searchable); every bar and point carries a tooltip
(``<title>``) with its exact figure; labels come from user data and are escaped.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import wraps
from html import escape

PALETTE = ["#0b6e4f", "#f5a623", "#0b57a4", "#b42318", "#6f42c1", "#4f5861", "#2a9d8f"]
PX_PER_INCH = 96
FONT = 12
SMALL = 12  # no chart text below 12 px (the dashboard shows charts at their natural size)
TITLE = 14
CHAR = 0.6  # average glyph width of DejaVu Sans, in ems: for laying labels out
INK, GRID, AXIS = "#1d2939", "#e3e8e6", "#98a2b3"

CACHE_SIZE = 256
_memo: OrderedDict[str, str] = OrderedDict()
_memo_lock = threading.Lock()


def cached(draw):
    """Memoise a chart on its inputs (an LRU of :data:`CACHE_SIZE` SVGs per process): the same
    figures give the same SVG text, so a dashboard opened again is not redrawn. The key is the
    JSON of every argument, so any changed figure redraws."""

    @wraps(draw)
    def wrapper(*args, **kwargs):
        key = draw.__name__ + json.dumps([args, kwargs], sort_keys=True, default=str)
        with _memo_lock:
            if key in _memo:
                _memo.move_to_end(key)
                return _memo[key]
        svg = draw(*args, **kwargs)
        with _memo_lock:
            _memo[key] = svg
            while len(_memo) > CACHE_SIZE:
                _memo.popitem(last=False)
        return svg

    return wrapper


# --- numbers ---------------------------------------------------------------------------------


def _number(value: float, decimals: int = 0) -> str:
    """Indonesian grouping: ``1.234.567`` and ``2,5``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _ticks(low: float, high: float, count: int = 5) -> tuple[list[float], int]:
    """Round ticks (1, 2, 2.5 or 5 × 10^k apart) covering ``low``…``high`` and always 0; and the
    decimals their labels need."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = 1.0
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    decimals = next(d for d in range(6) if abs(step * 10**d - round(step * 10**d)) < 1e-6)
    return [round(i * step, 10) for i in range(first, last + 1)], decimals


def _fmt(value: float, money: bool, unit: str = "") -> str:
    if money:
        return f"{_number(value / 1_000_000, 1)} juta Rp"
    text = _number(value, 0 if float(value).is_integer() else 1)
    return f"{text} {unit}".strip()


# --- SVG pieces ------------------------------------------------------------------------------


def _f(x: float) -> str:
    """A coordinate: one decimal, no trailing zero (deterministic, compact)."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x, y, body, *, anchor="start", size=FONT, weight="", fill=INK, rotate=None) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    if rotate is not None:
        extra += f' transform="rotate({rotate} {_f(x)} {_f(y)})"'
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{extra}>{body}</text>'
    )


def _label(text: str, max_chars: int) -> str:
    """An escaped label, cut with an ellipsis to ``max_chars``; the full text as a tooltip."""
    text = str(text)
    if len(text) <= max_chars:
        return escape(text)
    return f"<title>{escape(text)}</title>{escape(text[: max(1, max_chars - 1)])}…"


def _width(text: str, size: int = FONT) -> float:
    return len(str(text)) * size * CHAR


def _legend(
    items: list[tuple[str, str, str]], x0: float, y: float, right: float
) -> tuple[list[str], float]:
    """Legend entries (label, colour, "bar" or "line") in rows from ``x0``; returns the SVG and
    the y below the last row."""
    out, x = [], x0
    for label, color, kind in items:
        w = 18 + _width(label, SMALL) + 14
        if x > x0 and x + w > right:
            x, y = x0, y + 16
        if kind == "line":
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(y - 4)}" x2="{_f(x + 12)}" y2="{_f(y - 4)}" '
                f'stroke="{color}" stroke-width="2"/>'
                f'<circle cx="{_f(x + 6)}" cy="{_f(y - 4)}" r="2.5" fill="{color}"/>'
            )
        else:
            out.append(f'<rect x="{_f(x)}" y="{_f(y - 9)}" width="10" height="10" fill="{color}"/>')
        out.append(_text(x + 16, y, escape(label), size=SMALL))
        x += w
    return out, y + 8


def _in_slot(values: list[float], slot_start: float, slot: float, stacked: bool):
    """The bars of one category: ``(series index, value from, value to, position across the
    value axis, thickness)`` — side by side in 80 % of the slot, or stacked in 70 % of it."""
    size = slot * (0.7 if stacked else 0.8 / max(len(values), 1))
    base = 0.0
    for k, v in enumerate(values):
        if stacked:
            yield k, base, base + v, slot_start + slot * 0.15, size
            base += v
        else:
            yield k, 0.0, v, slot_start + slot * 0.1 + size * k, size


def _rect(x: float, y: float, width: float, height: float, series: int, tip: str) -> str:
    color = PALETTE[series % len(PALETTE)]
    return (
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(width)}" height="{_f(height)}" '
        f'fill="{color}"><title>{tip}</title></rect>'
    )


def _value_axis(ticks, labels, y_of, left: float, right: float, middle: float, unit: str) -> list:
    """The left value axis of a vertical chart: a grid line and a number per tick (the zero line
    darker), and the unit written upwards."""
    out = []
    for t, text in zip(ticks, labels, strict=True):
        y = y_of(t)
        out.append(
            f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(right)}" y2="{_f(y)}" '
            f'stroke="{GRID if t else AXIS}"/>'
        )
        out.append(_text(left - 6, y + 4, text, anchor="end", size=SMALL))
    if unit:
        out.append(_text(14, middle, escape(unit), anchor="middle", size=SMALL, rotate=-90))
    return out


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    w, h = width * PX_PER_INCH, height * PX_PER_INCH
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(w)}" height="{_f(h)}" '
        f'viewBox="0 0 {_f(w)} {_f(h)}" role="img" aria-label="{label}" '
        f'font-family="DejaVu Sans, Verdana, sans-serif">'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def _values(values: Sequence, money: bool) -> list[float]:
    scale = 1_000_000 if money else 1
    return [float(v or 0) / scale for v in values]  # drawing only; never money arithmetic


# --- charts ----------------------------------------------------------------------------------


@dataclass
class _Bars:
    """What both orientations of a bar chart share: the figures, their scale, the title and
    legend already drawn (``body``) and where the plot may start (``top``)."""

    categories: list[str]
    names: list[str]
    data: dict[str, list[float]]
    raw: dict[str, list]
    money: bool
    unit: str
    stacked: bool
    axis_label: str
    W: float
    H: float
    body: list[str]
    top: float
    ticks: list[float]
    tick_labels: list[str]

    @property
    def lo(self) -> float:
        return self.ticks[0]

    @property
    def hi(self) -> float:
        return self.ticks[-1]

    def bar_title(self, name: str, i: int) -> str:
        value = _fmt(self.raw[name][i] or 0, self.money, self.unit)
        return escape(f"{name}, {self.categories[i]}: {value}")

    def slot_values(self, i: int) -> list[float]:
        return [self.data[m][i] for m in self.names]


def _prepare_bars(categories, series, *, title, unit, money, stacked, line, W, H) -> _Bars:
    categories = [str(c) for c in categories]
    names = list(series)
    data = {name: _values(series[name], money) for name in names}
    body = [_text(8, 18, escape(title), size=TITLE, weight="bold")]
    legend_items = [(n, PALETTE[i % len(PALETTE)], "bar") for i, n in enumerate(names)]
    if line is not None:
        legend_items.append((line[0], PALETTE[3], "line"))
    top = 28
    if len(legend_items) > 1 or line is not None:
        pieces, top = _legend(legend_items, 8, 40, W - 8)
        body += pieces
    if stacked:
        values = [sum(data[s][i] for s in names) for i in range(len(categories))]
    else:
        values = [v for s in names for v in data[s]]
    ticks, decimals = _ticks(min([0.0, *values]), max([0.0, *values]))
    return _Bars(
        categories=categories,
        names=names,
        data=data,
        raw={name: list(series[name]) for name in names},
        money=money,
        unit=unit,
        stacked=stacked,
        axis_label=("juta Rp" if money else unit) or "",
        W=W,
        H=H,
        body=body,
        top=top,
        ticks=ticks,
        tick_labels=[_number(t, decimals) for t in ticks],
    )


@cached
def bars(
    categories: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    title: str,
    unit: str = "",
    money: bool = False,
    horizontal: bool = False,
    stacked: bool = False,
    line: tuple[str, Sequence[float | None]] | None = None,
    line_unit: str = "",
    width: float = 7.5,
    height: float = 3.2,
) -> str:
    """A bar chart (grouped or stacked, vertical or horizontal), optionally with a line on a
    second axis (e.g. the claim ratio)."""
    p = _prepare_bars(
        categories,
        series,
        title=title,
        unit=unit,
        money=money,
        stacked=stacked,
        line=line,
        W=width * PX_PER_INCH,
        H=height * PX_PER_INCH,
    )
    if horizontal:
        _horizontal_bars(p)
    else:
        _vertical_bars(p, line, line_unit)
    return _svg(width, height, title, p.body)


def _horizontal_bars(p: _Bars) -> None:
    n = len(p.categories)
    label_chars = max(4, min(32, max((len(c) for c in p.categories), default=4)))
    left = 8 + _width("x" * label_chars) + 8
    right = p.W - 8 - _width(p.tick_labels[-1], SMALL) / 2
    bottom = p.H - (34 if p.axis_label else 22)
    plot_top = p.top + 4
    slot = (bottom - plot_top) / max(n, 1)

    def x_of(v: float) -> float:
        return left + (v - p.lo) / (p.hi - p.lo) * (right - left)

    for t, text in zip(p.ticks, p.tick_labels, strict=True):
        x = x_of(t)
        p.body.append(
            f'<line x1="{_f(x)}" y1="{_f(plot_top)}" x2="{_f(x)}" y2="{_f(bottom)}" '
            f'stroke="{GRID if t else AXIS}"/>'
        )
        p.body.append(_text(x, bottom + 14, text, anchor="middle", size=SMALL))
    if p.axis_label:
        p.body.append(
            _text((left + right) / 2, p.H - 6, escape(p.axis_label), anchor="middle", size=SMALL)
        )
    for i, category in enumerate(p.categories):
        y0 = plot_top + slot * i
        p.body.append(
            _text(left - 8, y0 + slot / 2 + 4, _label(category, label_chars), anchor="end")
        )
        for k, start, end, across, size in _in_slot(p.slot_values(i), y0, slot, p.stacked):
            a, b = sorted((x_of(start), x_of(end)))
            p.body.append(_rect(a, across, b - a, size, k, p.bar_title(p.names[k], i)))


def _vertical_bars(p: _Bars, line, line_unit: str) -> None:
    n = len(p.categories)
    line_values = list(line[1]) if line is not None else []
    shown = [float(v) for v in line_values if v is not None]
    right_ticks, right_decimals = _ticks(min([0.0, *shown]), max([0.0, *shown]))
    right_labels = [_number(t, right_decimals) for t in right_ticks]
    tick_width = max(_width(t, SMALL) for t in p.tick_labels)
    left = 8 + (16 if p.axis_label else 0) + tick_width + 6
    right = p.W - (
        8 + max(_width(t, SMALL) for t in right_labels) + 6 + (16 if line_unit else 0)
        if line is not None
        else 12
    )
    rotate = n > 12
    longest = max((len(c) for c in p.categories), default=1)
    if rotate:
        # Labels at 45° hang down to the left of their bar: room for the first one.
        label_chars = min(14, longest)
        reach = _width("x" * label_chars) * 0.71
        left = max(left, reach - (right - left) / max(n, 1) / 2 + 8)
    slot = (right - left) / max(n, 1)
    if not rotate:
        label_chars = max(3, int(slot / (FONT * CHAR)) - 1)
    below = 18 + _width("x" * label_chars) * 0.71 if rotate else 20
    bottom = p.H - below
    plot_top = p.top + 6

    def y_of(v: float, scale=(p.lo, p.hi)) -> float:
        a, b = scale
        return bottom - (v - a) / (b - a) * (bottom - plot_top)

    p.body += _value_axis(
        p.ticks, p.tick_labels, y_of, left, right, (plot_top + bottom) / 2, p.axis_label
    )
    for i, category in enumerate(p.categories):
        x0 = left + slot * i
        cx = x0 + slot / 2
        if rotate:
            p.body.append(
                _text(cx, bottom + 12, _label(category, label_chars), anchor="end", rotate=-45)
            )
        else:
            p.body.append(_text(cx, bottom + 15, _label(category, label_chars), anchor="middle"))
        for k, start, end, across, size in _in_slot(p.slot_values(i), x0, slot, p.stacked):
            a, b = sorted((y_of(start), y_of(end)))
            p.body.append(_rect(across, a, size, b - a, k, p.bar_title(p.names[k], i)))
    if line is None:
        return
    scale = (right_ticks[0], right_ticks[-1])
    p.body.append(
        f'<line x1="{_f(right)}" y1="{_f(plot_top)}" x2="{_f(right)}" y2="{_f(bottom)}" '
        f'stroke="{AXIS}"/>'
    )
    for t, text in zip(right_ticks, right_labels, strict=True):
        p.body.append(_text(right + 6, y_of(t, scale) + 4, text, size=SMALL))
    if line_unit:
        mid = (plot_top + bottom) / 2
        p.body.append(
            _text(p.W - 8, mid, escape(line_unit), anchor="middle", size=SMALL, rotate=-90)
        )
    points = [
        (left + slot * (i + 0.5), y_of(float(v), scale), v)
        for i, v in enumerate(line_values)
        if v is not None
    ]
    p.body += _polyline(points, PALETTE[3], line[0], p.categories, line_values, line_unit)


def _polyline(points, color, name, categories, values, unit) -> list[str]:
    """A line through ``points`` (x, y, value) broken where a value is missing, with a marker
    and a tooltip per point."""
    out, run = [], []
    present = [i for i, v in enumerate(values) if v is not None]
    for (x, y, _), i, j in zip(points, present, [None, *present], strict=False):
        if j is not None and i != j + 1 and len(run) > 1:
            out.append(_path(run, color))
        if j is not None and i != j + 1:
            run = []
        run.append((x, y))
    if len(run) > 1:
        out.append(_path(run, color))
    for (x, y, v), i in zip(points, present, strict=True):
        tip = escape(f"{name}, {categories[i]}: {_fmt(float(v), False, unit)}")
        out.append(
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3" fill="{color}"><title>{tip}</title></circle>'
        )
    return out


def _path(run: list[tuple[float, float]], color: str) -> str:
    coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in run)
    return f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>'


@cached
def lines(
    categories: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    title: str,
    unit: str = "",
    width: float = 7.5,
    height: float = 3.0,
) -> str:
    """One line per series over the categories (e.g. participants per segment per month)."""
    categories = [str(c) for c in categories]
    names = list(series)
    W, H = width * PX_PER_INCH, height * PX_PER_INCH
    body = [_text(8, 18, escape(title), size=TITLE, weight="bold")]
    top = 28
    if names:
        pieces, top = _legend(
            [(n, PALETTE[i % len(PALETTE)], "line") for i, n in enumerate(names)], 8, 40, W - 8
        )
        body += pieces
    flat = [float(v) for s in names for v in series[s] if v is not None]
    ticks, decimals = _ticks(min([0.0, *flat]), max([0.0, *flat]))
    labels = [_number(t, decimals) for t in ticks]
    left = 8 + (16 if unit else 0) + max(_width(t, SMALL) for t in labels) + 6
    right, bottom, plot_top = W - 12, H - 20, top + 6
    n = len(categories)
    slot = (right - left) / max(n, 1)
    lo, hi = ticks[0], ticks[-1]

    def y_of(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - plot_top)

    body += _value_axis(ticks, labels, y_of, left, right, (plot_top + bottom) / 2, unit)
    label_chars = max(3, int(slot / (FONT * CHAR)) - 1)
    for i, category in enumerate(categories):
        body.append(
            _text(
                left + slot * (i + 0.5), bottom + 15, _label(category, label_chars), anchor="middle"
            )
        )
    for k, name in enumerate(names):
        values = list(series[name])
        points = [
            (left + slot * (i + 0.5), y_of(float(v)), v)
            for i, v in enumerate(values)
            if v is not None
        ]
        body += _polyline(points, PALETTE[k % len(PALETTE)], name, categories, values, unit)
    return _svg(width, height, title, body)
