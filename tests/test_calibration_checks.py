"""A wrong x calibration (a misread tick label) stops the run instead of shifting every time."""

from __future__ import annotations

import pytest

from reconstruct.digitize.calibration_checks import check_curves_start_at_zero
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
