"""Dashed and dotted arms of one ink traced across their gaps, their drops placed where drawn, thin black
lines anti-aliased into many greys found at all, and tails under a label kept (issue 12).

Pixel coordinates ``(row, col)``, origin top-left.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.colour_paths import trace_arms
from reconstruct.digitize.curves import TracedPath
from reconstruct.digitize.digitized import DigitizedArm
from reconstruct.digitize.figure import digitize_image
from reconstruct.digitize.masked_retrace import _keep_tails
from reconstruct.digitize.step_corners import final_drop, step_corners
from reconstruct.digitize.trace_check import bare_drop
from tests._mpl_panel import mean_miss
from tests.test_arm_split import _black_arms, _figure


def test_a_dotted_drop_is_placed_at_its_stroke_not_where_the_next_dot_begins():
    weight = np.zeros((60, 120), np.float32)
    for col in range(0, 52, 6):  # dotted level at row 20 ...
        weight[20, col: col + 2] = 1.0
    for row in range(20, 41, 5):  # ... its dotted drop at columns 50-51 ...
        weight[row: row + 2, 50:52] = 1.0
    for col in range(58, 120, 6):  # ... and the next level at row 45, its first dot 7 columns on
        weight[45, col: col + 2] = 1.0
    rows = np.where(np.arange(120) < 58, 20, 45).astype(np.int64)  # the path drops where the new dots begin
    path = TracedPath(rows, np.ones(120), 0, 120, 1.0, 1, False)
    cols, levels = step_corners(path, weight)
    assert cols[1] == pytest.approx(50.5, abs=1.0)  # before: 57.5, the column where the path switched
    np.testing.assert_allclose(levels[1:], [45.0, 45.0], atol=0.5)


def test_a_dotted_arm_crossing_a_dashed_one_is_traced_to_its_end():
    arms = _black_arms(4, ("--", ":"))
    with pytest.warns(Warning, match="same ink"):
        fig = digitize_image(_figure(arms), x_range=(0, 30), y_range=(0, 1), n_arms=2, read_labels=False)
    assert len(fig.arms) == 2
    for t, s, _ in arms:
        arm = min(fig.arms, key=lambda a: mean_miss(a, t, s))
        assert mean_miss(arm, t, s) < 0.01
        assert arm.time[-1] >= 29.0  # before: one trace ended at t=10, where it rode the other arm


def _thin_curve(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A black step curve 0.6 px wide (drawn 3 px wide at 5x, then shrunk by area): pixels of many greys.

    Returns the RGB panel and the true row of the curve's level in every column.
    """
    rng = np.random.default_rng(seed)
    k, shape = 5, (240, 500)
    big = np.full((shape[0] * k, shape[1] * k, 3), 255, np.uint8)
    points, col, row = [], 5.0 * k, 10.0 * k
    truth = np.full(shape[1], np.nan)
    while col < 490 * k:
        nxt = col + rng.uniform(5, 25) * k
        points += [(col, row), (nxt, row)]
        truth[int(col / k): int(nxt / k) + 1] = row / k
        row += rng.uniform(0.7, 3.3) * k
        col = nxt
    cv2.polylines(big, [np.array(points, np.int32)], False, (0, 0, 0), 3, cv2.LINE_8)
    return cv2.resize(big, shape[::-1], interpolation=cv2.INTER_AREA), truth


@pytest.mark.parametrize("seed", [0, 2])
def test_a_thin_black_line_spread_over_many_greys_is_traced(seed):
    crop, truth = _thin_curve(seed)
    _, _, paths, *_ = trace_arms(crop)  # before: no curve (its darkest grey alone held too few pixels)
    assert len(paths) == 1
    path = paths[0][1]
    assert path.stop - path.start >= 0.95 * (np.flatnonzero(~np.isnan(truth))[-1] - 5)
    cols = np.arange(path.start + 10, path.stop - 10)
    cols = cols[~np.isnan(truth[cols])]
    assert np.median(np.abs(path.rows[cols] - truth[cols])) <= 1.0


