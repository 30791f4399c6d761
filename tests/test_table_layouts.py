"""At-risk table layouts of other software (issue 12), each on a small matplotlib figure read by OCR.

Row labels ending in a digit set just left of the first column ("Group 1"), arm names containing
"risk" on their own line (NEJM), a legend printed under the table (Stata), labels printed right of the
numbers (``rms::survplot``), and JCO cells whose events the OCR returns as a word of their own.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_table import read_risk_table
from reconstruct.digitize.risk_tokens import attach_event_counts
from tests._mpl_panel import render_panel

TICKS = [0, 6, 12, 18, 24, 30]


def _figure(names, counts, *, layout: str):
    """Render a KM panel with a table under it; return rgb, panel bbox and the x calibration."""
    fig = Figure(figsize=(6.4, 5.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.2, 0.5, 0.6, 0.45])
    t = np.linspace(0, 30, 60)
    ax.step(t, np.exp(-t / 14), where="post", color="k")
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1)
    ax.set_xticks(TICKS)
    trans = blended_transform_factory(ax.transData, fig.transFigure)
    y = 0.36
    fig.text(0.02, y, "Number at risk", fontsize=10)
    for name, row in zip(names, counts, strict=True):
        y -= 0.06
        if layout == "nejm":
            fig.text(0.02, y, name, fontsize=10)
            y -= 0.05
        elif layout == "right":
            fig.text(33.5, y, name, transform=trans, fontsize=10)
        else:  # right-aligned a little left of the first column, as Stata and Prism print it
            fig.text(-2.0, y, name, transform=trans, ha="right", fontsize=10)
        for tick, n in zip(TICKS, row, strict=True):
            fig.text(tick, y, str(n), transform=trans, ha="center", fontsize=10)
    if layout == "boxed":  # the table's own x axis under it; the plot's labels partly misread ("6 9" as "16")
        ax.set_xticklabels(["0", "16", "12", "18", "", "30"])
        for tick in TICKS:
            fig.text(tick, y - 0.07, str(tick), transform=trans, ha="center", fontsize=10)
    if layout == "legend":
        fig.text(0.3, y - 0.08, "group = " + names[0] + "      group = " + names[1], fontsize=10)
    if layout == "stray":  # digits at both ends of a line, two tick marks read as "1", numbers from the fourth column
        fig.text(0, y - 0.07, "0", transform=trans, ha="center", fontsize=10)
        fig.text(30, y - 0.07, "7", transform=trans, ha="center", fontsize=10)
        fig.text(6, y - 0.10, "1", transform=trans, ha="center", fontsize=10)
        fig.text(18, y - 0.10, "1", transform=trans, ha="center", fontsize=10)
        for tick, n in zip(TICKS[3:], (224, 43, 12), strict=True):
            fig.text(tick, y - 0.16, str(n), transform=trans, ha="center", fontsize=10)
    return render_panel(fig, ax)


COUNTS = [[120, 96, 70, 41, 18, 3], [85, 60, 44, 30, 11, 0]]


@pytest.mark.parametrize(
    ("names", "layout"),
    [
        pytest.param(["Group 1", "Group 2"], "legend", id="digit-labels-and-a-legend-under-the-table"),
        pytest.param(["Low risk", "High risk"], "nejm", id="risk-in-arm-names-on-their-own-line"),
        pytest.param(["Standard", "Intensified"], "right", id="labels-right-of-the-numbers"),
        pytest.param(["Arm A", "Arm B"], "stray", id="stray-digits-and-a-late-row-are-no-rows"),
        # survminer_bw_013: the plot's tick labels stayed as a third row beside the table's own x axis
        pytest.param(["Arm A", "Arm B"], "boxed", id="two-lines-of-tick-labels-are-no-rows"),
    ],
)
def test_rows_keep_their_labels_and_every_column(names, layout):
    rgb, bbox, cal = _figure(names, COUNTS, layout=layout)
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal, tick_values=TICKS)
    assert [r.label for r in table.rows] == names
    for row, counts in zip(table.rows, COUNTS, strict=True):
        assert row.times.tolist() == TICKS
        assert row.n_risk.tolist() == counts


def test_columns_stay_on_the_tick_grid_when_only_some_tick_labels_were_read():
    # survminer_light_008: the axis calibration read only the labels 12, 24 and 30 of ticks 0-48 every 6. The
    # median gap of those (9) put columns at 3, 21, 39 and the first cell off the table (6 of 18 cells right).
    rgb, bbox, cal = _figure(["Arm A", "Arm B"], COUNTS, layout="other")
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal, tick_values=[12, 24, 30])
    for row, counts in zip(table.rows, COUNTS, strict=True):
        assert row.times.tolist() == TICKS
        assert row.n_risk.tolist() == counts


@pytest.mark.parametrize("stretch", [1.0, 1.04], ids=["calibrated", "calibration-4%-off"])
def test_columns_between_the_ticks_read_take_the_finer_grid(stretch):
    # scan_014: tick labels of 0-42 every 6 read as 0, 24 and 36 (a grid of 12); the columns at 6, 18, 30
    # and 42 were left at their calibrated times (7.09, 18.47, 30.78, 42.86), off the other rows' columns.
    rgb, bbox, cal = _figure(["Arm A", "Arm B"], COUNTS, layout="other")
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=lambda col: stretch * cal(col), tick_values=[0, 24])
    for row, counts in zip(table.rows, COUNTS, strict=True):
        assert row.times.tolist() == TICKS
        assert row.n_risk.tolist() == counts


def test_events_read_as_their_own_word_widen_the_cell():
    line = [TextBox("Arm B", 0.9, 0, 10, 12, 60), TextBox("152", 0.9, 0, 100, 12, 130),
            TextBox("113", 0.9, 0, 180, 12, 210), TextBox("(19)", 0.9, 0, 212, 12, 250),
            TextBox("(7)", 0.9, 0, 300, 12, 330)]
    out = attach_event_counts(line)
    assert [(w.text, w.col0, w.col1) for w in out] == [
        ("Arm B", 10, 60), ("152", 100, 130), ("113", 180, 250), ("(7)", 300, 330)]


@pytest.mark.parametrize(
    ("n_risk", "kept"),
    [
        pytest.param([22, 99, 68, 39], [99, 68, 39], id="first-cell-overprinted-by-its-label"),
        pytest.param([20, 18, 25, 11, 8], [20, 18, 11, 8], id="one-misread-cell-inside"),
        pytest.param([50, 60, 40], [50, 60, 40], id="either-cell-could-be-wrong-kept-as-read"),
        pytest.param([40, 30, 20], [40, 30, 20], id="already-non-increasing"),
    ],
)
def test_a_single_cell_that_makes_a_row_increase_is_set_aside(n_risk, kept):
    from reconstruct.arm_matching import RiskRowInfo
    from reconstruct.table_gaps import set_aside_increasing

    times = np.arange(len(n_risk)) * 4.0
    (row,), notes = set_aside_increasing([RiskRowInfo("Arm A", None, times, np.array(n_risk))])
    assert row.n_risk.tolist() == kept
    assert row.time.tolist() == [t for t, n in zip(times, n_risk, strict=True) if n in kept]
    assert len(notes) == (len(kept) < len(n_risk))


@pytest.mark.parametrize(("fontsize", "scaled"), [(5, True), (7, True), (8, False), (9, False), (14, False)])
def test_only_small_text_is_enlarged_before_the_ocr(monkeypatch, fontsize, scaled):
    from reconstruct.digitize import risk_table

    fig = Figure(figsize=(4, 1), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.4, "At risk  120  96  70  41  18", fontsize=fontsize)
    fig.canvas.draw()
    gray = np.asarray(fig.canvas.buffer_rgba())[..., :3].mean(axis=2).astype(np.uint8)
    seen = []
    monkeypatch.setattr(risk_table, "read_text", lambda img: seen.append(img.shape) or ())
    risk_table._read_small_text(gray)
    assert seen == [(2 * gray.shape[0], 2 * gray.shape[1]) if scaled else gray.shape]
