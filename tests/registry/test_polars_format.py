"""The polars panic behind issue 14's "the validator crashes", kept as a regression test.

Since polars 1.35, ``pl.format`` is its own string function. On the multi-threaded streaming
engine it panics (``assertion failed: i < self.len()`` in polars-arrow's ``binview/mod.rs``) when
its string argument has several chunks that a filter shortened unevenly — the shape of the rows
the validator builds messages for (rows of a streamed parse, filtered to the failing ones). With
``POLARS_MAX_THREADS=1`` or polars 1.34 the same query works. The minimal reproduction (polars
2.1.0, any machine with more than one thread)::

    df = pl.concat([pl.DataFrame({"keep": [True, False, False, False], "s": list("abcd")}),
                    pl.DataFrame({"keep": [True, True], "s": list("ef")})], rechunk=False)
    df.lazy().filter(pl.col("keep")).select(pl.format("x {} y", pl.col("s"))).collect()

Lindung builds its messages with :func:`lindung.registry.validation.fmt` (``pl.concat_str``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from lindung.registry.validation import fmt

SRC = Path(__file__).resolve().parents[2] / "src"


def _shortened_chunks() -> pl.LazyFrame:
    frame = pl.concat(
        [
            pl.DataFrame({"keep": [True, False, False, False], "s": ["a", "b", "c", "d"]}),
            pl.DataFrame({"keep": [True, True], "s": ["e", "f"]}),
        ],
        rechunk=False,
    )
    assert frame.get_column("s").n_chunks() == 2
    return frame.lazy().filter(pl.col("keep"))


def test_fmt_on_the_shape_that_made_pl_format_panic():
    for _ in range(20):
        out = _shortened_chunks().select(fmt("x {} y", pl.col("s")).alias("m")).collect()
        assert out.get_column("m").to_list() == ["x a y", "x e y", "x f y"]


def test_fmt_places_every_argument_and_keeps_nulls():
    frame = pl.DataFrame({"a": ["1", None], "b": [2, 3]})
    out = frame.select(fmt("{} dari {} baris", pl.col("a"), pl.col("b")).alias("m"))
    assert out.get_column("m").to_list() == ["1 dari 2 baris", None]
    with pytest.raises(ValueError):
        fmt("{} {}", pl.col("a"))


def test_no_pl_format_in_the_package():
    """``pl.format`` must not come back while the upstream bug stands (use ``fmt``)."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"\bpl\.format\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
