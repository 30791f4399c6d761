"""The y axis through an at-risk table printed inside the plot frame (SAS; issue 12, sas_010, pdf_010).

The line runs through the cells of time 0: the OCR read "378" crossed by it as "3" and "8", and "37" as
"3:7" or not at all. The line is filled in from the pixels either side before the OCR, and the numbers it
split are joined again.
"""

from __future__ import annotations

import cv2
import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from reconstruct.digitize import risk_cells  # noqa: E402
from reconstruct.digitize.ocr import TextBox  # noqa: E402
from reconstruct.digitize.risk_cells import erase_vertical_rules, join_across_rules  # noqa: E402
from reconstruct.digitize.risk_table import read_risk_table  # noqa: E402
from tests._mpl_panel import render_panel  # noqa: E402


def _strip(with_line: bool = True):
    gray = np.full((60, 200), 255, np.uint8)
    for row, text in ((22, "378"), (48, "37")):
        cv2.putText(gray, text, (20, row), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    cv2.putText(gray, "188", (120, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    if with_line:
        gray[:, 31] = 0  # the y axis, 1 px wide, through the middle digit of "378" and between "3" and "7"
    return gray


def test_a_long_thin_vertical_line_is_filled_in_and_the_digits_kept():
    gray, clean = _strip(), _strip(with_line=False)
    out, cols = erase_vertical_rules(gray, 10.0)
    assert cols.tolist() == [31]
    assert np.mean(out[:, 31] > 200) >= 0.7  # most of the line gone
    # away from the line the strip is untouched; a digit's "1"-like strokes (one glyph tall) are no line
    np.testing.assert_array_equal(np.delete(out, 31, axis=1), np.delete(gray, 31, axis=1))
    assert np.abs(out.astype(int) - clean.astype(int))[:, 31].mean() < 60


def test_a_strip_without_long_lines_is_returned_as_is():
    clean = _strip(with_line=False)
    out, cols = erase_vertical_rules(clean, 10.0)
    assert out is clean
    assert cols.size == 0


def test_numbers_split_by_an_erased_line_are_joined():
    cols = np.array([31])
    words = [TextBox("3", 0.99, 10, 19, 24, 29), TextBox("78", 0.99, 10, 32, 24, 45),
             TextBox("188", 0.99, 10, 120, 24, 150), TextBox("3:7", 1.0, 36, 19, 50, 42)]
    got = [(w.text, w.col0, w.col1) for w in join_across_rules(words, cols)]
    assert got == [("378", 19, 45), ("188", 120, 150), ("37", 19, 42)]
    # no line between them: two numbers stay two
    assert [w.text for w in join_across_rules(words[:2], np.array([90]))] == ["3", "78"]
    assert [w.text for w in join_across_rules(words[:2], np.zeros(0, np.int64))] == ["3", "78"]


def test_a_line_beside_the_table_is_left_alone():
    # base_r_010: the sides of the plot frame run on below the panel, beside the table, through no text
    gray = _strip(with_line=False)
    gray[:, 5] = 0
    gray[:, 190] = 0
    out, cols = erase_vertical_rules(gray, 10.0)
    assert cols.size == 0
    assert out is gray


TICKS = [0, 6, 12, 18, 24, 30]
ROWS = ([29, 18, 8, 6, 2, 1], [352, 208, 99, 40, 9, 2])


def _crossed_table():
    """A two-row table under a panel, a dark rule down the time-0 column through both rows' first cells."""
    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.add_axes([0.2, 0.45, 0.75, 0.5])
    ax.set_xlim(0, 30)
    ax.set_xticks(TICKS)
    trans = blended_transform_factory(ax.transData, fig.transFigure)
    for y, row in zip((0.3, 0.22), ROWS, strict=True):
        for t, v in zip(TICKS, row, strict=True):
            fig.text(t, y, str(v), ha="center", va="center", transform=trans, fontsize=9)
    fig.add_artist(Line2D([0, 0], [0.12, 0.45], transform=trans, color="0.2", lw=1.2))
    return render_panel(fig, ax)


def test_a_number_the_axis_line_runs_through_is_read_whole_in_a_table(monkeypatch):
    rgb, bbox, to_time = _crossed_table()
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=to_time, tick_values=TICKS)
    assert [list(r.n_risk) for r in table.rows] == [list(r) for r in ROWS]
    np.testing.assert_allclose(table.rows[1].times, TICKS, atol=1e-9)
    # without the line filled in, the rule splits "352" and only its "2" is read
    monkeypatch.setattr(risk_cells, "erase_vertical_rules", lambda below, glyph: (below, np.zeros(0, np.int64)))
    before = read_risk_table(rgb, panel_bbox=bbox, x_calibration=to_time, tick_values=TICKS)
    assert list(before.rows[1].n_risk) == [2, *ROWS[1][1:]]


def test_a_bordered_table_and_light_labels_on_dark_cells_have_no_line_to_fill():
    # excel_003 of held-out set 3: the gaps between white letters on dark label cells ran as thin dark lines with
    # ink either side, and a table's borders cross at their corners; filled in, "Group 2" read "Group"
    gray = np.full((80, 240), 255, np.uint8)
    gray[10:70, 5:70] = 60  # dark label cells, three rows
    for row, text in ((28, "Group 1"), (48, "Group 2"), (66, "Group 3")):
        cv2.putText(gray, text, (8, row), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 255, 1, cv2.LINE_AA)
    for col in (70, 120, 170, 239):  # vertical borders
        gray[10:70, col] = 150
    for row in (10, 30, 50, 69):  # horizontal borders
        gray[row, 5:240] = 150
    for k, text in enumerate(("230", "163", "295")):
        cv2.putText(gray, text, (85, 26 + 20 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    out, cols = erase_vertical_rules(gray, 10.0)
    assert cols.size == 0
    assert out is gray
