"""Cleaning of digitized curves and at-risk tables before reconstruction.

Real digitized data has small defects: points before time 0 or above 1,
survival given in percent, duplicate or unsorted times, upward blips, at-risk
rows past the end of the curve and zero rows at its tail. Each repair is
recorded as a note so that the user can see what was changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reconstruct.validation import check_finite_array, check_positive
from reconstruct.errors import InputError

__all__ = ["CleanedCurve", "CleanedAtRisk", "clean_curve", "clean_at_risk"]

# No follow-up in any time unit comes near this; beyond it the arithmetic of the solve overflows.
_MAX_TIME = 1e12
# Time of a drop drawn at time 0, as a share of the curve's span (well inside its first pixel column).
_START_DROP = 1e-4


@dataclass(frozen=True, eq=False)
class CleanedCurve:
    """A survival curve ready for reconstruction.

    Attributes
    ----------
    time : ndarray of shape (n_points,)
        Strictly increasing times, starting at 0.
    survival : ndarray of shape (n_points,)
        Non-increasing proportions in [0, 1]; ``survival[0]`` is the value at time 0.
    notes : tuple of str
        One line per repair made.
    """

    time: NDArray[np.float64]
    survival: NDArray[np.float64]
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class CleanedAtRisk:
    """A number-at-risk table ready for reconstruction.

    Attributes
    ----------
    time : ndarray of shape (n_rows,)
        Strictly increasing table times, the first one 0.
    n_risk : ndarray of int64, shape (n_rows,)
        Non-increasing numbers at risk (patients with observed time >= ``time``).
    notes : tuple of str
    """

    time: NDArray[np.float64]
    n_risk: NDArray[np.int64]
    notes: tuple[str, ...]


def clean_curve(
    time: ArrayLike,
    survival: ArrayLike,
    *,
    percent: bool | None = None,
    max_rise: float = 0.05,
    name: str = "curve",
) -> CleanedCurve:
    """Repair a digitized survival curve.

    Parameters
    ----------
    time, survival : array_like of shape (n_points,)
        Digitized coordinates, in any order.
    percent : bool, optional
        Whether survival is in percent. ``None`` (default) decides from the data:
        a maximum above 1.5 means percent.
    max_rise : float, default 0.05
        Largest upward blip (survival units) repaired silently by the running
        minimum; a larger rise is an error, since it means a wrong curve (or a
        cumulative-incidence curve).
    name : str
        Name used in messages (e.g. the arm).

    Returns
    -------
    CleanedCurve

    Raises
    ------
    InputError
        For fewer than two usable points, or a rise larger than ``max_rise``.
    """
    t = check_finite_array(time, name=f"{name}: time")
    s = check_finite_array(survival, name=f"{name}: survival")
    check_positive(max_rise, name="max_rise", allow_zero=True)
    if t.shape != s.shape:
        raise InputError(f"{name}: time and survival must have the same length, got {t.size} and {s.size}")
    notes: list[str] = []
    if percent is None:
        percent = bool(s.size and s.max() > 1.5)
    if percent:
        s = s / 100.0
        notes.append("survival read as percent and divided by 100")
    before = t < 0
    if before.any():
        notes.append(f"dropped {int(before.sum())} point(s) before time 0")
        t, s = t[~before], s[~before]
    outside = (s > 1.0) | (s < 0.0)
    if outside.any():
        notes.append(f"clipped {int(outside.sum())} survival value(s) to [0, 1]")
        s = np.clip(s, 0.0, 1.0)
    if t.size == 0:
        raise InputError(f"{name}: expected at least one point at time >= 0, got none")
    if t.max() > _MAX_TIME:
        raise InputError(f"{name}: expected times below {_MAX_TIME:g}, got {t.max():g}; check the time column")
    order = np.lexsort((-s, t))  # by time, then survival descending within a time
    if np.any(np.diff(order) < 0):
        notes.append("sorted points by time")
    t, s = t[order], s[order]
    rise = s - np.minimum.accumulate(s)
    worst = int(np.argmax(rise))
    if rise[worst] > max_rise + 1e-12:
        raise InputError(
            f"{name}: expected a non-increasing survival curve, got a rise of {rise[worst]:.3g} "
            f"at time {t[worst]:.6g}; check the arm assignment, or convert a cumulative-incidence curve with 1 - F"
        )
    if rise.max() > 0:
        notes.append(f"flattened {int((rise > 0).sum())} upward blip(s), the largest {rise.max():.3g}")
        s = np.minimum.accumulate(s)
    # Duplicate times: keep the lowest value (the curve is right-continuous).
    uniq, first = np.unique(t, return_index=True)
    if uniq.size < t.size:
        notes.append(f"merged {t.size - uniq.size} duplicate time(s), keeping the value after the drop")
        last = np.r_[first[1:] - 1, t.size - 1]
        t, s = uniq, s[last]
    if t[0] > 0:
        t, s = np.r_[0.0, t], np.r_[1.0, s]
        notes.append("added the start point (0, 1)")
    elif s[0] < 1.0:
        # The curve leaves time 0 below 1: its first drop is drawn on the y axis (events within the first
        # pixel of follow-up). Kept just after time 0; set to 1 at time 0 it would move to the next point.
        start = min(_START_DROP * t[-1], 0.5 * t[1]) if t.size > 1 else 0.0
        if start > 0:
            notes.append(f"moved the drop to {s[0]:.4g} drawn at time 0 to time {start:.3g}")
            t, s = np.r_[0.0, start, t[1:]], np.r_[1.0, s]
        else:
            notes.append(f"set survival at time 0 from {s[0]:.4g} to 1")
            s = s.copy()
            s[0] = 1.0
            s = np.minimum.accumulate(s)
    if t.size < 2:
        raise InputError(f"{name}: expected at least two points after cleaning, got {t.size}")
    return CleanedCurve(time=t, survival=s, notes=tuple(notes))


def clean_at_risk(
    time: ArrayLike,
    n_risk: ArrayLike,
    *,
    curve_end: float,
    name: str = "at-risk table",
) -> CleanedAtRisk:
    """Repair a number-at-risk table and check it against the curve it belongs to.

    Parameters
    ----------
    time, n_risk : array_like of shape (n_rows,)
        Table times and numbers at risk.
    curve_end : float
        Last time of the digitized curve; rows after it are dropped.
    name : str
        Name used in messages.

    Returns
    -------
    CleanedAtRisk

    Raises
    ------
    InputError
        If there is no row at time 0, numbers are not whole and >= 0, the same time
        has two different numbers, or the numbers rise with time.
    """
    t = check_finite_array(time, name=f"{name}: time")
    n = check_finite_array(n_risk, name=f"{name}: n_risk")
    if t.shape != n.shape:
        raise InputError(f"{name}: time and n_risk must have the same length, got {t.size} and {n.size}")
    if np.any(n < 0) or np.any(n != np.round(n)):
        bad = n[(n < 0) | (n != np.round(n))][0]
        raise InputError(f"{name}: n_risk must be whole numbers >= 0, got {bad!r}")
    notes: list[str] = []
    order = np.argsort(t, kind="stable")
    t, n = t[order], n[order].astype(np.int64)
    position = order  # input position of each row, for messages
    uniq, inverse = np.unique(t, return_inverse=True)
    if uniq.size < t.size:
        for k in range(uniq.size):
            values = np.unique(n[inverse == k])
            if values.size > 1:
                raise InputError(
                    f"{name}: expected one number at risk per time, got {values.tolist()} at time {uniq[k]:.6g}"
                )
        notes.append(f"dropped {t.size - uniq.size} repeated row(s)")
        first = np.unique(inverse, return_index=True)[1]
        t, n, position = uniq, n[first], position[first]
    if t.size == 0 or t[0] != 0:
        raise InputError(f"{name}: expected a row at time 0 (the number randomised), got first time {t[:1].tolist()}")
    rises = np.flatnonzero(np.diff(n) > 0)
    if rises.size:
        k = int(rises[0])
        raise InputError(
            f"{name}: expected numbers at risk that never increase, got {n[k]} at time {t[k]:.6g} "
            f"then {n[k + 1]} at time {t[k + 1]:.6g}; check those numbers (a misread or mistyped cell) and which row "
            "belongs to which arm",
            row=int(position[k + 1]),
        )
    past = t > curve_end
    if past.any():
        notes.append(
            f"dropped {int(past.sum())} row(s) after the curve's end at {curve_end:.6g} "
            f"(numbers {n[past].tolist()})"
        )
        t, n = t[~past], n[~past]
    zeros = np.flatnonzero(n == 0)
    if zeros.size > 1:
        notes.append(f"dropped {zeros.size - 1} zero row(s) at the tail")
        t, n = t[: zeros[0] + 1], n[: zeros[0] + 1]
    if n[0] == 0:
        raise InputError(f"{name}: expected a positive number at risk at time 0, got 0")
    return CleanedAtRisk(time=t, n_risk=n, notes=tuple(notes))
