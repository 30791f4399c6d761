"""A drop traced onto a censor mark a few pixels past its thin stroke is moved onto the stroke
(trace_check.snap_bare_drops), and then is no bare drop; a drop with no stroke near it stays where it was."""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.digitize.trace_check import bare_drop, snap_bare_drops


def _drawn(stroke: bool = True, old_runs_on: bool = False) -> np.ndarray:
    """120 x 200 drawn mask: a level at row 20 to col 100, a 2 px stroke down cols 100-101 to row 60, a level at row
    60 from col 100, and a censor mark (rows 54-66) at col 106 on the new level. With ``old_runs_on`` the old level
    runs on to col 199 (a curve crossing there, not a corner)."""
    drawn = np.zeros((120, 200), bool)
    drawn[19:22, :101] = True
    if old_runs_on:
        drawn[19:22, :] = True
    if stroke:
        drawn[20:61, 100:102] = True
    drawn[59:62, 100:] = True
    drawn[54:67, 106] = True
    return drawn


def test_a_drop_traced_onto_a_censor_mark_moves_to_its_stroke():
    cols, rows = np.array([0.0, 106.0, 199.0]), np.array([20.0, 60.0, 60.0])
    drawn = _drawn()
    assert bare_drop(cols, rows, drawn, 1)[2] == pytest.approx(40.0)  # as traced: 40 px with nothing drawn under it
    snapped = snap_bare_drops(cols, rows, drawn, 1)
    assert snapped[1] == pytest.approx(100.5, abs=0.6)  # the stroke's centre, within a pixel
    assert snapped[0] == 0.0
    assert snapped[2] == 199.0
    assert bare_drop(snapped, rows, drawn, 1)[2] == 0.0


def test_a_drop_with_no_stroke_near_or_a_level_running_on_stays():
    cols, rows = np.array([0.0, 106.0, 199.0]), np.array([20.0, 60.0, 60.0])
    assert snap_bare_drops(cols, rows, _drawn(stroke=False), 1)[1] == 106.0
    # the old level drawn on past the stroke: a crossing line, the trace's corner is not moved onto it
    assert snap_bare_drops(cols, rows, _drawn(old_runs_on=True), 1)[1] == 106.0
    far = np.array([0.0, 120.0, 199.0])  # the stroke 20 px away: beyond 4 * half_width + 4
    assert snap_bare_drops(far, rows, _drawn(), 1)[1] == 120.0


def test_a_drop_inked_only_at_its_two_ends_is_bare():
    """Censor marks on both levels ink the ends of a drop's interior (rows 53-83: 10 of 31 rows, over the 30% share
    that alone made a drop bare); the 21-row bare run between them is longer than a dash gap may leave
    (max(6 * (half_width + 1), 60% of the rows) = 18.6)."""
    drawn = np.zeros((120, 200), bool)
    drawn[48:53, :101] = True  # old level, row 50, half width 2
    drawn[84:89, 100:] = True  # new level, row 86
    drawn[43:58, 100] = True  # a mark on the old level at the drop's column: interior rows 53-57
    drawn[79:94, 101] = True  # a mark on the new level: interior rows 79-83
    cols, rows = np.array([0.0, 100.0, 199.0]), np.array([50.0, 86.0, 86.0])
    assert bare_drop(cols, rows, drawn, 2)[2] == pytest.approx(36.0)
    drawn[53:84, 100] = True  # a dashed drop: dashes with 1-row gaps every 6 rows are no bare drop
    drawn[55:84:6, 100] = False
    assert bare_drop(cols, rows, drawn, 2)[2] == 0.0


def test_a_trace_that_left_its_running_level_for_another_arms_drop_stays_bare():
    """Arm A's level (row 20) runs on to the panel's end; arm B drops from row 5 to row 60 down cols 106-107 and its
    new level begins there. A trace of A that leaves its level at col 100 for B's (a 40 px drop over bare rows) is
    not moved onto B's stroke: its old level runs on past the stroke, so the drop stays bare (40 px, flagged)."""
    drawn = np.zeros((120, 200), bool)
    drawn[19:22, :] = True  # arm A
    drawn[4:7, :107] = True  # arm B's old level
    drawn[5:61, 106:108] = True  # arm B's drop
    drawn[59:62, 106:] = True  # arm B's new level
    cols, rows = np.array([0.0, 100.0, 199.0]), np.array([20.0, 60.0, 60.0])
    snapped = snap_bare_drops(cols, rows, drawn, 1)
    assert snapped[1] == 100.0
    assert bare_drop(snapped, rows, drawn, 1)[2] == pytest.approx(40.0)
    drawn[19:22, 108:] = False  # A's level ends at the stroke: a step of A's own, moved onto it
    drawn[4:7, :] = False
    assert snap_bare_drops(cols, rows, drawn, 1)[1] == pytest.approx(106.5, abs=0.6)
