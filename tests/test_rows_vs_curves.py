"""When the at-risk rows and the traced curves disagree in number (issue 12): the side that is wrong is repaired.

Curves of one ink told apart by line type, a curve's own confidence limits, light lines on a grey panel,
and table lines that are not at-risk rows (misread tick labels) or rows an axis title is printed over.
Synthetic panels drawn with matplotlib or NumPy at fixed seeds; pixel coordinates ``(row, col)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from reconstruct.digitize import arm_split, curves
from reconstruct.digitize.figure import digitize_image
from reconstruct.digitize.image import decode_image
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.path_pruning import drop_band_limits, drop_fills, fill_depth, is_band_limit, to_count
from reconstruct.digitize.risk_table import _increasing, _split_line
from reconstruct.errors import DigitizationWarning

_WILD = Path(__file__).resolve().parents[1] / "benchmarks" / ".cache" / "wild"


def _wild(name: str) -> Path:
    if (_WILD / name).exists():
        return _WILD / name
    pytest.skip(f"wild corpus figure {name} not generated (python benchmarks/wild/make_corpus.py)")


def test_three_arms_of_one_ink_told_apart_when_a_faint_dashed_one_runs_above_a_solid_one():
    # rms::survplot in grey: a solid black, a grey dashed and a dotted arm; re-tracing the dashed arm must
    # not trade its dashes for a ride along the solid curve (it lost them, and the table's 3 rows met 1 curve)
    path = _wild("rms_002.jpg")
    truth = json.loads(path.with_suffix(".json").read_text())
    ipd = pd.read_csv(path.with_name("rms_002_ipd.csv"))
    img = decode_image(path.read_bytes(), source=str(path))
    with pytest.warns(DigitizationWarning, match="same ink"):
        fig = digitize_image(img, n_arms=3)  # the words in the panel masked (curve labels, the table)
    assert len(fig.arms) == 3
    dashed = ipd[ipd["arm"] == "Arm B"]  # the dashed grey arm: ends near 0.55 at 40 months
    time, event = dashed["time"].to_numpy(), dashed["event"].to_numpy()
    at_risk = np.array([np.sum(time >= t) for t in time[event == 1]])
    end = float(np.prod(1.0 - 1.0 / at_risk))  # KM at the last time (one event per tie is enough here)
    assert "Arm B" in truth["arms"]
    last = float(time.max())
    # one arm follows the dashed curve to its end (the dotted arm may still be cut short where it crosses)
    assert any(abs(float(a.survival[-1]) - end) < 0.02 and float(a.time[-1]) > last - 3.0 for a in fig.arms)


def _path(rows, own=None, *, half_width: int = 1) -> curves.TracedPath:
    rows = np.asarray(rows, np.int64)
    own = np.ones(rows.size) if own is None else np.asarray(own, float)
    return curves.TracedPath(rows, own, 0, rows.size, 1.0, half_width, False)


def _steps(n: int, drops: list[int], start: int, size: int) -> np.ndarray:
    rows = np.full(n, start, np.int64)
    for c in drops:
        rows[c:] += size
    return rows


def test_a_confidence_limit_steps_where_its_curve_steps_another_arm_does_not():
    n = 400
    drops = list(range(20, 380, 30))  # 12 event times
    main = _steps(n, drops, 40, 8)
    upper = _steps(n, drops, 30, 5)  # above the curve, stepping with it
    lower = _steps(n, drops, 52, 10)
    hopper = np.where(np.arange(n) < 150, upper, lower)  # a monotone trace from the upper to the lower limit
    hopper = np.maximum.accumulate(hopper)
    other = _steps(n, [c + 14 for c in drops], 35, 9)  # another arm: its own event times
    assert is_band_limit(_path(upper), _path(main))
    assert is_band_limit(_path(lower), _path(main))
    assert is_band_limit(_path(hopper), _path(main))
    assert not is_band_limit(_path(other), _path(main))
    back_up = np.where(np.arange(n) < 200, lower, upper)  # below the curve, then above it: crosses back
    assert not is_band_limit(_path(back_up), _path(main))


def test_to_count_drops_a_curves_confidence_limit_with_a_note_but_never_another_arm():
    n = 400
    drops = list(range(20, 380, 30))
    main = (0, _path(_steps(n, drops, 40, 8)), None)
    limit = (0, _path(_steps(n, drops, 52, 10), np.full(n, 0.5)), None)  # dashed: less ink of its own
    other = (0, _path(_steps(n, [c + 14 for c in drops], 20, 9), np.full(n, 0.5)), None)
    drawn = np.zeros((200, n), bool)
    notes: list[str] = []
    kept = to_count([main, limit], 1, drawn, notes)
    assert [item[1] for item in kept] == [main[1]]
    assert notes
    assert "confidence limits" in notes[0]
    assert not notes[0].startswith("kept the first")
    notes = []
    kept = to_count([main, other], 1, drawn, notes)  # not a limit: truncated, and the note says so
    assert notes
    assert notes[0].startswith("kept the first")
    assert len(drop_band_limits([main, other], 1)) == 2
    assert len(drop_band_limits([main, limit], 2)) == 2  # never below the count asked for


def test_a_light_coloured_line_on_a_grey_panel_is_a_line_colour():
    # ggplot2's theme_grey: a teal line on #ebebeb is less than the strong contrast from the panel
    panel = np.full((150, 300, 3), 235, np.uint8)
    cv2.line(panel, (5, 40), (295, 40), (95, 208, 211), 1)
    cv2.line(panel, (5, 90), (295, 90), (200, 60, 50), 1)
    lab = cv2.cvtColor(panel, cv2.COLOR_RGB2LAB).astype(np.float32)
    found = curves.find_line_colours(lab, curves.background_lab(lab), min_pixels=40)
    hues = sorted(c.rgb for c in found)
    assert len(found) == 2
    assert np.allclose(hues[0], (95, 208, 211), atol=12)
    assert np.allclose(hues[1], (200, 60, 50), atol=12)
    # on white, a pale tint as faint (the rim or ribbon of a yellow line) stays no line colour of its own
    white = np.full((150, 300, 3), 255, np.uint8)
    cv2.line(white, (5, 40), (295, 40), (248, 228, 140), 1)  # 51 Lab units from white: under the strong 55
    lab = cv2.cvtColor(white, cv2.COLOR_RGB2LAB).astype(np.float32)
    assert curves.find_line_colours(lab, curves.background_lab(lab), min_pixels=40) == []


def test_a_row_starting_at_zero_is_no_at_risk_row():
    assert _increasing([0, 22, 10, 24, 20])  # x tick labels misread: "0 6 12 18 24"
    assert _increasing([10, 12, 15])
    assert not _increasing([0, 0, 0])
    assert not _increasing([40, 35, 27, 0])


def _box(text, row0, col0, row1, col1):
    return TextBox(text, 1.0, row0, col0, row1, col1)


def test_an_axis_title_printed_over_a_row_leaves_the_row_its_numbers():
    # rms::survplot with the table under the axis title: "Months", taller and higher, overlaps the first row
    row = [_box("37", 191, 177, 217, 195), _box("24", 192, 231, 218, 258), _box("14", 192, 297, 218, 324),
           _box("11", 191, 365, 218, 384), _box("5", 192, 501, 214, 519), _box("1", 193, 566, 217, 586),
           _box("Standard", 192, 727, 217, 800)]
    title = _box("Months", 181, 418, 216, 491)
    line = _split_line(sorted(row + [title], key=lambda w: w.col0), 150.0, 720.0)
    assert [v for _, v in line.numbers] == [37, 24, 14, 11, 5, 1]
    assert line.label_text == "Standard"
    # a word of the row's own size and line between its numbers (a legend) still voids the row
    legend = _box("Group", 192, 418, 218, 470)
    assert _split_line(sorted(row + [legend], key=lambda w: w.col0), 150.0, 720.0).numbers == ()


def test_own_mass_counts_only_the_paths_window():
    residual = np.zeros((50, 100), np.float32)
    residual[20, :] = 1.0
    on = _path(np.full(100, 20))
    off = _path(np.full(100, 30))
    assert arm_split._own_mass(on, residual) == pytest.approx(100.0)
    assert arm_split._own_mass(off, residual) == 0.0


def test_a_path_traced_through_a_ribbon_of_a_line_colour_is_dropped_before_any_line():
    # survminer's grey palette: a grey confidence ribbon is a line colour of its own, and its border is traced
    # as a curve (2 rows met 3 curves, and keeping the first two kept the ribbon)
    n, drops = 400, list(range(20, 380, 30))
    upper, lower = _steps(n, drops, 40, 6), _steps(n, [c + 14 for c in drops], 80, 7)
    ribbon_w = np.zeros((200, n), np.float32)
    for c in range(n):
        ribbon_w[upper[c] - 12: upper[c] + 13, c] = 1.0  # a band 25 px high around the upper arm
    line_w = np.zeros((200, n), np.float32)
    for rows in (upper, lower):
        line_w[rows - 1, np.arange(n)] = line_w[rows, np.arange(n)] = line_w[rows + 1, np.arange(n)] = 1.0
    ribbon = (0, _path(upper - 11, half_width=2), ribbon_w)  # the band's upper border, most ink of all
    arm_a, arm_b = (1, _path(upper), line_w), (2, _path(lower), line_w)
    assert _fill_depths(ribbon, arm_a, arm_b) == (25.0, 3.0, 3.0)
    notes: list[str] = []
    kept = to_count([ribbon, arm_a, arm_b], 2, np.zeros((200, n), bool), notes)
    assert [item[1] for item in kept] == [arm_a[1], arm_b[1]]
    assert notes
    assert "filled area" in notes[0]
    # lines only (one a little thicker): nothing is a fill, so nothing is dropped for it
    thick = np.zeros((200, n), np.float32)
    for d in range(-2, 3):
        thick[lower + d, np.arange(n)] = 1.0
    assert len(drop_fills([arm_a, (2, _path(lower, half_width=2), thick)], 1)) == 2
    heavy = np.zeros((200, n), np.float32)  # a thick line (Prism) 9 px high beside a grey one 4 px high
    grey = np.zeros((200, n), np.float32)
    for d in range(-4, 5):
        heavy[lower + d, np.arange(n)] = 1.0
    for d in range(-2, 2):
        grey[upper + d, np.arange(n)] = 1.0
    assert _fill_depths((2, _path(lower, half_width=4), heavy), (1, _path(upper), grey)) == (9.0, 4.0)
    assert len(drop_fills([(2, _path(lower, half_width=4), heavy), (1, _path(upper), grey)], 1)) == 2
    assert len(drop_fills([ribbon, arm_a], 2)) == 2  # never below the count asked for
    # the ribbon's lower border traced second: its map has the upper border's stretch cleared, and the
    # colour's whole map (the first path's) still shows the band
    cleared = ribbon_w.copy()
    for c in range(n):
        cleared[: upper[c] + 9, c] = 0.0  # 4 rows of the band left under the cleared stretch
    lower_border = (0, _path(upper + 12, half_width=2), cleared)
    assert fill_depth(lower_border[1], cleared) < 2.5 * 3.0
    kept = drop_fills([ribbon, arm_a, lower_border, arm_b], 2)
    assert [item[1] for item in kept] == [arm_a[1], arm_b[1]]


def test_a_ribbon_traced_with_its_own_fill_width_is_dropped_when_deeper_than_any_line_may_be():
    # survminer_bw_011 (320 px wide, grey palette with bands): the overlapping ribbons' fill is a line colour
    # of its own, measured 6 px half-wide (a window of 13 rows) and 11 rows deep in a panel of 142 rows.
    # Deeper than its window it was not, so it stayed, and 2 rows met 3 curves. No line is thicker than
    # trace_arms lets one be (2 * max(4, 142 // 60) + 1 = 9 rows): the fill goes.
    n, drops = 160, list(range(10, 150, 12))
    upper, lower = _steps(n, drops, 20, 4), _steps(n, [c + 5 for c in drops], 40, 5)
    fill_w = np.zeros((142, n), np.float32)
    middle = (upper + lower) // 2
    for c in range(n):
        fill_w[middle[c] - 5: middle[c] + 6, c] = 1.0  # 11 rows deep
    line_w = np.zeros((142, n), np.float32)
    line_w[upper, np.arange(n)] = line_w[lower, np.arange(n)] = 1.0
    ribbon = (0, _path(middle, half_width=6), fill_w)
    arm_a, arm_b = (1, _path(upper), line_w), (2, _path(lower), line_w)
    assert _fill_depths(ribbon, arm_a, arm_b) == (11.0, 1.0, 1.0)
    kept = drop_fills([ribbon, arm_a, arm_b], 2)
    assert [item[1] for item in kept] == [arm_a[1], arm_b[1]]
    # a line 9 rows thick (as thick as one may be in this panel) beside thin ones stays
    heavy = np.zeros((142, n), np.float32)
    for d in range(-4, 5):
        heavy[np.clip(middle + d, 0, 141), np.arange(n)] = 1.0
    thick = (0, _path(middle, half_width=6), heavy)
    assert _fill_depths(thick)[0] == 9.0
    assert len(drop_fills([thick, arm_a, arm_b], 2)) == 3


def _fill_depths(*items):
    return tuple(fill_depth(item[1], item[2]) for item in items)


def _colour(rgb, n_pixels):
    lab = cv2.cvtColor(np.array([[rgb]], np.uint8), cv2.COLOR_RGB2LAB)[0, 0].astype(float)
    return curves.LineColour(tuple(lab), tuple(rgb), n_pixels)


def test_a_thin_black_arm_split_over_grey_clusters_is_recovered_beside_a_coloured_one():
    # rms::survplot in the nejm palette: a thin black line anti-aliased into #272727, #636363 and #888888,
    # each a colour of its own with a third of the line; the table's 2 rows met only the red curve
    n, size = 400, (200, 400)
    red_rows = _steps(n, list(range(15, 390, 25)), 20, 6)
    black_rows = _steps(n, list(range(30, 300, 45)), 40, 20)
    cols = np.arange(n)
    red = np.zeros(size, np.float32)
    red[red_rows, cols] = red[red_rows + 1, cols] = 1.0
    greys = [np.zeros(size, np.float32) for _ in range(3)]
    for j, grey in enumerate(greys):  # every third column of the black line in each shade
        grey[black_rows[j::3], cols[j::3]] = 1.0
    colours = [_colour((211, 44, 40), 800)] + [_colour(v, 130) for v in ((39, 39, 39), (99, 99, 99), (136, 136, 136))]
    ink = np.maximum.reduce([red] + greys)
    first = curves.trace_monotone(red, weak=ink, half_width=1, flipped=False)
    found = arm_split.recover_arms([(0, first, red)], [], colours, [red] + greys, ink, darkness=ink,
                                   bg_rgb=np.full(3, 255.0, np.float32), text=np.zeros(size, bool), want=2,
                                   flipped=False, min_cols=60)
    assert found is not None
    assert len(found) == 2
    k, path, _ = found[1]
    assert k == 1  # named after the darkest of the grey clusters
    assert np.mean(np.abs(path.rows[path.start: path.stop] - black_rows[path.start: path.stop]) <= 1) > 0.95
    assert path.start <= 5
    assert path.stop >= n - 5


def _plain_fill_depth(path, weight) -> float:
    """fill_depth written plainly (as before it was vectorised): one column at a time."""
    import cv2

    widest = curves.widest_line_px(weight.shape[0])
    mask = cv2.morphologyEx((np.asarray(weight) >= 0.5).astype(np.uint8), cv2.MORPH_OPEN,
                            np.ones((1, 2 * widest + 1), np.uint8)).astype(bool)
    n_rows, depths = mask.shape[0], []
    for c in np.flatnonzero(path.own >= 0.5):
        column = mask[:, c]
        near = np.flatnonzero(column[max(path.rows[c] - path.half_width, 0): path.rows[c] + path.half_width + 1])
        if not near.size:
            continue
        row = max(path.rows[c] - path.half_width, 0) + int(near[0])
        gaps = np.flatnonzero(~column)
        above, below = gaps[gaps < row], gaps[gaps > row]
        depths.append((below[0] if below.size else n_rows) - (above[-1] + 1 if above.size else 0))
    return float(np.median(depths)) if depths else 0.0


def test_fill_depth_equals_the_column_by_column_runs():
    """Random bands, blobs and paths (rows touching the top and bottom edges included): the same median depth."""
    rng = np.random.default_rng(12)
    for trial in range(300):
        n_rows, n_cols = int(rng.integers(4, 60)), int(rng.integers(3, 80))
        weight = (rng.random((n_rows, n_cols)) < rng.uniform(0.05, 0.9)).astype(np.float32)
        if trial % 3 == 0:  # a band across, as a ribbon
            top = int(rng.integers(0, n_rows))
            weight[top: top + int(rng.integers(1, 20)), :] = 1.0
        rows = np.minimum(np.sort(rng.integers(0, n_rows, n_cols)), n_rows - 1)
        own = (rng.random(n_cols) < 0.7).astype(float)
        path = _path(rows, own, half_width=int(rng.integers(0, 5)))
        assert fill_depth(path, weight) == _plain_fill_depth(path, weight)
    assert fill_depth(_path(np.full(5, 2), np.zeros(5)), np.ones((6, 5), np.float32)) == 0.0  # no drawn column
