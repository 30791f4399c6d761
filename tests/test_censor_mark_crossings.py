"""A curve dropping through another arm's line is no censor mark of that arm (survminer_minimal_003)."""

from __future__ import annotations

import numpy as np

from reconstruct.digitize import curves
from reconstruct.digitize.censor_marks import crossings_judged, drop_crossings, find_censor_marks


def _path(rows: np.ndarray, start: int = 0, stop: int | None = None) -> curves.TracedPath:
    stop = rows.size if stop is None else stop
    return curves.TracedPath(rows.astype(np.int64), np.ones(rows.size), start, stop, 1.0, 1, False)


def _scene():
    """Arm A: a level line at row 50 with one real '+' mark at column 60; arm B drops from row 40 to row 60
    at column 120, right through A's line (its stroke is in A's loose membership, as blended ink is)."""
    weight = np.zeros((100, 200), np.float32)
    weight[49:52, :] = 1.0  # A's line, 3 px thick
    weight[44:57, 59:62] = 1.0  # A's '+' at column 60: 6 px above and below the line
    weight[40:61, 119:122] = 1.0  # B's drop through A's line at column 120
    a = _path(np.full(200, 50))
    b_rows = np.where(np.arange(200) < 120, 40, 60)
    return weight, a, _path(b_rows)


def _none() -> np.ndarray:
    return np.empty(0)


def test_drop_crossings_removes_the_mark_where_another_curve_crosses_and_keeps_the_real_one():
    _, a, b = _scene()
    cols = np.array([60.0, 120.0])  # the loose membership takes B's stroke through A's line for a mark
    kept = drop_crossings(cols, a, [b], _none)  # the arm's own colour shows no mark
    np.testing.assert_allclose(kept, [60.0], atol=1.0)


def test_drop_crossings_keeps_marks_where_another_curve_only_runs_alongside():
    weight, a, _ = _scene()
    cols, _ = find_censor_marks(a, weight)
    level = _path(np.full(200, 50))  # another arm on the same level, not crossing: its marks are not in question
    above = _path(np.where(np.arange(200) < 120, 30, 44))  # drops at 120 but stays above A's line window
    np.testing.assert_allclose(drop_crossings(cols, a, [level, above], _none), cols)


def test_drop_crossings_ignores_a_crossing_outside_the_other_trace_span():
    weight, a, b = _scene()
    cols, _ = find_censor_marks(a, weight)
    b_short = _path(b.rows, start=0, stop=100)  # B's trace ends before the crossing column
    np.testing.assert_allclose(drop_crossings(cols, a, [b_short], _none), cols)


def test_drop_crossings_keeps_a_crossing_mark_that_the_arms_own_colour_shows():
    """A real glyph next to a crossing (survminer_classic_001's small arm at t = 2.1) stays: the strict
    membership, which holds no other arm's blended ink, finds it within the glyph's columns."""
    weight, a, b = _scene()
    cols, _ = find_censor_marks(a, weight)
    np.testing.assert_allclose(drop_crossings(cols, a, [b], lambda: np.array([121.0])), cols)
    np.testing.assert_allclose(drop_crossings(cols, a, [b], lambda: np.array([110.0])), [60.0], atol=1.0)  # 10 px off: not it


def test_drop_crossings_asks_for_the_own_colour_marks_only_at_a_crossing():
    """The strict membership's marks cost a second search per arm; with no mark at a crossing it is not run."""
    weight, a, _ = _scene()
    calls = []

    def own() -> np.ndarray:
        calls.append(1)
        return np.empty(0)

    above = _path(np.where(np.arange(200) < 120, 30, 44))
    np.testing.assert_allclose(drop_crossings(np.array([60.0, 120.0]), a, [above], own), [60.0, 120.0])
    assert calls == []
    _, _, b = _scene()
    b2 = _path(np.where(np.arange(200) < 160, 40, 60))  # a second arm dropping through A's line at column 160
    kept = drop_crossings(np.array([60.0, 120.0, 160.0]), a, [b, b2], own)
    np.testing.assert_allclose(kept, [60.0], atol=1.0)
    assert calls == [1]  # asked once, however many marks are at crossings


def test_only_coloured_arms_have_their_marks_judged_at_crossings():
    """Greys (chroma up to GREY_CHROMA = 12 Lab units) keep every mark: their memberships take in the other greys."""
    assert crossings_judged(40.0) and crossings_judged(12.5)
    assert not crossings_judged(12.0) and not crossings_judged(0.0)
