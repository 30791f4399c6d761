"""Checks of an axis calibration against what the traced curves themselves say.

Tick labels read by OCR can be misread ("3" as "1") and two labels always fit a line exactly, so a
wrong x calibration can pass every check of the labels alone. The curves give an independent anchor:
a Kaplan-Meier curve starts at time 0, so a curve that starts well before time 0 on the calibrated axis
means the calibration is wrong, and the run must stop rather than report shifted times. The evenly
spaced ticks give another: labels sit at multiples of their step. And a y axis without labels read is
taken for 0 to 1 only when its ticks span the panel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from reconstruct.errors import CalibrationError, DigitizationError

__all__ = ["START_TOLERANCE_PX", "START_TOLERANCE_SHARE", "check_curves_start_at_zero", "check_full_axis",
           "check_panel_holds_start", "check_ticks_on_step"]

START_TOLERANCE_PX = 6.0
"""Pixels a curve may start left of time 0 (anti-aliasing, a line end drawn past its first point)."""
START_TOLERANCE_SHARE = 0.03
"""Share of the labelled x range a curve may start left of time 0 (ggplot and R pad the axis by 4%)."""
START_LEVEL = 0.95
"""Survival below which a curve's level at the panel's left edge is no start (a KM curve starts at 1)."""


def _start_tolerance(time_per_px: float, values: NDArray[np.float64]) -> float:
    """Time a curve's start may lie off 0: ``START_TOLERANCE_PX`` columns or ``START_TOLERANCE_SHARE`` of the
    labelled range ``values`` spans, whichever is more."""
    span = float(np.ptp(values)) if values.size >= 2 else 0.0
    return max(START_TOLERANCE_PX * abs(float(time_per_px)), START_TOLERANCE_SHARE * span)


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
    tolerance = _start_tolerance(time_per_px, values)
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


def check_panel_holds_start(first_levels: Sequence[float], *, left_time: float, time_per_px: float,
                            tick_values: Sequence[float]) -> None:
    """Raise when the panel found starts after time 0 and a curve enters it there below its start.

    Grid lines inside a light frame (ggplot2's ``theme_light``) can be taken for the panel's edges: the
    panel then begins at a later time, the curves are cut there, and their first level (0.86, not 1)
    would be reconstructed as the start. The calibration itself is right (the ticks are), so only the
    trace says so.

    Parameters
    ----------
    first_levels : sequence of float
        Survival of each traced curve at its first point (proportion).
    left_time : float
        Calibrated time of the panel's left edge (time units).
    time_per_px : float
        Time units per pixel column of the calibration (absolute slope).
    tick_values : sequence of float
        The x tick values the calibration was fitted to (for the tolerance).

    Raises
    ------
    DigitizationError
        When the left edge lies after time 0 by more than ``max(6 px, 3% of the labelled range)`` and a
        curve's first level is below ``START_LEVEL``.
    """
    tolerance = _start_tolerance(time_per_px, np.asarray(tick_values, dtype=float))
    lowest = min((float(v) for v in first_levels), default=1.0)
    if left_time <= tolerance or lowest >= START_LEVEL:
        return
    raise DigitizationError(
        f"expected a plot panel that reaches back to time 0, got one whose left edge is at time {left_time:.3g}, "
        f"where a curve enters it at survival {lowest:.2f}: grid lines were probably taken for the panel's frame; "
        "crop the figure to the plot panel and give --x-range FIRST LAST"
    )


def check_ticks_on_step(values: Sequence[float], read_px: Sequence[float], tick_px: Sequence[float]) -> None:
    """Raise when a few labels read put the evenly spaced ticks off the multiples of their step.

    Plotting software labels ticks at multiples of a step (0, 4, 8, ...; R's ``pretty``, ggplot2's breaks,
    matplotlib's locators). Two labels always fit a line, so one misread of two ("12" read as "11") passes
    every other check; the values the line gives at all the ticks found then step by an odd amount
    (3.5) off its multiples. Three or more labels on a line are not checked: they are consistent already.

    Parameters
    ----------
    values, read_px : sequence of float
        The labels read and their tick columns.
    tick_px : sequence of float
        Every evenly spaced tick found on the axis.

    Raises
    ------
    CalibrationError
        When a tick's value is more than a tenth of the step from a multiple of the step.
    """
    vals, at, ticks = (np.asarray(v, dtype=float) for v in (values, read_px, tick_px))
    if vals.size > 2 or ticks.size < 3 or np.ptp(at) == 0:
        return
    slope = float(np.ptp(vals) / (at[np.argmax(vals)] - at[np.argmin(vals)]))
    on_ticks = vals[0] + (ticks - at[0]) * slope
    step = float(np.median(np.abs(np.diff(on_ticks))))
    if step <= 0:
        return
    ratio = on_ticks / step
    if np.max(np.abs(ratio - np.round(ratio))) > 0.1:
        read = ", ".join(f"{v:g} at column {p:.0f}" for v, p in zip(vals, at, strict=True))
        raise CalibrationError(
            f"expected x tick labels at multiples of their step, got {read}, which put the {ticks.size} evenly "
            f"spaced ticks at steps of {step:.3g} off its multiples; a tick label was probably misread: pass "
            "--x-range FIRST LAST (the first and last labelled x ticks)"
        )


def check_full_axis(panel) -> None:
    """Raise unless the y ticks of ``panel`` (a :class:`reconstruct.digitize.axes.PlotPanel`) reach from near
    its bottom to near its top (so may run 0 to 1).

    Plotting software leaves at most a few percent of the panel beyond the axis limits; ticks that
    stop well short of an edge are a part of the axis (a tick missed, or a 0-0.8 axis), and taking
    them for 0 to 1 would give a wrong scale.
    """
    rows = panel.y_tick_rows
    height = panel.row1 - panel.row0
    margin = 0.1 * height
    if rows.size < 3 or rows.max() < panel.row1 - 1 - margin or rows.min() > panel.row0 + margin:
        raise CalibrationError(
            f"expected readable y tick labels or y ticks spanning the panel, got no labels and {rows.size} ticks "
            f"at rows {np.round(rows, 1).tolist()} in a panel from row {panel.row0} to {panel.row1}; "
            "pass --y-range A B (values of the first and last labelled y tick)"
        )
