"""Mechanisms added for figures kmrecon did not draw (issue 12), each on a small matplotlib figure.

Panel: thin grey frames (ggplot2 theme_bw at small sizes), panels with grid lines and no axis lines,
one-pixel ticks, a misread tick label outvoted. Table: NEJM arm names above their numbers, JCO cells
with events in parentheses, a row label fused with its first number, columns snapped to the tick grid.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from reconstruct.digitize import axes as _axes
from reconstruct.digitize.axes import find_panel
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_table import read_risk_table
from reconstruct.digitize.risk_tokens import split_fused_words
from tests._mpl_panel import render_panel

TICKS = [0, 4, 8, 12, 16, 20, 24, 28]
COUNTS = {"Placebo": [184, 140, 101, 68, 40, 16, 5, 0], "Nivolumab": [200, 157, 125, 92, 60, 23, 7, 1]}
COLOURS = {"Placebo": "#BC3C29", "Nivolumab": "#0072B5"}


def _km_axes(fig, rect, **style):
    ax = fig.add_axes(rect)
    t = np.linspace(0, 28, 60)
    ax.step(t, np.exp(-t / 14), where="post", color="#0072B5")
    ax.step(t, np.exp(-t / 9), where="post", color="#BC3C29")
    ax.set_xlim(0, 28)
    ax.set_ylim(0, 1.0)
    ax.set_xticks(TICKS)
    for key, value in style.items():
        getattr(ax, key)(**value)
    return ax


def _table_figure(kind: str, *, dpi: int = 100):
    fig = Figure(figsize=(6.4, 5.2), dpi=dpi)
    ax = _km_axes(fig, [0.22, 0.5, 0.74, 0.45])
    trans = blended_transform_factory(ax.transData, fig.transFigure)
    y = 0.36
    fig.text(0.02, y, "No. at Risk" if kind != "jco" else "No. at risk (events)", fontsize=10, weight="bold")
    for name, counts in COUNTS.items():
        y -= 0.055
        if kind == "nejm":  # the arm's name on its own line, in its colour, then its numbers
            fig.text(0.02, y, name, color=COLOURS[name], fontsize=10)
            y -= 0.05
        elif kind == "fused":  # a bold label set right against the first number
            fig.text(0.0, y, name, transform=trans, ha="right", fontsize=10, weight="bold")
        else:
            fig.text(0.02, y, name, fontsize=10)
        for j, (t, n) in enumerate(zip(TICKS, counts, strict=True)):
            text = f"{n} ({3 * j})" if kind == "jco" else str(n)
            align = "left" if kind == "fused" and t == 0 else "center"
            fig.text(t, y, text, transform=trans, ha=align, fontsize=9 if kind == "jco" else 10)
    return render_panel(fig, ax)


# ---- table tokens (no OCR) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Arm A199", ["Arm A", "199"], id="label-fused-with-number"),
        pytest.param("25 (0)", ["25"], id="jco-cell"),
        pytest.param("100(0) 73(15) 53(29)", ["100", "73", "53"], id="jco-row-in-one-word"),
        pytest.param("Placebo 184 140", ["Placebo", "184", "140"], id="row-in-one-word"),
        pytest.param("Time (months)", ["Time (months)"], id="axis-title-untouched"),
        pytest.param("184", ["184"], id="plain-number-untouched"),
        pytest.param("2.5", ["2.5"], id="decimal-tick-label-untouched"),
        pytest.param("B2b", ["B2b"], id="name-with-digit-untouched"),
    ],
)
def test_fused_words_are_split_into_label_and_numbers(text, expected):
    word = TextBox(text, 0.9, 10, 100, 22, 100 + 8 * len(text))
    parts = split_fused_words([word])
    assert [p.text for p in parts] == expected
    assert all(word.col0 <= p.col0 < p.col1 <= word.col1 for p in parts)
    assert [p.col0 for p in parts] == sorted(p.col0 for p in parts)


def test_a_number_keeps_its_parenthesised_events_inside_its_box():
    (cell,) = split_fused_words([TextBox("25 (0)", 0.9, 0, 100, 10, 160)])
    assert (cell.col0, cell.col1) == (100, 160)  # centred as the printed cell is


# ---- tables read by OCR -------------------------------------------------------------------------


def _rows_by_label(table):
    return {row.label: row for row in table.rows}


def test_nejm_names_on_their_own_line_label_and_colour_the_rows():
    rgb, bbox, cal = _table_figure("nejm")
    rows = _rows_by_label(read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal, tick_values=TICKS))
    assert set(rows) == set(COUNTS)
    for name, counts in COUNTS.items():
        assert rows[name].n_risk.tolist() == counts
        assert rows[name].times.tolist() == TICKS
        # anti-aliased glyphs are lighter tints: compare the hue direction, as the arm matching does
        got = np.array(rows[name].label_color, float) - np.mean(rows[name].label_color)
        want = np.array(to_rgb(COLOURS[name])) - np.mean(to_rgb(COLOURS[name]))
        assert got @ want / (np.linalg.norm(got) * np.linalg.norm(want)) >= 0.9


def test_jco_cells_with_events_in_parentheses_give_the_numbers_at_risk():
    rgb, bbox, cal = _table_figure("jco", dpi=110)
    rows = _rows_by_label(read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal, tick_values=TICKS))
    for name, counts in COUNTS.items():
        assert rows[name].n_risk.tolist() == counts
        assert rows[name].times.tolist() == TICKS


def test_label_fused_with_the_first_number_keeps_the_time_zero_column():
    rgb, bbox, cal = _table_figure("fused")
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal, tick_values=TICKS)
    assert [r.n_risk[0] for r in table.rows] == [c[0] for c in COUNTS.values()]
    assert all(r.times[0] == 0.0 and r.times.size == len(TICKS) for r in table.rows)


def test_columns_snap_to_a_four_month_tick_grid():
    # 4-month columns are not a 1-2-5 spacing: only the tick values give the grid.
    rgb, bbox, cal = _table_figure("plain")

    def shifted(col):  # a calibration 0.6 months off, as a slightly wrong tick fit would give
        return cal(col) + 0.6

    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=shifted, tick_values=TICKS)
    assert all(r.times.tolist() == TICKS for r in table.rows)


# ---- panels (no OCR) ----------------------------------------------------------------------------


def test_thin_grey_frame_of_a_small_figure_is_the_panel():
    # theme_bw at ~340 px: a 0.5 pt grey20 frame is lighter than 110 once anti-aliased, ticks 1 px long
    fig = Figure(figsize=(3.4, 2.8), dpi=100)
    ax = _km_axes(fig, [0.15, 0.15, 0.8, 0.8], tick_params={"length": 1.2, "width": 0.4, "color": "#555555"})
    for spine in ax.spines.values():
        spine.set_color("#333333")
        spine.set_linewidth(0.4)  # drawn as one pixel of grey ~141
    rgb, bbox, _ = render_panel(fig, ax)
    panel = find_panel(rgb)
    assert abs(panel.row0 - bbox[0]) <= 3 and abs(panel.row1 - bbox[2]) <= 3
    assert abs(panel.col0 - bbox[1]) <= 3 and abs(panel.col1 - bbox[3]) <= 3
    assert panel.x_tick_cols.size == len(TICKS)


def test_panel_without_axis_lines_is_found_from_its_grid():
    fig = Figure(figsize=(4.0, 3.2), dpi=100)
    ax = _km_axes(fig, [0.15, 0.15, 0.8, 0.8], tick_params={"length": 0})
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.grid(True, color="#d9d9d9", lw=0.8)
    rgb, bbox, _ = render_panel(fig, ax)
    panel = find_panel(rgb)
    assert abs(panel.row0 - bbox[0]) <= 3 and abs(panel.row1 - bbox[2]) <= 3
    assert abs(panel.col0 - bbox[1]) <= 3 and abs(panel.col1 - bbox[3]) <= 3
    assert panel.x_tick_cols.size >= 6


def test_one_misread_tick_label_is_outvoted(monkeypatch):
    px = np.arange(8) * 36.0 + 40.0
    values = [0, 6, 12, 18, 24, 30, 36, 4]  # "42" read as "4"

    def fake_read(gray, axis, ticks, *, axis_px):
        return list(zip(px.tolist(), values, strict=True))

    monkeypatch.setattr("reconstruct.digitize.ocr.read_tick_labels", fake_read)
    got_px, got_values = _axes._ocr_ticks(np.zeros((10, 10), np.uint8), "x", px, 0.0)
    np.testing.assert_array_equal(got_values, values[:7])
    np.testing.assert_array_equal(got_px, px[:7])


# ---- partly read tables (no OCR) ----------------------------------------------------------------


def test_missing_cells_are_named_and_a_missing_time_zero_cell_is_taken_from_the_curve():
    from reconstruct import km_step_points, number_at_risk, simulate_arm
    from reconstruct.arm_matching import ArmCurve, RiskRowInfo
    from reconstruct.table_gaps import complete_rows

    sim = simulate_arm(150, seed=3, median=12.0, accrual=12.0, follow_up=24.0)  # censoring starts at 24
    t, s = km_step_points(sim.time, sim.event)
    times = np.array([0.0, 6.0, 12.0, 18.0, 24.0])
    n = number_at_risk(sim.time, times)
    curve = ArmCurve(label="Drug", colour=None, time=t, survival=s)
    full = RiskRowInfo(label="Placebo", colour=None, time=times, n_risk=n)
    partial = RiskRowInfo(label="Drug", colour=None, time=times[[1, 2, 4]], n_risk=n[[1, 2, 4]])
    rows, notes = complete_rows([full, partial], [curve, curve])
    assert rows[0].time.tolist() == times.tolist()
    assert rows[1].time.tolist() == [0.0, 6.0, 12.0, 24.0]
    assert rows[1].n_risk[0] == 150  # no censoring before month 6: n(6) / S(6-) is exact
    assert any("Drug: the time-0 at-risk cell was not read; 150" in note for note in notes)
    assert any("Drug: at-risk cell(s) not read at time(s) 18" in note for note in notes)
    assert not any(note.startswith("Placebo") for note in notes)


# ---- y labels along the axis, legends outside the panel (OCR) -----------------------------------


def test_y_labels_printed_along_the_axis_are_read_turned_upright():
    from reconstruct.digitize.figure import digitize_image

    fig = Figure(figsize=(4.0, 3.6), dpi=100)
    ax = _km_axes(fig, [0.18, 0.15, 0.78, 0.8])
    ax.set_ylim(-0.04, 1.04)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    for label in ax.get_yticklabels():  # base R's default las = 0: labels read upwards
        label.set_rotation(90)
        label.set_verticalalignment("center")
    rgb, bbox, _ = render_panel(fig, ax)
    result = digitize_image(rgb)
    cal = result.y_calibration
    assert cal.source == "ocr"
    inverse = ax.transData.transform
    for value in (0.0, 0.6, 1.0):
        row = rgb.shape[0] - inverse((0.0, value))[1]
        assert abs(float(cal.to_value(row)) - value) <= 0.01


def test_legend_keys_above_the_panel_give_labels_in_legend_order():
    from reconstruct.digitize.legend_outside import legend_keys_outside

    fig = Figure(figsize=(5.0, 4.0), dpi=100)
    ax = fig.add_axes([0.15, 0.12, 0.8, 0.7])
    t = np.linspace(0, 28, 60)
    ax.step(t, np.exp(-t / 14), where="post", color="#0072B5", label="Nivolumab", lw=2)
    ax.step(t, np.exp(-t / 9), where="post", color="#BC3C29", label="Placebo", lw=2)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.02), ncol=2, frameon=False)
    rgb, bbox, _ = render_panel(fig, ax)
    found = legend_keys_outside(rgb, bbox, [(188, 60, 41), (0, 114, 181)])
    assert [label for label, _ in found] == ["Placebo", "Nivolumab"]
    (_, (row_a, col_a)), (_, (row_b, col_b)) = found
    assert row_a == pytest.approx(row_b, abs=2) and col_b < col_a  # Nivolumab's key comes first


def test_labels_of_a_tight_legend_on_the_right_are_read_line_by_line():
    # Prism's legend: three thick keys 12 px apart. A crop over three lines let the OCR miss the middle
    # line or mix two lines' words ("Group 2 3"), which then named the wrong curve.
    from reconstruct.digitize.legend_outside import legend_keys_outside

    fig = Figure(figsize=(4.22, 2.93), dpi=100)
    ax = fig.add_axes([0.2, 0.35, 0.65, 0.6])
    t = np.linspace(0, 24, 60)
    colours = ["#000000", "#d42928", "#1a77b3"]
    for k, c in enumerate(colours):
        ax.step(t, np.exp(-t / (14 + 4 * k)), where="post", color=c, label=f"Group {k + 1}", lw=2.5)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False, fontsize=5, handlelength=1.5,
              labelspacing=0.5)
    rgb, bbox, _ = render_panel(fig, ax)
    found = legend_keys_outside(rgb, bbox, [(212, 41, 40), (26, 119, 179)])
    assert [label for label, _ in found] == ["Group 2", "Group 3"]
    assert 8 <= found[1][1][0] - found[0][1][0] <= 16  # keys a line apart


@pytest.mark.parametrize("second", ["#666666", "#d42928"])
def test_a_black_curves_legend_key_is_found_by_its_grey_level(second):
    # Prism draws a black and a grey (or red) arm with thick keys on the right. By colour alone a black key
    # is never taken (the anti-aliased edge of a black key has a grey arm's colour); by the core grey
    # level of whole strokes it is, and a coloured key is no grey curve's.
    from reconstruct.digitize.legend_outside import legend_keys_outside

    fig = Figure(figsize=(6.0, 4.0), dpi=100)
    ax = fig.add_axes([0.12, 0.12, 0.6, 0.8])
    t = np.linspace(0, 24, 60)
    ax.step(t, np.exp(-t / 9), where="post", color="#000000", label="Placebo", lw=3)
    ax.step(t, np.exp(-t / 14), where="post", color=second, label="Nivolumab", lw=3)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    rgb, bbox, _ = render_panel(fig, ax)
    colours = [(0, 0, 0), tuple(int(round(255 * v)) for v in to_rgb(second))]
    shades = [0.0, float(np.mean(colours[1]))]
    found = legend_keys_outside(rgb, bbox, colours, shades=shades)
    assert [label for label, _ in found] == ["Placebo", "Nivolumab"]
    assert found[0][1][0] < found[1][1][0]  # Placebo's key is above
    without = legend_keys_outside(rgb, bbox, colours)
    assert without[0] == (None, None)


def test_a_legend_below_the_table_names_its_arms_but_gives_no_order():
    # Stata prints "group = Placebo" keys under the at-risk table, filling legend columns first. Keys there are
    # bars (the table's coloured numbers are not), their labels are the level after "=", and their places
    # are no legend order (positions None: ``run`` then never takes the rows in that order).
    from reconstruct.digitize.legend_outside import legend_keys_outside

    fig = Figure(figsize=(5.0, 5.0), dpi=100)
    ax = fig.add_axes([0.15, 0.45, 0.8, 0.5])
    t = np.linspace(0, 28, 60)
    ax.step(t, np.exp(-t / 14), where="post", color="#0072B5", label="group = Nivolumab", lw=2)
    ax.step(t, np.exp(-t / 9), where="post", color="#BC3C29", label="group = Placebo", lw=2)
    for k, (colour, numbers) in enumerate((("#0072B5", "260  188  137"), ("#BC3C29", "459  352  236"))):
        fig.text(0.3, 0.3 - 0.05 * k, numbers, color=colour, fontsize=10)  # the table's coloured numbers
    fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.02), ncol=2, frameon=False)
    rgb, bbox, _ = render_panel(fig, ax)
    found = legend_keys_outside(rgb, bbox, [(188, 60, 41), (0, 114, 181)])
    assert [label for label, _ in found] == ["Placebo", "Nivolumab"]
    assert [key for _, key in found] == [None, None]
