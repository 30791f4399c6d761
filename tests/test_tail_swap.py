"""Two traces of one ink that took each other's tail where they met: swapped back when the table says so."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from kmrecon.run_arms import swap_crossed_tails
from reconstruct.arm_matching import RiskRowInfo
from reconstruct.digitize.digitized import DigitizedArm
from reconstruct.tail_swap import Tail, crossed_tails, swap_after

# Table every 12 months. Arm "late" still has 1 patient at 48 (its curve ends at 49); arm "early" has 0 at 48
# (its curve ends at 46.5). The curves cross at t=40 (both at 0.30); the tracer followed each into the other.
_TIMES = np.array([0.0, 12.0, 24.0, 36.0, 48.0, 60.0])
_LATE_ROW = np.array([116.0, 62.0, 35.0, 24.0, 1.0, 0.0])
_EARLY_ROW = np.array([50.0, 22.0, 16.0, 10.0, 0.0, 0.0])
# traced "late": its own curve up to 40, then early's tail (flat 0.30 to 46.5)
_LATE_TRACE = (np.array([0.0, 10.0, 30.0, 40.0, 46.5]), np.array([1.0, 0.6, 0.40, 0.30, 0.30]))
# traced "early": its own curve up to 40, then late's tail (0.30, drop to 0.22 at 44, on to 49)
_EARLY_TRACE = (np.array([0.0, 5.0, 20.0, 40.0, 44.0, 49.0]), np.array([1.0, 0.5, 0.32, 0.30, 0.22, 0.22]))
_MEET, _SLACK = 0.011, 0.44  # 4 px of 0.00274 survival and of 0.11 months


def _tail(trace, row, marks=()):
    return Tail(trace[0], trace[1], np.asarray(marks, float), _TIMES, row)


def test_crossed_tails_swap_at_the_last_meeting_point():
    late, early = _tail(_LATE_TRACE, _LATE_ROW, [45.0]), _tail(_EARLY_TRACE, _EARLY_ROW, [47.0])
    at = crossed_tails(late, early, _MEET, _SLACK)
    assert at == pytest.approx(40.0)
    new_late, new_early = swap_after(late, early, at)
    np.testing.assert_allclose(new_late.time, [0.0, 10.0, 30.0, 40.0, 44.0, 49.0])
    np.testing.assert_allclose(new_late.survival, [1.0, 0.6, 0.40, 0.30, 0.22, 0.22])
    np.testing.assert_allclose(new_early.time, [0.0, 5.0, 20.0, 40.0, 46.5])
    np.testing.assert_allclose(new_early.survival, [1.0, 0.5, 0.32, 0.30, 0.30])
    np.testing.assert_allclose(new_late.marks, [47.0])  # marks after the meeting point go with their tail
    np.testing.assert_allclose(new_early.marks, [45.0])
    # argument order does not matter
    assert crossed_tails(early, late, _MEET, _SLACK) == pytest.approx(40.0)


def test_no_swap_when_the_partner_ends_within_the_slack_of_its_zero():
    # early's trace ends at 48.3: a line cap past its row's 0 at 48, no evidence that it took late's tail
    early = (_EARLY_TRACE[0][:-1].tolist() + [48.3], _EARLY_TRACE[1])
    assert crossed_tails(_tail(_LATE_TRACE, _LATE_ROW), _tail(tuple(map(np.asarray, early)), _EARLY_ROW),
                         _MEET, _SLACK) is None


def test_no_swap_when_the_swapped_end_would_still_be_short():
    # late's row has patients up to 60: early's tail (ending 49) would not reach it either
    late_row = np.array([116.0, 62.0, 35.0, 24.0, 5.0, 2.0])
    assert crossed_tails(_tail(_LATE_TRACE, late_row), _tail(_EARLY_TRACE, _EARLY_ROW), _MEET, _SLACK) is None


def test_no_swap_when_the_traces_never_meet():
    apart = (_EARLY_TRACE[0], _EARLY_TRACE[1] - np.array([0.0, 0.1, 0.1, 0.1, 0.1, 0.1]))
    assert crossed_tails(_tail(_LATE_TRACE, _LATE_ROW), _tail(apart, _EARLY_ROW), _MEET, _SLACK) is None


@dataclass(frozen=True)
class _Fig:
    arms: tuple


def _arm(trace, colour):
    quality = {"survival_per_px": 0.00274, "time_per_px": 0.11, "line_half_width_px": 1}
    return DigitizedArm(None, colour, trace[0], trace[1], np.empty(0), np.empty(0), quality)


def _rows():
    return [RiskRowInfo(None, None, _TIMES, _LATE_ROW.astype(int)), RiskRowInfo(None, None, _TIMES,
                                                                             _EARLY_ROW.astype(int))]


def test_swap_crossed_tails_exchanges_same_ink_arms_and_says_so():
    notes: list[str] = []
    fig = swap_crossed_tails(_Fig((_arm(_LATE_TRACE, "#737272"), _arm(_EARLY_TRACE, "#767575"))), _rows(),
                             ["Experimental", "Control"], notes)
    assert float(fig.arms[0].time[-1]) == pytest.approx(49.0)
    assert float(fig.arms[1].time[-1]) == pytest.approx(46.5)
    assert len(notes) == 1
    assert "Experimental and Control" in notes[0]
    assert "t=40" in notes[0]


def test_swap_crossed_tails_leaves_curves_of_two_inks_alone():
    notes: list[str] = []
    fig = _Fig((_arm(_LATE_TRACE, "#d62728"), _arm(_EARLY_TRACE, "#1f77b4")))  # red and blue: no tracer swaps
    assert swap_crossed_tails(fig, _rows(), ["Experimental", "Control"], notes) is fig
    assert notes == []


def test_no_swap_when_the_traces_meet_only_in_the_first_table_interval():
    # apart from t=5 on: a wrong row pairing, not a crossing
    late = (np.array([0.0, 5.0, 30.0, 46.5]), np.array([1.0, 0.7, 0.40, 0.30]))
    early = (np.array([0.0, 5.0, 20.0, 49.0]), np.array([1.0, 0.5, 0.22, 0.22]))
    assert crossed_tails(_tail(late, _LATE_ROW), _tail(early, _EARLY_ROW), _MEET, _SLACK) is None
