"""The hand-written SVG charts: well-formed, proportional, escaped, deterministic."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from lindung.core import charts

NS = {"s": "http://www.w3.org/2000/svg"}
MONTHS = ["Jan 25", "Feb 25", "Mar 25", "Apr 25"]


@pytest.fixture(autouse=True)
def _fresh_memo():
    charts._memo.clear()


def parse(svg: str) -> ET.Element:
    assert svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label")
    return root


def bars_of(root: ET.Element, series: str) -> list[dict]:
    """The rectangles whose tooltip names the series, with their geometry and tooltip."""
    out = []
    for rect in root.iter("{http://www.w3.org/2000/svg}rect"):
        tip = rect.find("s:title", NS)
        if tip is not None and tip.text.startswith(f"{series}, "):
            out.append({k: float(rect.get(k)) for k in ("x", "y", "width", "height")})
            out[-1]["tip"] = tip.text
    return out


def tick_values(root: ET.Element) -> list[float]:
    """The numbers of the left axis (texts anchored at their end, left of the plot)."""
    values = []
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        if text.get("text-anchor") == "end" and re.fullmatch(r"[\d.]+(,\d+)?", text.text or ""):
            values.append(float(text.text.replace(".", "").replace(",", ".")))
    return values


def test_vertical_bars_are_proportional_and_say_their_figure():
    svg = charts.bars(
        MONTHS,
        {"Iuran dibayar": [100_000_000, 250_300_000, 50_000_000, 0]},
        title="Iuran",
        money=True,
    )
    root = parse(svg)
    rects = bars_of(root, "Iuran dibayar")
    assert [r["height"] / rects[0]["height"] for r in rects] == pytest.approx(
        [1, 2.503, 0.5, 0], abs=0.01
    )
    assert rects[1]["tip"] == "Iuran dibayar, Feb 25: 250,3 juta Rp"
    # Bars stand on the same baseline.
    assert len({round(r["y"] + r["height"], 1) for r in rects}) == 1
    ticks = tick_values(root)
    assert ticks[0] == 0 and max(ticks) >= 250.3
    step = ticks[1] - ticks[0]
    assert step in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500)
    assert "juta Rp" in svg


def test_stacked_bars_stack():
    root = parse(
        charts.bars(
            ["Jan", "Feb"],
            {"APBD": [160_000_000, 160_000_000], "CSR": [40_000_000, 60_000_000]},
            title="Iuran per penyandang dana",
            money=True,
            stacked=True,
        )
    )
    apbd, csr = bars_of(root, "APBD"), bars_of(root, "CSR")
    for a, c in zip(apbd, csr, strict=True):
        assert c["y"] + c["height"] == pytest.approx(a["y"], abs=0.15)  # CSR sits on the APBD
        assert c["x"] == a["x"]
    assert csr[1]["height"] / csr[0]["height"] == pytest.approx(1.5, abs=0.01)


def test_grouped_bars_with_a_ratio_line_on_a_second_axis_skip_missing_points():
    svg = charts.bars(
        MONTHS,
        {"Iuran": [100, 200, 300, 0], "Klaim": [200, 100, 600, 50]},
        title="Iuran vs klaim",
        line=("Rasio klaim (%)", [200.0, 50.0, None, None]),
        line_unit="%",
    )
    root = parse(svg)
    iuran, klaim = bars_of(root, "Iuran"), bars_of(root, "Klaim")
    assert all(k["x"] > i["x"] for i, k in zip(iuran, klaim, strict=True))  # side by side
    points = [
        c
        for c in root.iter("{http://www.w3.org/2000/svg}circle")
        if c.find("s:title", NS) is not None
    ]
    assert [p.find("s:title", NS).text for p in points] == [
        "Rasio klaim (%), Jan 25: 200 %",
        "Rasio klaim (%), Feb 25: 50 %",
    ]
    assert len(list(root.iter("{http://www.w3.org/2000/svg}polyline"))) == 1
    assert float(points[0].get("cy")) < float(points[1].get("cy"))  # 200 % drawn higher
    assert "Rasio klaim (%)" in svg  # legend


def test_a_line_broken_by_a_gap_is_drawn_in_pieces():
    root = parse(charts.lines(["a", "b", "c", "d", "e"], {"x": [1, 2, None, 4, 5]}, title="t"))
    assert len(list(root.iter("{http://www.w3.org/2000/svg}polyline"))) == 2


def test_horizontal_bars_cut_long_labels_and_keep_them_as_tooltips():
    long = "JKK — kematian akibat kecelakaan kerja di perjalanan dinas"
    svg = charts.bars(
        [long, "JKM"],
        {"Jumlah": [180_000_000, 42_000_000]},
        title="Klaim per jenis",
        money=True,
        horizontal=True,
    )
    root = parse(svg)
    rects = bars_of(root, "Jumlah")
    assert rects[0]["width"] / rects[1]["width"] == pytest.approx(180 / 42, abs=0.02)
    assert rects[0]["y"] < rects[1]["y"]  # first category on top
    assert "…" in svg and f"<title>{long}</title>" in svg


def test_text_from_user_data_is_escaped():
    svg = charts.bars(
        ["<script>alert(1)</script>", "A & B"],
        {'Seri "x" <y>': [1, 2]},
        title="Judul <b>&</b>",
    )
    parse(svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "A &amp; B" in svg


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.bars(["A", "B"], {"x": [0, 0]}, title="Nol"),
        lambda: charts.bars([], {}, title="Kosong"),
        lambda: charts.bars(["A"], {"x": [0]}, title="Nol", horizontal=True, money=True),
        lambda: charts.bars(["A"], {"x": [0]}, title="Rasio", line=("r", [None])),
        lambda: charts.bars(["A", "B"], {"x": [-5, 10]}, title="Negatif"),
        lambda: charts.lines([], {}, title="Kosong"),
        lambda: charts.lines(["A", "B"], {"x": [0, 0], "y": [None, None]}, title="Nol"),
    ],
)
def test_empty_zero_and_negative_figures_still_draw(draw):
    root = parse(draw())
    for element in root.iter():
        for attribute in ("x", "y", "width", "height", "cx", "cy"):
            value = element.get(attribute)
            if value is not None:
                assert value not in ("nan", "inf", "-inf")
                float(value)


def test_many_categories_rotate_their_labels():
    svg = charts.bars(
        [f"Kelurahan {k}" for k in range(27)], {"Peserta": list(range(27))}, title="t"
    )
    assert svg.count("rotate(-45") == 27


def test_the_same_figures_give_the_same_svg():
    args = (MONTHS, {"PU": [7000, 7100, 7200, 7300], "BPU": [9000, 9100, 9150, 9582]})
    one = charts.lines(*args, title="Peserta", unit="peserta")
    charts._memo.clear()
    assert charts.lines(*args, title="Peserta", unit="peserta") == one


def test_ticks_are_round_and_cover_the_figures():
    for high in (1, 7, 42, 99, 250.3, 1234, 17_484, 3_000_000):
        ticks, decimals = charts._ticks(0, high)
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** len(str(int(step))) * 10 if step >= 1 else step * 10
        assert ticks[0] == 0 and ticks[-1] >= high and ticks[-2] < high
        assert round(mantissa, 6) in (1, 2, 2.5, 5, 10) or step in (0.2, 0.25, 0.5)
        assert 3 <= len(ticks) <= 7
    assert charts._ticks(0, 0)[0][-1] > 0
    assert charts._ticks(0, 1)[1] == 1  # 0,2 0,4 …: one decimal
