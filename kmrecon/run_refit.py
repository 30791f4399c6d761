"""A misfit arm drawn in a thick stroke, solved again with its step heights trusted to its stroke.

``run_figure`` solves every arm with its step heights trusted to half a pixel of the survival axis
(the "steps" method reads the number at risk off each drop, ``n = d / h``). On a stroke several pixels
thick, the level of a step is the centre of a band whose rows shift by more than that from corner to corner
(JPEG, rounded corners, a thick drop's foot): prism_005's 7-pixel black staircase of 29 patients reads drops
that imply more patients than there are, and the solve runs out of them at t=23, while its 28 events lie on
the trace (score 2.0 against 0.13 once the heights are trusted to 2 pixels). So the input that is wrong is
the height precision of a thick trace, not the trace or the check.

A misfit arm of a raster figure whose stroke is 3 pixels thick or more (``line_half_width_px``, which is
``ceil(thickness / 2)``, >= 2: ordinary 3-pixel lines included, where it trusts heights to 1 pixel) is solved
again with :func:`stroke_precision`; the new solve is judged by the same check with the same precision against
the same evidence (the traced curve and the at-risk row: ``score``), and is used only when every arm then fits.
The discarded first solve's warnings about the arm are then left out of the run's notes (they describe a result
that is not returned); a note says that the arm was solved again and why. The precision used is recorded per arm
(``refit_precision`` in the provenance parameters and the reconstruction's parameters) and the draws use it.
The arm's reading is flagged all the same (``FigureRun.refit_arms``): its first solve did not fit, and a second
chance is no proof, so such a run is never read "ok".
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from reconstruct.errors import KmreconError, ReconstructionWarning
from reconstruct.reconstruction import reconstruct_ipd

__all__ = ["Refit", "refit_thick_strokes", "stroke_precision", "thick_misfits", "unfit_refit_note"]

# a stroke this thick (half width, pixels, ``ceil(thickness / 2)``) or more: 3 pixels
THICK_HALF_WIDTH = 2


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
    precision : dict of str to float
        Step-height precision (survival units) each arm of ``arms`` was solved with.
    """

    reconstruction: Any
    fit: tuple[Any, ...]
    arms: tuple[str, ...]
    notes: tuple[str, ...]
    precision: dict[str, float] = dataclasses.field(default_factory=dict)

    def run_notes(self, first: Sequence[str]) -> list[str]:
        """The run's notes from the first solve's warnings ``first``: those about the arms solved again (``"arm:
        ..."``, describing a result that is not returned) left out, then :attr:`notes`."""
        about = tuple(f"{arm}: " for arm in self.arms)
        return [n for n in first if not n.startswith(about)] + list(self.notes)


def stroke_precision(precision: float, half_width_px: int) -> float:
    """How far a step height on a thick stroke can be trusted: half its half width.

    Parameters
    ----------
    precision : float
        Half a pixel of the survival axis (survival units): the precision of a thin line.
    half_width_px : int
        The stroke's half width (``line_half_width_px``, ``ceil(thickness / 2)``; the trace window is
        ``2 * half_width_px + 1`` pixels).

    Returns
    -------
    float
        ``precision * max(1, half_width_px)`` (survival units): half a pixel for a half width of 0 or 1, 1 pixel
        for a 3-pixel line, 2 pixels for prism_005's 7-pixel stroke (half width 4).
    """
    return float(precision) * max(1.0, float(half_width_px))


def thick_misfits(fig: Any, fits: Sequence[Any]) -> list[int]:
    """Indices of the arms that misfit and are drawn 3 pixels thick or more (the ones :func:`refit_thick_strokes`
    solves again)."""
    return [k for k, (a, f) in enumerate(zip(fig.arms, fits, strict=True))
            if f.misfit and int(a.quality.get("line_half_width_px") or 0) >= THICK_HALF_WIDTH]


def unfit_refit_note(fig: Any, fits: Sequence[Any], names: Sequence[str]) -> str:
    """For a run that still misfits: that its misfit thick arms were solved again in vain, else ""."""
    thick = [names[k] for k in thick_misfits(fig, fits)]
    if not thick:
        return ""
    return (f" (note: {', '.join(thick)} solved again with step heights trusted to the thick stroke, "
            "kmrecon.run_refit, and not every arm fit then either)")


def _only(mapping: Mapping[str, int] | None, name: str) -> dict[str, int] | None:
    """``mapping``'s entry for ``name`` alone (None without one)."""
    return {name: mapping[name]} if mapping and name in mapping else None


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
        The arms' names in ``result`` and in the frames, in digitizer order (``fig.arms``).
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
    thick = thick_misfits(fig, fits)
    if not thick:
        return None
    solved, used = {}, {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReconstructionWarning)
        for k in thick:
            name = names[k]
            used[name] = stroke_precision(precision, int(fig.arms[k].quality["line_half_width_px"]))
            arm_table = _rows(table, name)
            try:  # an arm with neither rows nor patients is refused by reconstruct_ipd itself
                one = reconstruct_ipd(
                    _rows(curves, name), arm_table,
                    n_patients=None if arm_table is not None else _only(n_patients, name),
                    total_events=_only(total_events, name), method=method, precision=used[name],
                    censor_marks=_rows(marks, name),
                )
            except KmreconError:
                return None
            solved[name] = one[name]
    new = dataclasses.replace(result, arms=tuple(solved.get(a.arm, a) for a in result.arms),
                              parameters={**result.parameters, "refit_precision": dict(used)})
    new_fits = tuple(score(new))
    if any(f.misfit for f in new_fits):
        return None
    notes = tuple(
        f"{names[k]}: solved again with its step heights trusted to "
        f"{int(fig.arms[k].quality['line_half_width_px']) / 2:g} pixels (half its thick stroke's half width) after the "
        f"first solve misfit ({fits[k].describe()}); the first solve's warnings are left out and the reading is "
        "flagged" for k in thick
    ) + tuple(str(w.message) for w in caught if issubclass(w.category, ReconstructionWarning))
    return Refit(reconstruction=new, fit=new_fits, arms=tuple(names[k] for k in thick), notes=notes,
                 precision=dict(used))
