"""How many patients are censored after the last at-risk row when censor marks are given.

Without marks, the censoring after the last row continues at the table's rate per patient and
time unit. Censor marks move the censorings onto a clock that jumps at each mark (see
:class:`reconstruct.guyot.CensorClock`); that clock says *where* they fall, but its units are
not time, so the *number* is still worked out in time. Marks after the last row also count:
each is at least one censoring, as far as the marks inside the table were confirmed by it
(so false marks, which the table shows up, count for little; the guard in
:mod:`reconstruct._mark_checks` sets aside the rest).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["MarkedTail"]


@dataclass(frozen=True, eq=False)
class MarkedTail:
    """Real times beside the censoring clock, and the marks per table interval and after the table.

    Attributes
    ----------
    point_time : ndarray of shape (n_points,)
        Times of the curve points after time 0.
    table_time : ndarray of shape (n_rows,)
        Times of the at-risk rows.
    table_marks : ndarray of shape (n_rows - 1,)
        Marks in each table interval ``[T_i, T_{i+1})``.
    tail_marks : float
        Marks from the last row up to (not at) the curve's end; marks at the end change nothing,
        since the patients left there are censored at the end anyway.
    """

    point_time: NDArray[np.float64]
    table_time: NDArray[np.float64]
    table_marks: NDArray[np.float64]
    tail_marks: float

    @classmethod
    def from_marks(cls, marks: NDArray[np.float64], counts: NDArray[np.float64], curve_t: NDArray[np.float64],
                   table_time: NDArray[np.float64]) -> MarkedTail:
        """Count the marks (``counts`` at each of the distinct times ``marks``) per interval."""
        row = np.searchsorted(table_time, marks, side="right") - 1
        per_row = np.bincount(row, weights=counts, minlength=table_time.size)
        tail = float(np.sum(counts[(row == table_time.size - 1) & (marks < curve_t[-1])]))
        return cls(point_time=curve_t[1:], table_time=table_time, table_marks=per_row[:-1], tail_marks=tail)

    def trust(self, anchors: NDArray[np.float64]) -> float:
        """Share of the table's marks that its censorings confirm, with one confirmed pseudo-mark.

        A mark in an interval without room for a censoring is a false one; marks missing where the
        table shows censorings only make the marks a lower bound. ``anchors`` are ``n_risk + D(<T)``
        at the rows; their drops are the censorings per interval.
        """
        marks = self.table_marks
        censored = np.maximum(anchors[:-1] - anchors[1:], 0.0)
        return float((np.sum(np.minimum(marks, censored)) + 1.0) / (marks.sum() + 1.0))

    def tail_censored(self, rate: float, tail: NDArray[np.bool_], n_tail: NDArray[np.float64],
                      anchors: NDArray[np.float64]) -> float:
        """Censorings expected after the last row: by the table's rate in time, at least the trusted marks.

        ``tail`` selects the points after the last row and ``n_tail`` holds the numbers at risk at
        the last row and at those points (for the exposure, as without marks).
        """
        times = np.r_[self.table_time[-1], self.point_time[tail]]
        in_time = float(np.sum(np.diff(times) * 0.5 * (n_tail[1:] + n_tail[:-1])))
        return max(rate * in_time, self.trust(anchors) * self.tail_marks)
