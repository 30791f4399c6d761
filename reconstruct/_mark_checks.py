"""Censor marks checked against the curve and the at-risk table, before and after they are used.

Marks refine a reconstruction (they say where the censorings fall) but must never break it.
Before the solve, a mark where nobody can be censored is dropped: off the curve, at or after
the curve's fall to 0, at or after a table row of 0. After it, the marks are set aside when
using them moves the Kaplan-Meier of the reconstruction further from the curve than it is
without them (by more than ``KM_SLACK``), loses at-risk rows that the reconstruction without
them meets, or moves more events than the marked table intervals hold censorings. Marks after
the last table row, the least constrained, are set aside first. Each decision becomes one line
of :attr:`reconstruct.FidelityReport.mark_notes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reconstruct.results import FidelityReport

__all__ = ["KM_SLACK", "MarkChoice", "vet_marks", "choose_marks", "allowed_event_shift"]

# How much further from the curve (max |KM - curve|) marks may take the reconstruction than no marks.
KM_SLACK = 0.005


@dataclass(frozen=True, eq=False)
class MarkChoice:
    """The solve kept for an arm, the marks it used and the notes on those left out.

    Attributes
    ----------
    solution : object
        The solver's result for the marks used.
    marks : ndarray of shape (n_used,) or None
        Marks the solution used (``None``: none).
    fidelity : FidelityReport
        Fidelity of ``solution`` (without ``mark_notes``).
    notes : tuple of str
        One line per mark decision.
    """

    solution: object
    marks: NDArray[np.float64] | None
    fidelity: FidelityReport
    notes: tuple[str, ...]


def vet_marks(
    marks: NDArray[np.float64],
    curve_t: NDArray[np.float64],
    curve_s: NDArray[np.float64],
    table_t: NDArray[np.float64],
    table_n: NDArray[np.int64],
) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """Drop the marks where no patient can be censored; return the rest (sorted) and notes."""
    notes: list[str] = []
    marks = np.sort(np.asarray(marks, dtype=float))
    end = float(curve_t[-1])
    off = (marks < 0) | (marks > end)
    if off.any():
        notes.append(f"dropped {int(off.sum())} censor mark(s) off the curve (before 0 or after its end at {end:.6g})")
        marks = marks[~off]
    zero = np.flatnonzero(curve_s <= 0)
    if zero.size and np.any(marks >= curve_t[zero[0]]):
        t0 = float(curve_t[zero[0]])
        notes.append(f"dropped {int(np.sum(marks >= t0))} censor mark(s) at or after time {t0:.6g}, where the curve "
                     "falls to 0 and nobody is left to censor")
        marks = marks[marks < t0]
    empty = np.flatnonzero((table_n == 0) & (table_t > 0))
    if empty.size and np.any(marks >= table_t[empty[0]]):
        t0 = float(table_t[empty[0]])
        notes.append(f"dropped {int(np.sum(marks >= t0))} censor mark(s) at or after time {t0:.6g}, where the "
                     "at-risk table shows 0")
        marks = marks[marks < t0]
    return marks, tuple(notes)


def allowed_event_shift(without: FidelityReport, with_marks: FidelityReport) -> int:
    """Most events that marks may move: the censorings of the table intervals holding marks, plus 1.

    Inside a table interval, events and censorings share the patients the table says leave it;
    marks only say where the censorings are, so they can trade at most those censorings (the
    larger count of the two reconstructions) for events, and nothing in intervals without marks.
    One more allows for the rounding of a fractional event.
    """
    if with_marks.interval_marks is None:
        return 1
    held = np.maximum(without.interval_censored, with_marks.interval_censored)
    return 1 + int(np.sum(np.where(with_marks.interval_marks > 0, held, 0)))


def _defects(fid: FidelityReport, base: FidelityReport) -> list[str]:
    """Ways in which the reconstruction with marks is worse than the one without."""
    found = []
    if fid.km_max_abs_diff > base.km_max_abs_diff + KM_SLACK:
        found.append(f"its KM is up to {fid.km_max_abs_diff:.3f} from the curve ({base.km_max_abs_diff:.3f} without)")
    if fid.at_risk_max_abs_diff > base.at_risk_max_abs_diff:
        found.append(f"it misses the at-risk table by {fid.at_risk_max_abs_diff} ({base.at_risk_max_abs_diff} without)")
    shift = abs(fid.n_events - base.n_events)
    if shift > allowed_event_shift(base, fid):
        found.append(f"it moves {shift} events, more than the {allowed_event_shift(base, fid)} the marked "
                     "intervals allow")
    return found


def choose_marks(
    solve: Callable[[NDArray[np.float64] | None], object],
    fidelity: Callable[[object, NDArray[np.float64] | None], FidelityReport],
    marks: NDArray[np.float64],
    table_end: float,
) -> MarkChoice:
    """Solve with the marks, and fall back to fewer or none when they make the fit worse.

    Parameters
    ----------
    solve : callable
        ``solve(marks)`` returns a solution (``marks`` ``None`` for none).
    fidelity : callable
        ``fidelity(solution, marks)`` returns its :class:`FidelityReport`.
    marks : ndarray of shape (n_marks,)
        Vetted marks (see :func:`vet_marks`), sorted.
    table_end : float
        Time of the last at-risk row: marks after it are the first set aside.

    Returns
    -------
    MarkChoice
    """
    base = solve(None)
    base_fid = fidelity(base, None)
    if marks.size == 0:
        return MarkChoice(base, None, base_fid, ())
    solution = solve(marks)
    fid = fidelity(solution, marks)
    first = "; ".join(_defects(fid, base_fid))
    if not first:
        return MarkChoice(solution, marks, fid, ())
    inside = marks[marks <= table_end]
    if 0 < inside.size < marks.size:
        solution = solve(inside)
        fid = fidelity(solution, inside)
        if not _defects(fid, base_fid):
            note = (f"set aside the {marks.size - inside.size} censor mark(s) after the last at-risk row at "
                    f"{table_end:.6g}: with all marks {first}")
            return MarkChoice(solution, inside, fid, (note,))
    return MarkChoice(base, None, base_fid, (f"set aside all {marks.size} censor mark(s): with them {first}",))
