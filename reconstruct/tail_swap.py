"""Tails of two curves of one ink, swapped where their traces met.

Where two curves drawn in the same ink cross or run together, a tracer cannot tell which line goes on
which way: it may follow each curve up to the meeting point and the other curve after it. The at-risk
table then contradicts both traces at once: one ends before a time where its row still has patients,
the other runs on past the time its row has reached 0. Giving each the other's tail from their meeting
point on mends both, and only then is the swap made, when they meet once past the first table interval
(scan_019: two grey SAS curves crossing at t=40; the trace of the arm with 1 patient left at t=48 ended
at 46.6, its partner's, whose row is 0 at t=48, ran on to 49). The run flags both arms' reading.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reconstruct.quality import short_of_table, step_at
from reconstruct.row_evidence import first_zero

__all__ = ["Tail", "TailSwap", "crossed_tails", "swap_after"]


@dataclass(frozen=True)
class Tail:
    """A traced curve's step corners and censor-mark times, with its at-risk row."""

    time: NDArray[np.float64]
    survival: NDArray[np.float64]
    marks: NDArray[np.float64]
    row_time: NDArray[np.float64]
    row_n: NDArray[np.float64]


@dataclass(frozen=True)
class TailSwap:
    """Two arms whose traces' tails were exchanged from time ``at`` on (:func:`crossed_tails`)."""

    arms: tuple[str, str]
    at: float

    def describe(self) -> str:
        """The reading flag put on both arms."""
        return (f"tails of curves {self.arms[0]} and {self.arms[1]} exchanged after t={self.at:g}: same-ink traces "
                "crossed (each ended where the other's at-risk row says it cannot); check overlay.png")


def _short(trace: Tail, row: Tail, time_limit: float | None) -> bool:
    """True when ``trace``'s curve stops short of ``row``'s at-risk row, by the fit check's own rule."""
    ratio, _ = short_of_table(float(trace.time[-1]), float(trace.survival[-1]), row.row_time, row.row_n, time_limit)
    return ratio > 1.0


def _past(end: float, tail: Tail, slack: float) -> bool:
    """True when a curve ending at ``end`` runs on past the first 0 of ``tail``'s row by more than ``slack``."""
    k = first_zero(tail.row_time, tail.row_n)
    return k is not None and end > float(tail.row_time[k]) + slack


def _level(tail: Tail, at: NDArray[np.float64]) -> NDArray[np.float64]:
    """The step function's value at times ``at`` (right-continuous)."""
    return step_at(tail.time, tail.survival, at)


def _meetings(a: Tail, b: Tail, before: float, meet: float) -> list[float]:
    """The last time of each place where ``a`` and ``b`` meet before ``before``.

    They meet at a corner where their levels are within ``meet``, or where one crosses the other by a vertical
    drop (the sign of their difference changes). Corners of one place are not told apart by a pixel's wobble:
    a new place starts only after the traces have been more than ``2 * meet`` apart (scan_019: within 0.010 at
    38.9, 0.011 at 39.5 with ``meet`` 0.011, 0 at 39.7: one meeting).
    """
    grid = np.union1d(a.time, b.time)
    grid = grid[grid < before]
    gap = _level(a, grid) - _level(b, grid)
    met = np.abs(gap) <= meet
    met[1:] |= np.sign(gap[1:]) * np.sign(gap[:-1]) < 0
    apart = np.abs(gap) > 2.0 * meet
    places: list[float] = []
    parted = True
    for t, m, p in zip(grid, met, apart, strict=True):  # a scan with state: a loop says it plainest
        if m:
            if parted:
                places.append(float(t))
            places[-1], parted = float(t), False
        elif p:
            parted = True
    return places


def crossed_tails(a: Tail, b: Tail, meet: float, time_slack: float, time_limit: float | None = None) -> float | None:
    """The time from which ``a`` and ``b`` should swap tails, or None when the table does not call for it.

    Called for when one trace stops short of its row (by the fit check's rule,
    :func:`reconstruct.quality.short_of_table`) and the other runs on past its row's first 0 by more than
    ``time_slack`` (a line cap and a mark's arm: a few pixels; the matching's follow-up slack of 15% of a table
    step is far looser), and the swapped ends satisfy both rows. The swap time is where the two traces meet
    (within ``meet`` survival units: about a line width, or crossing by a drop) before the earlier end, past the
    rows' first table interval; None when they meet there more than once (which meeting is ambiguous).

    Parameters
    ----------
    a, b : Tail
        Two curves of one ink with their rows.
    meet : float
        Largest survival gap at which two traces touch.
    time_slack : float
        How far past its row's first 0 a trace may end (time units).
    time_limit : float, optional
        The time axis' end: table times beyond it are not seen (as :func:`reconstruct.quality.score_arm`).

    Returns
    -------
    float or None
    """
    if _short(b, b, time_limit) and _past(float(a.time[-1]), a, time_slack):
        a, b = b, a
    end_a, end_b = float(a.time[-1]), float(b.time[-1])
    if not (_short(a, a, time_limit) and _past(end_b, b, time_slack)):
        return None
    if _short(b, a, time_limit) or _past(end_a, b, time_slack):
        return None  # the swapped ends would not fit their rows either
    # traces that meet only in the first table interval (where every curve starts near 1) are two whole curves
    # given the wrong rows, not tails taken at a crossing: that is the matching's to decide
    first = min(float(a.row_time[1]), float(b.row_time[1]))
    later = [t for t in _meetings(a, b, min(end_a, end_b), meet) if t > first]
    return later[0] if len(later) == 1 else None


def swap_after(a: Tail, b: Tail, at: float) -> tuple[Tail, Tail]:
    """``a`` and ``b`` with their corners and marks from time ``at`` on exchanged.

    Each keeps its corners before ``at``; from ``at`` on it takes the other's level there (a corner at ``at``,
    so that a drop of one trace only at ``at`` stays at ``at``) and the other's later corners.
    """
    def joined(head: Tail, rest: Tail) -> Tail:
        keep, take = head.time < at, rest.time > at
        marks = np.sort(np.r_[head.marks[head.marks < at], rest.marks[rest.marks >= at]])
        level = _level(rest, np.array([at]))
        return dataclasses.replace(head, time=np.r_[head.time[keep], at, rest.time[take]],
                                   survival=np.r_[head.survival[keep], level, rest.survival[take]], marks=marks)

    return joined(a, b), joined(b, a)
