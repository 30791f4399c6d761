"""Tests for reconstruct.digitize.text_rows: words of clear rows of text read without the text detector.

Strips are drawn here with matplotlib (Agg), so every word and its place are known.
"""

from __future__ import annotations

import cv2
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from reconstruct.digitize import ocr  # noqa: E402
from reconstruct.digitize.ocr import read_text  # noqa: E402
from reconstruct.digitize.text_rows import read_clear_rows  # noqa: E402

ROWS = [("", ["0", "6", "12", "18", "24"]), ("Placebo", ["40", "31", "20", "11", "3"]),
        ("Drug", ["25", "22", "18", "15", "9"])]
COLS = [0.3, 0.45, 0.6, 0.75, 0.9]


def _strip(*, fontsize=12.0, row_gap=0.28, ticks=False, dark_label=False, pale_label=False,
           axis_through=False) -> np.ndarray:
    """A table strip (tick labels, then two labelled rows of numbers), grey; optionally the axis with its
    tick marks at the top, the first row's label printed white on a dark box, the second's in a pale grey, or
    a vertical axis line drawn through the first column of numbers."""
    fig = Figure(figsize=(6.0, 1.4), dpi=100)
    FigureCanvasAgg(fig)
    if ticks:
        fig.add_artist(matplotlib.lines.Line2D([0.25, 0.95], [0.995, 0.995], color="black", lw=1.5))
        for x in COLS:
            fig.add_artist(matplotlib.lines.Line2D([x, x], [0.995, 0.93], color="black", lw=1.0))
    if axis_through:
        fig.add_artist(matplotlib.lines.Line2D([COLS[0]] * 2, [0.0, 1.0], color="black", lw=1.0))
    for k, (label, numbers) in enumerate(ROWS):
        y = 0.8 - k * row_gap
        if label:
            colour = "white" if dark_label and k == 1 else "#bbbbbb" if pale_label and k == 2 else "black"
            fig.text(0.05, y, label, fontsize=fontsize, va="center", color=colour)
            if dark_label and k == 1:
                fig.add_artist(Rectangle((0.03, y - 0.12), 0.17, 0.24, color="#404040", zorder=-1))
        for x, number in zip(COLS, numbers, strict=True):
            fig.text(x, y, number, fontsize=fontsize, va="center", ha="center")
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _no_detector(monkeypatch):
    def refuse(gray):
        raise AssertionError("the text detector ran")

    monkeypatch.setattr(ocr, "_detect_words", refuse)


@pytest.mark.parametrize("ticks", [False, True])
def test_clear_rows_read_every_word_where_it_is_printed_without_the_detector(monkeypatch, ticks):
    gray = _strip(ticks=ticks)
    _no_detector(monkeypatch)
    words = read_clear_rows(gray)
    assert words is not None
    assert sorted(w.text for w in words) == sorted([*(t for _, ns in ROWS for t in ns), "Placebo", "Drug"])
    assert min(w.confidence for w in words) >= 0.95
    height, width = gray.shape
    for k, (label, numbers) in enumerate(ROWS):  # each number centred on its column and row within 4 px
        row = (1.0 - (0.8 - k * 0.28)) * height
        for x, number in zip(COLS, numbers, strict=True):
            found = [w for w in words if w.text == number and abs(w.center_px[1] - x * width) <= 4]
            assert len(found) == 1 and abs(found[0].center_px[0] - row) <= 4
        if label:  # the label starts at its place, 5% of the width in
            (found,) = [w for w in words if w.text == label]
            assert abs(found.col0 - 0.05 * width) <= 4 and abs(found.center_px[0] - row) <= 4


@pytest.mark.parametrize("case", ["touching rows", "tiny glyphs", "text on a dark box", "pale label",
                                  "labels cut by the top edge", "an axis line through numbers"])
def test_unclear_layouts_are_left_to_the_detector(monkeypatch, case):
    # None, the caller runs the detector, for: rows that touch; glyphs below 6 px; text over other ink; a label
    # paler than the dark ink's threshold (survminer_light_003 of the wild corpus: "Nivolumab" in light grey was
    # left out, its row had no name and the arms came out swapped, reading ok); glyphs cut by the strip's top
    # edge (taken for the axis and its ticks, they would be left out); an axis line through a column of numbers
    # (sas_002: the "3" of "437" joined to the y axis was taken for it, and "437" read "4" and "7")
    gray = {"touching rows": lambda: _strip(fontsize=14.0, row_gap=0.1),
            "tiny glyphs": lambda: _strip(fontsize=5.0),
            "text on a dark box": lambda: _strip(dark_label=True),
            "pale label": lambda: _strip(pale_label=True),
            "labels cut by the top edge": lambda: _strip()[21:],
            "an axis line through numbers": lambda: _strip(axis_through=True)}[case]()
    _no_detector(monkeypatch)
    assert read_clear_rows(gray) is None


def test_a_blank_strip_has_no_clear_rows():
    assert read_clear_rows(np.full((40, 200), 255, np.uint8)) is None


@pytest.mark.parametrize("style", ["lifelines", "text"])
def test_a_clear_table_is_read_without_the_detector(monkeypatch, style):
    # the at-risk table under a plot: its rows, labels and times as with the detector, the detector not run
    # (it cost ~0.1-0.4 s a figure); the matplotlib figures of test_risk_table, whose tables are clear rows
    from reconstruct.digitize.risk_table import read_risk_table
    from tests.test_risk_table import ARMS, TICKS, _figure

    rgb, bbox, cal, truth = _figure(np.random.default_rng(20240101), style)
    ocr._MEMO.clear()
    _no_detector(monkeypatch)
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal, tick_values=TICKS)
    assert [r.label for r in table.rows] == list(ARMS)
    for row, name in zip(table.rows, ARMS, strict=True):
        np.testing.assert_array_equal(row.times, TICKS)
        np.testing.assert_array_equal(row.n_risk, truth[name])
        assert row.confidence >= 0.9


def test_line_crops_never_reach_into_the_next_row(monkeypatch):
    # review of stop 28: a crop reaching 0.35 of its height beyond its ink must stop half-way to a row close by
    from reconstruct.digitize import text_rows

    seen = []
    monkeypatch.setattr(text_rows, "_words_of_lines", lambda gray, quads: seen.append(quads) or ())
    strip = _strip(row_gap=0.17)  # rows about half a glyph height apart
    assert read_clear_rows(strip) == ()
    (quads,) = seen
    spans = sorted((q[:, 1].min(), q[:, 1].max(), q[:, 0].min(), q[:, 0].max()) for q in quads)
    for (top0, bottom0, left0, right0), (top1, _, left1, right1) in zip(spans, spans[1:], strict=False):
        if left0 < right1 and left1 < right0:  # lines one above the other
            assert bottom0 <= top1 + 1e-6


def test_engine_internals_that_changed_send_the_strip_to_the_detector(monkeypatch):
    from reconstruct.digitize import text_rows

    def changed(gray, quads):
        raise KeyError("preprocess")

    monkeypatch.setattr(text_rows, "_words_of_lines", changed)
    with pytest.warns(RuntimeWarning, match="text detector reads them"):
        assert read_clear_rows(_strip(fontsize=11.0)) is None
