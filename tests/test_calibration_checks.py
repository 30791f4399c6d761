"""A wrong x calibration (a misread tick label) stops the run instead of shifting every time."""

from __future__ import annotations

import pytest

from reconstruct.digitize.calibration_checks import check_curves_start_at_zero, check_panel_holds_start
from reconstruct.errors import CalibrationError, DigitizationError


def test_two_labels_that_put_the_curve_start_before_zero_are_a_calibration_error():
    # "3" read as "1": labels 1 and 9 at columns 77 and 152 put the curves' start (column 40) at -2.84
    with pytest.raises(CalibrationError, match=r"start at -2.84 .*1 at column 77, 9 at column 152.*--x-range"):
        check_curves_start_at_zero([-2.84, 0.0], time_per_px=8 / 75, tick_values=[1, 9], tick_px=[77, 152])


def test_three_labels_blame_the_trace_not_the_calibration():
    with pytest.raises(DigitizationError, match=r"traced curve starting at -1.54"):
        check_curves_start_at_zero([-1.54], time_per_px=0.06, tick_values=[0, 6, 12, 18], tick_px=[219, 316, 414, 511])


@pytest.mark.parametrize(
    ("start", "per_px", "ok"),
    [
        (0.0, 0.1, True),
        (-0.59, 0.1, True),    # within 6 px
        (-0.71, 0.1, True),    # within 3% of the range 0-24 (0.72)
        (-0.73, 0.1, False),   # beyond both
        (-0.73, 0.13, True),   # 6 px of a coarser axis
    ],
)
def test_tolerance_is_six_pixels_or_three_percent_of_the_labelled_range(start, per_px, ok):
    args = dict(time_per_px=per_px, tick_values=[0, 24], tick_px=[40, 280])
    if ok:
        check_curves_start_at_zero([start, 1.0], **args)
    else:
        with pytest.raises(CalibrationError):
            check_curves_start_at_zero([start, 1.0], **args)


def test_no_curves_nothing_to_check():
    check_curves_start_at_zero([], time_per_px=0.1, tick_values=[0, 24], tick_px=[40, 280])


def test_a_panel_cut_after_time_zero_with_a_curve_entering_below_its_start_stops():
    # survminer theme_light, seed-9091 survminer_light_001: grid lines at 3 and 36 months taken for the frame;
    # the curve enters the panel at 0.88 and would be reconstructed as starting there
    with pytest.raises(DigitizationError, match=r"left edge is at time 3.01, where a curve enters it at survival 0.88"):
        check_panel_holds_start([0.88], left_time=3.01, time_per_px=0.049, tick_values=[6, 12, 18, 24, 30, 36])


@pytest.mark.parametrize(
    ("left", "level", "ok"),
    [
        (3.01, 0.96, True),    # a curve entering at its start: the axis may begin later (nothing is cut)
        (0.89, 0.5, True),     # within 3% of the range 6-36 (0.9)
        (0.95, 0.5, False),    # beyond it
        (-1.4, 0.5, True),     # the panel reaches before time 0 (ggplot pads the axis)
    ],
)
def test_a_panel_start_is_judged_against_three_percent_of_the_range_and_a_level_of_095(left, level, ok):
    args = dict(left_time=left, time_per_px=0.049, tick_values=[6, 36])
    if ok:
        check_panel_holds_start([1.0, level], **args)
    else:
        with pytest.raises(DigitizationError):
            check_panel_holds_start([1.0, level], **args)
