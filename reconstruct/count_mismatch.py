"""The error of a figure whose at-risk table has more or fewer rows than curves were traced, saying what was found.

"expected one at-risk row per curve" alone leaves the user guessing which curve is extra or which row is missing.
This names each curve by its ink (and which are paler shades of another: a confidence band's edge or a line traced
twice looks so), each row by its printed label, and the likely causes for the way the counts differ. Pure Python and
NumPy on :class:`reconstruct.arm_matching.ArmCurve` and ``RiskRowInfo``-like objects (``colour``, ``label``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconstruct.errors import ReconstructionError
from reconstruct.extra_curves import is_tint_rgb

__all__ = ["count_mismatch_error"]

# The paper a curve's paler shade is measured against (the matching does not know the panel's): white.
_WHITE = (255, 255, 255)


def _hex(colour: Any) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in colour)) if colour is not None else "no colour"


def _curves(arms: Sequence[Any]) -> str:
    said = []
    for i, arm in enumerate(arms):
        paler = [j + 1 for j, other in enumerate(arms) if j != i and arm.colour is not None
                 and other.colour is not None and sum(arm.colour) > sum(other.colour)
                 and is_tint_rgb(arm.colour, other.colour, _WHITE)]
        shade = f" (a paler shade of curve {paler[0]})" if paler else ""
        said.append(f"{i + 1} {_hex(arm.colour)}{shade}")
    return ", ".join(said)


def count_mismatch_error(arms: Sequence[Any], rows: Sequence[Any]) -> ReconstructionError:
    """The error for ``len(rows) != len(arms)``: the counts, each curve's ink, each row's label and the likely causes.

    Parameters
    ----------
    arms : sequence of ArmCurve
        The digitized curves (``colour`` as ``(r, g, b)`` or None).
    rows : sequence of RiskRowInfo
        The at-risk rows read (``label`` or None).

    Returns
    -------
    ReconstructionError
        "expected one at-risk row per curve, got R row(s) for C curve(s): " and the causes first (the benchmark
        groups errors by their first 110 characters), then the curves and rows, and a hint.
    """
    labels = ", ".join(repr(r.label) if r.label else f"row {k + 1} unlabelled" for k, r in enumerate(rows))
    if len(rows) < len(arms):
        why = ("a curve left over may be a confidence band's edge, a line or its censor marks traced twice, or a row "
               "of the table was not read (digits too small or run together)")
    else:
        why = ("two arms may be drawn in one ink or over each other, or a line of the table (censored, events) was "
               "read as a row")
    return ReconstructionError(
        f"expected one at-risk row per curve, got {len(rows)} row(s) for {len(arms)} curve(s): {why} (curves: "
        f"{_curves(arms)}; rows: {labels or 'none'}); pass the table with --at-risk"
    )