def _arm(end: float, level: float, *, colour: str = "#000000", label: str | None = None) -> DigitizedArm:
    time = np.array([0.0, 5.0, 10.0, end])
    survival = np.array([1.0, 0.8, level, level])
    quality = {"survival_per_px": 0.004, "time_per_px": 0.06}
    return DigitizedArm(label, colour, time, survival, np.array([]), np.array([]), quality)


@pytest.mark.parametrize(("strayed", "level", "kept_end"), [
    pytest.param(False, 0.6, 28.0, id="clean-first-trace-runs-on-under-the-label"),
    pytest.param(True, 0.6, 20.0, id="first-trace-strayed"),
    pytest.param(False, 0.5, 20.0, id="first-trace-follows-another-curve"),
])
def test_a_tail_lost_under_a_masked_word_is_taken_from_a_clean_first_tracing(strayed, level, kept_end):
    masked = [_arm(20.0, 0.6, colour="#b0b0b0", label="Standard")]
    first = ([_arm(28.0, level, colour="#424242")], False, [strayed], [])
    kept = _keep_tails(masked, False, first)
    assert kept[0].time[-1] == pytest.approx(kept_end)
    assert kept[0].label == "Standard"  # the retrace's label stays


def _dashed_drop(drawn: np.ndarray, col: int, top: int, bottom: int) -> None:
    """A vertical dashed stroke, 2 px wide, dashes of 10 rows with gaps of 8, from ``top`` towards ``bottom``."""
    for row in range(top, bottom, 18):
        drawn[row: min(row + 10, bottom), col: col + 2] = True


def test_a_dashed_drop_reached_in_two_pieces_is_one_drawn_stroke():
    # base_r_016: the path took a dashed drop 721 -> 781 as 721 -> 771 (onto its last dash) and 771 -> 781 one
    # column on; the second piece lies wholly in a gap between dashes and was cut as a bare spur
    drawn = np.zeros((120, 200), bool)
    drawn[20:22, 0:101] = True  # the level before the drop
    _dashed_drop(drawn, 100, 20, 77)  # dashes at rows 20-29, 38-47, 56-65, 74-76
    drawn[76:78, 101:200:10] = True  # the dashed level after it (dots of it, enough to be drawn)
    cols = np.array([0.0, 99.5, 100.0, 150.0])
    rows = np.array([20.5, 64.0, 76.5, 76.5])  # the second piece, rows 66 to 74, lies in a gap
    out_cols, out_rows, height, _, _ = bare_drop(cols, rows, drawn, 1)
    assert out_cols[-1] == 150.0 and height == 0.0  # before: cut at column 100, the drop 64 -> 76.5 bare
    alone = np.array([0.0, 99.5, 140.0, 150.0])  # the same rows, the second drop 40 columns on: a drop of its own
    alone_cols, alone_rows, _, _, _ = bare_drop(alone, rows, drawn, 1)
    assert alone_cols[-1] == 140.0 and alone_rows[-1] == 64.0  # cut there as a bare spur


def test_a_dashed_arm_ending_in_a_dashed_drop_to_zero_takes_the_drop():
    # base_r_016: the dashed arm's last event drops it to 0; its drop inks about half its rows, like its levels
    weight = np.zeros((120, 200), np.float32)
    own = np.zeros(200)
    for col in range(0, 150, 12):  # the dashed level at row 40, 7 columns on, 5 off
        weight[40, col: col + 7] = 1.0
        own[col: col + 7] = 1.0
    rows = np.full(200, 40, np.int64)
    path = TracedPath(rows, own, 0, 150, 0.6, 1, False)
    stroke = np.zeros((120, 200), bool)
    _dashed_drop(stroke, 149, 41, 100)
    dashed = np.where(stroke, 1.0, weight).astype(np.float32)
    assert final_drop(path, dashed, 40.0, 100.0)  # before: 90% of the rows were needed
    sparse = weight.copy()
    sparse[50:60, 149:151] = 1.0  # one dash under the end is no drop to 0
    assert not final_drop(path, sparse, 40.0, 100.0)
    solid_path = TracedPath(rows, np.ones(200), 0, 150, 1.0, 1, False)
    assert not final_drop(solid_path, dashed, 40.0, 100.0)  # a solid line's drop is solid
