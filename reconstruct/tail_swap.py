"""Tails of two curves of one ink, swapped where their traces last met.

Where two curves drawn in the same ink cross or run together, a tracer cannot tell which line goes on
which way: it may follow each curve up to the meeting point and the other curve after it. The at-risk
table then contradicts both traces at once: one ends before a time where its row still has patients,
the other runs on past the time its row has reached 0. Giving each the other's tail from their last
meeting point on mends both, and only then is the swap made (scan_019: two grey SAS curves crossing at
t=40; the trace of the arm with 1 patient left at t=48 ended at 46.6, its partner's, whose row is 0 at
t=48, ran on to 49).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from reconstruct.quality import SHORT_TOLERANCE

__all__ = ["Tail", "crossed_tails", "swap_after"]


class Tail(NamedTuple):
    """A traced curve's step corners and censor-mark times, with its at-risk row."""

    time: NDArray[np.float64]
    survival: NDArray[np.float64]
    marks: NDArray[np.float64]
    row_time: NDArray[np.float64]
    row_n: NDArray[np.float64]


def _last_alive(tail: Tail) -> float | None:
    """Latest table time at which the row still has patients (None for a row without one)."""
    alive = tail.row_time[tail.row_n > 0]
    return float(alive.max()) if alive.size else None


def _first_zero(tail: Tail) -> float | None:
    """Time past which a curve cannot run: the row's first 0; None without a 0.

    As :func:`reconstruct.arm_matching.follow_up_exclusions`: a row that rises or starts at 0 says nothing.
    """
    t, n = tail.row_time, tail.row_n
    if t.size < 2 or np.any(np.diff(n) > 0) or n[0] <= 0:
        return None
    zero = np.flatnonzero(n <= 0)
    if not zero.size or zero[0] == 0:
        return None
    return float(t[int(zero[0])])


def _short(end: float, tail: Tail) -> bool:
    """True when a curve ending at ``end`` stops short of ``tail``'s row (as the fit check rules it)."""
    alive = _last_alive(tail)
    return alive is not None and alive - end > SHORT_TOLERANCE * max(end, 1e-9)


def _past(end: float, tail: Tail, slack: float) -> bool:
    """True when a curve ending at ``end`` runs on past the first 0 of ``tail``'s row by more than ``slack``."""
    limit = _first_zero(tail)
    return limit is not None and end > limit + slack


def _level(tail: Tail, at: NDArray[np.float64]) -> NDArray[np.float64]:
    """The step function's value at times ``at`` (right-continuous)."""
    idx = np.searchsorted(tail.time, at, side="right") - 1
    return np.where(idx >= 0, tail.survival[np.clip(idx, 0, None)], 1.0)


def crossed_tails(a: Tail, b: Tail, meet: float, time_slack: float) -> float | None:
    """The time from which ``a`` and ``b`` should swap tails, or None when the table does not call for it.

    Called for when one trace stops short of its row (as the fit check rules it) and the other runs on past
    its row's first 0 by more than ``time_slack`` (a line cap and a mark's arm: a few pixels; the matching's
    follow-up slack of 15% of a table step is far looser), and the swapped ends satisfy both rows. The swap
    time is the last time before the earlier end at which the two traces are within ``meet`` (survival
    units: about a line width) of each other, past the rows' first table interval.

    Parameters
    ----------
    a, b : Tail
        Two curves of one ink with their rows.
    meet : float
        Largest survival gap at which two traces touch.
    time_slack : float
        How far past its row's first 0 a trace may end (time units).

    Returns
    -------
    float or None
    """
    end_a, end_b = float(a.time[-1]), float(b.time[-1])
    if _short(end_b, b) and _past(end_a, a, time_slack):
        a, b, end_a, end_b = b, a, end_b, end_a
    if not (_short(end_a, a) and _past(end_b, b, time_slack)):
        return None
    if _short(end_b, a) or _past(end_a, b, time_slack):
        return None  # the swapped ends would not fit their rows either
    grid = np.union1d(a.time, b.time)
    grid = grid[grid < min(end_a, end_b)]
    touch = grid[np.abs(_level(a, grid) - _level(b, grid)) <= meet]
    # traces that meet only in the first table interval (where every curve starts near 1) are two whole curves
    # given the wrong rows, not tails taken at a crossing: that is the matching's to decide
    first = min(float(a.row_time[1]), float(b.row_time[1]))
    return float(touch[-1]) if touch.size and touch[-1] > first else None


def swap_after(a: Tail, b: Tail, at: float) -> tuple[Tail, Tail]:
    """``a`` and ``b`` with their corners and marks from time ``at`` on exchanged.

    Each keeps its corners before ``at``; its corners from ``at`` on are the other's, so that its level at
    ``at`` is the other's there (within ``meet`` of its own, by :func:`crossed_tails`).
    """
    def joined(head: Tail, rest: Tail) -> Tail:
        keep, take = head.time < at, rest.time >= at
        marks = np.sort(np.r_[head.marks[head.marks < at], rest.marks[rest.marks >= at]])
        return head._replace(time=np.r_[head.time[keep], rest.time[take]],
                             survival=np.r_[head.survival[keep], rest.survival[take]], marks=marks)

    return joined(a, b), joined(b, a)
