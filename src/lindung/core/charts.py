"""Server-rendered SVG charts (matplotlib): the same SVG in pages and in PDFs, no JavaScript.

Amounts arrive as integer rupiah and are scaled to millions only for drawing.
"""

from __future__ import annotations

import io
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import wraps

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

PALETTE = ["#0b6e4f", "#f5a623", "#0b57a4", "#b42318", "#6f42c1", "#4f5861", "#2a9d8f"]
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: selectable, searchable, small
        "svg.hashsalt": "lindung",  # deterministic ids
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#e3e8e6",
        "axes.axisbelow": True,
    }
)


CACHE_SIZE = 256
_memo: OrderedDict[str, str] = OrderedDict()
_memo_lock = threading.Lock()


def cached(draw):
    """Memoise a chart on its inputs (an LRU of :data:`CACHE_SIZE` SVGs per process): the same
    figures give the same SVG text, and matplotlib needs ~70 ms a chart, so a dashboard opened
    again is not redrawn. The key is the JSON of every argument, so any changed figure redraws."""

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


def _grouped(n: int) -> str:
    return f"{n:,.0f}".replace(",", ".")


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _millions(values: Sequence[int]) -> list[float]:
    return [v / 1_000_000 for v in values]  # drawing only; never money arithmetic


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
    fig, ax = plt.subplots(figsize=(width, height))
    n = len(series) or 1
    positions = list(range(len(categories)))
    bottom = [0.0] * len(categories)
    for i, (label, values) in enumerate(series.items()):
        data = _millions(values) if money else [float(v) for v in values]
        if stacked:
            offs, size = positions, 0.7
        else:
            size = 0.8 / n
            offs = [p - 0.4 + size * (i + 0.5) for p in positions]
        color = PALETTE[i % len(PALETTE)]
        if horizontal:
            ax.barh(
                offs, data, height=size, left=bottom if stacked else None, label=label, color=color
            )
        else:
            ax.bar(
                offs, data, width=size, bottom=bottom if stacked else None, label=label, color=color
            )
        if stacked:
            bottom = [b + d for b, d in zip(bottom, data, strict=True)]
    fmt = FuncFormatter(lambda v, _: _grouped(v))
    if horizontal:
        ax.set_yticks(positions, categories)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(fmt)
        ax.set_xlabel(("juta Rp" if money else unit) or "")
    else:
        ax.set_xticks(positions, categories, rotation=0 if len(categories) <= 12 else 60)
        ax.yaxis.set_major_formatter(fmt)
        ax.set_ylabel(("juta Rp" if money else unit) or "")
    if line is not None:
        label, values = line
        ax2 = ax.twinx()
        xs = [p for p, v in zip(positions, values, strict=True) if v is not None]
        ys = [v for v in values if v is not None]
        ax2.plot(xs, ys, color=PALETTE[3], marker="o", label=label)
        ax2.set_ylabel(line_unit)
        ax2.grid(False)
        ax2.spines["right"].set_visible(True)
        ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
        handles, labels = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(handles + h2, labels + l2, loc="upper left", frameon=False, fontsize=8)
    elif len(series) > 1:
        ax.legend(frameon=False, fontsize=8)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    return _svg(fig)


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
    fig, ax = plt.subplots(figsize=(width, height))
    for i, (label, values) in enumerate(series.items()):
        ax.plot(
            range(len(categories)), values, marker="o", label=label, color=PALETTE[i % len(PALETTE)]
        )
    ax.set_xticks(range(len(categories)), categories)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _grouped(v)))
    ax.set_ylabel(unit)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    return _svg(fig)
