"""A misfit arm drawn in a thick stroke, solved again with its step heights trusted to its stroke.

``run_figure`` solves every arm with its step heights trusted to half a pixel of the survival axis
(the "steps" method reads the number at risk off each drop, ``n = d / h``). On a stroke several pixels
thick, the level of a step is the centre of a band whose rows shift by more than that from corner to corner
(JPEG, rounded corners, a thick drop's foot): prism_005's 7-pixel black staircase of 29 patients reads drops
that imply more patients than there are, and the solve runs out of them at t=23, while its 28 events lie on
the trace (score 2.0 against 0.13 once the heights are trusted to 2 pixels). So the input that is wrong is
the height precision of a thick trace, not the trace or the check.

A misfit arm whose stroke is thicker than 3 pixels (``line_half_width_px`` >= 2) is solved again with
:func:`stroke_precision`; the new solve is judged by the same check with the same precision against the same
evidence (the traced curve and the at-risk row: ``score``), and is used only when every arm then fits. The arm's
reading is flagged all the same (``FigureRun.refit_arms``): its first solve did not fit, and a second chance
is no proof, so such a run is never read "ok".
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from reconstruct.errors import KmreconError, ReconstructionWarning
from reconstruct.reconstruction import reconstruct_ipd

__all__ = ["Refit", "refit_thick_strokes", "stroke_precision"]


@dataclasses.dataclass(frozen=True)
class Refit:
    """A reconstruction that fits once misfit arms of thick stroke are solved with their stroke's precision.

    Attributes
    ----------
    reconstruction : IPDReconstruction
        The first reconstruction with those arms replaced.
    fit : tuple of ArmFit
        Every arm's score against its traced curve and at-risk row, by the run's own check.
    arms : tuple of str
        The arms solved again (their readings are flagged).
    notes : tuple of str
        What was done, then the new solves' warnings.
    """

    reconstruction: Any
    fit: tuple[Any, ...]
    arms: tuple[str, ...]
    notes: tuple[str, ...]


def stroke_precision(precision: float, half_width_px: int) -> float:
    """How far a step height on a stroke ``2 * half_width_px + 1`` pixels thick can be trusted: half a pixel
    (``precision``, survival units) for a thin line, half the stroke's half width for a thicker one (2 pixels
    for prism_005's 9-pixel trace window)."""
    return float(precision) * max(1.0, float(half_width_px))


def _rows(frame: pd.DataFrame | None, arm: str) -> pd.DataFrame | None:
    """``frame``'s rows of ``arm`` (None for no frame or no rows)."""
    if frame is None:
        return None
    picked = frame[frame["arm"] == arm]
    return picked if len(picked) else None


def refit_thick_strokes(result: Any, fig: Any, names: Sequence[str], fits: Sequence[Any],
                        score: Callable[[Any], tuple[Any, ...]], *, curves: pd.DataFrame, table: pd.DataFrame | None,
                        marks: pd.DataFrame | None, n_patients: Mapping[str, int] | None,
                        total_events: Mapping[str, int] | None, method: str, precision: float) -> Refit | None:
    """``result`` with each misfit arm of thick stroke solved again with :func:`stroke_precision`, if all then fit.

    Parameters
    ----------
    result : IPDReconstruction
        The first reconstruction.
    fig : DigitizedFigure
        Its arms (in ``names`` order) carry ``quality["line_half_width_px"]``.
    names : sequence of str
    fits : sequence of ArmFit
        Scores of ``result``.
    score : callable
        ``score(reconstruction)``: every arm's ArmFit, by the check that gave ``fits``.
    curves, table, marks, n_patients, total_events, method, precision
        What ``result`` was solved from (:func:`reconstruct.reconstruct_ipd`; ``table`` None without one).

    Returns
    -------
    Refit or None
        None when no misfit arm is drawn thick, a solve fails, or some arm still misfits.
    """
    thick = [k for k, (a, f) in enumerate(zip(fig.arms, fits, strict=True))
             if f.misfit and int(a.quality.get("line_half_width_px") or 0) >= 2]
    if not thick:
        return None
    solved = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReconstructionWarning)
        for k in thick:
            name, half = names[k], int(fig.arms[k].quality["line_half_width_px"])
            arm_table = _rows(table, name)
            if arm_table is None and name not in (n_patients or {}):
                return None
            try:
                one = reconstruct_ipd(
                    _rows(curves, name), arm_table,
                    n_patients=None if arm_table is not None else {name: n_patients[name]},
                    total_events={name: total_events[name]} if total_events and name in total_events else None,
                    method=method, precision=stroke_precision(precision, half), censor_marks=_rows(marks, name),
                )
            except KmreconError:
                return None
            solved[name] = one[name]
    new = dataclasses.replace(result, arms=tuple(solved.get(a.arm, a) for a in result.arms))
    new_fits = tuple(score(new))
    if any(f.misfit for f in new_fits):
        return None
    notes = tuple(
        f"{names[k]}: solved again with its step heights trusted to "
        f"{int(fig.arms[k].quality['line_half_width_px']) / 2:g} pixels (half its thick stroke's half width) after the "
        f"first solve misfit ({fits[k].describe()}); the reading is flagged" for k in thick
    ) + tuple(str(w.message) for w in caught if issubclass(w.category, ReconstructionWarning))
    return Refit(reconstruction=new, fit=new_fits, arms=tuple(names[k] for k in thick), notes=notes)
