"""A curve's last level traced on over a legend box's bare margin onto the arm's key (covered_end.keyed_end):
the trace is cut at the box's edge and the end is covered; a curve ending of itself keeps its trace."""

from __future__ import annotations

import cv2
import numpy as np

from reconstruct.digitize.covered_end import end_covered, keyed_end
from reconstruct.digitize.trace_check import INK_DELTA

RED = (236, 6, 5)


def _panel(band: bool):
    """200 x 120 white panel: a red line at row 50 up to col 149, with ``band`` a pink band over rows 25-85 up to
    col 149; a legend box (white) from col 150 holds a red key at row 50, cols 160-175."""
    rgb = np.full((120, 200, 3), 255, np.uint8)
    if band:
        rgb[25:86, :150] = (250, 175, 175)
    rgb[49:52, :150] = RED
    rgb[49:52, 160:176] = RED
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    drawn = np.linalg.norm(lab - lab[0, 0], axis=-1) > INK_DELTA
    return rgb, drawn


def test_a_trace_run_onto_a_legend_key_is_cut_at_the_box_edge():
    rgb, drawn = _panel(band=True)
    cols, rows = np.array([0.0, 175.0]), np.array([50.0, 50.0])
    cut, covered = keyed_end(cols, rows, drawn, rgb, RED, (255, 255, 255), 1)
    assert covered
    assert cut[-1] == 149.0  # the last column the curve is seen in, before the box's 10 px margin
    assert cols[-1] == 175.0  # the input is not changed


def test_a_line_ending_of_itself_before_a_key_is_not_cut():
    rgb, drawn = _panel(band=False)  # only the line's own 3 rows end at col 149: no box's edge
    cols, rows = np.array([0.0, 175.0]), np.array([50.0, 50.0])
    cut, covered = keyed_end(cols, rows, drawn, rgb, RED, (255, 255, 255), 1)
    assert not covered
    assert cut[-1] == 175.0


def test_a_long_run_after_the_gap_is_no_key():
    rgb, drawn = _panel(band=True)
    drawn[49:52, 160:] = True  # the level goes on for 40 px (20% of the panel) past the gap: a curve, not a key
    cols, rows = np.array([0.0, 199.0]), np.array([50.0, 50.0])
    cut, covered = keyed_end(cols, rows, drawn, rgb, RED, (255, 255, 255), 1)
    assert not covered
    assert cut[-1] == 199.0


def test_end_covered_limits_censor_marks_to_the_cut_end():
    rgb, drawn = _panel(band=True)
    cols, covered, limit = end_covered(np.array([0.0, 175.0]), np.array([50.0, 50.0]), drawn, rgb, RED,
                                       (255, 255, 255), 1)
    assert covered
    assert cols[-1] == 149.0
    assert limit == 150.0  # the cut end plus the line's half width: a mark on the key (col 168) is dropped
    _, covered, limit = end_covered(np.array([0.0, 175.0]), np.array([50.0, 50.0]), *_panel(band=False)[::-1], RED,
                                    (255, 255, 255), 1)
    assert not covered
    assert limit == float("inf")
