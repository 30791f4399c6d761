"""Censor-mark detection on thick lines: a drop's vertical stroke is no mark, a glyph beyond it is.

Membership maps are drawn here by hand (1.0 ink, 0.0 background) with a 7-pixel stroke, as Prism-style
figures draw them; the traced path is given as the tracer leaves it, including a stretch through the middle
of a drop's vertical stroke.
"""

from __future__ import annotations

import numpy as np

from reconstruct.digitize.censor_marks import find_censor_marks
from reconstruct.digitize.curves import TracedPath

WIDTH = 7  # stroke width in pixels
HALF = WIDTH // 2


def _path(rows: np.ndarray, half_width: int = 4) -> TracedPath:
    return TracedPath(rows=rows.astype(np.int64), own=np.ones(rows.size), start=0, stop=rows.size, coverage=1.0,
                      half_width=half_width, flipped=False)


def _hline(weight: np.ndarray, row: int, c0: int, c1: int) -> None:
    weight[row - HALF:row + HALF + 1, c0:c1] = 1.0


def test_a_path_through_the_middle_of_a_thick_drop_finds_no_mark():
    """Level 40 to column 60, a drop to row 61 drawn as a 7-wide stroke (columns 60-66), level 61 after it.

    The trace holds row 52 (the stroke's middle) over the stroke's 7 columns: ink sticks out 9-12 pixels
    above and below it there, as a glyph's would, but it is the drop (the old check, spanning half_width + 2
    = 6 columns, kept it as a mark).
    """
    weight = np.zeros((100, 120), np.float32)
    _hline(weight, 40, 0, 67)
    _hline(weight, 61, 60, 120)
    weight[40 - HALF:61 + HALF + 1, 60:67] = 1.0
    rows = np.r_[np.full(60, 40), np.full(7, 52), np.full(53, 61)]
    cols, _ = find_censor_marks(_path(rows), weight)
    assert cols.size == 0


def test_a_real_glyph_on_a_thick_line_is_still_found():
    """A '|' 25 pixels tall and 3 wide at column 30 of a flat 7-pixel line: one mark, within 1 column."""
    weight = np.zeros((100, 120), np.float32)
    _hline(weight, 50, 0, 120)
    weight[38:63, 29:32] = 1.0
    cols, _ = find_censor_marks(_path(np.full(120, 50)), weight)
    assert cols.size == 1
    assert abs(cols[0] - 30.0) <= 1.0


def test_a_glyph_on_a_thick_drop_that_sticks_out_beyond_it_is_kept():
    """The drop of the first test with a '|' 3 wide rising 10 pixels above the upper level's line at columns
    59-61 (the stroke's first columns, where the trace already holds row 52): one mark there, within 2 columns."""
    weight = np.zeros((100, 120), np.float32)
    _hline(weight, 40, 0, 67)
    _hline(weight, 61, 60, 120)
    weight[40 - HALF:61 + HALF + 1, 60:67] = 1.0
    weight[27:40, 59:62] = 1.0
    rows = np.r_[np.full(60, 40), np.full(7, 52), np.full(53, 61)]
    cols, _ = find_censor_marks(_path(rows), weight)
    assert cols.size == 1
    assert abs(cols[0] - 60.0) <= 2.0
