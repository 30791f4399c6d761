"""Checks of an axis calibration against what the traced curves themselves say.

Tick labels read by OCR can be misread ("3" as "1") and two labels always fit a line exactly, so a
wrong x calibration can pass every check of the labels alone. The curves give an independent anchor:
a Kaplan-Meier curve starts at time 0, so a curve that starts well before time 0 on the calibrated axis
means the calibration is wrong, and the run must stop rather than report shifted times.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reconstruct.errors import CalibrationError, DigitizationError

__all__ = ["START_TOLERANCE_PX", "START_TOLERANCE_SHARE", "check_curves_start_at_zero"]

START_TOLERANCE_PX = 6.0
"""Pixels a curve may start left of time 0 (anti-aliasing, a line end drawn past its first point)."""
START_TOLERANCE_SHARE = 0.03
"""Share of the labelled x range a curve may start left of time 0 (ggplot and R pad the axis by 4%)."""


def check_curves_start_at_zero(starts: Sequence[float], *, time_per_px: float, tick_values: Sequence[float],
                               tick_px: Sequence[float]) -> None:
    """Raise when a curve starts so far before time 0 that the x calibration cannot be right.

    Parameters
    ----------
    starts : sequence of float
        First time of each traced curve (calibrated, time units).
    time_per_px : float
        Time units per pixel column of the calibration (absolute slope).
    tick_values, tick_px : sequence of float
        The x tick values the calibration was fitted to and their pixel columns (named in the message).

    Raises
    ------
    CalibrationError
        When the earliest start is more than ``max(6 px, 3% of the labelled range)`` before 0 and the
        calibration rests on two tick labels (one of them is then probably misread).
    DigitizationError
        The same with three or more labels on one line: the trace, not the calibration, is wrong.
    """
    if not len(starts):
        return
    values = np.asarray(tick_values, dtype=float)
    span = float(np.ptp(values)) if values.size >= 2 else 0.0
    tolerance = max(START_TOLERANCE_PX * abs(float(time_per_px)), START_TOLERANCE_SHARE * span)
    earliest = float(np.min(starts))
    if earliest >= -tolerance:
        return
    read = ", ".join(f"{v:g} at column {p:.0f}" for v, p in zip(values, tick_px, strict=True))
    if values.size >= 3:  # three or more labels on one line: the labels are right, the trace is not
        raise DigitizationError(
            f"expected the curves to start at time 0 on the x axis, got a traced curve starting at {earliest:.3g} "
            f"(x tick labels {read}): the trace takes in lines before time 0 (a legend key, curve labels or "
            "another line touching it); crop the figure to the plot panel or digitize it with a tool you can steer"
        )
    raise CalibrationError(
        f"expected the curves to start at time 0 on the x axis, got a start at {earliest:.3g} from the x tick "
        f"labels read ({read}); a tick label was probably misread: pass --x-range FIRST LAST (the first and "
        "last labelled x ticks)"
    )
