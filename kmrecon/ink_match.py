"""The rows of curves named by names read in each curve's ink apart (issue 12, seed-8081 jco_001).

When the names printed at the curves' ends overlap, each coloured curve's ink is read alone
(:func:`reconstruct.digitize.ink_names.read_by_ink`); a name read there is the whole text of that colour on its
line, so a name that is part of another row's ("Nivolumab", "Nivolumab + Ipilimumab") is that row's, not the
longer name cut short, as a legend label read in part may be. The label matcher cannot know this and leaves such
names open; here each named curve takes the row of its exact name, one unnamed curve the row left, and the fit must
allow the pairing. Weaker than a name read in the panel whole: the match is unsettled (the run is flagged).
"""

from __future__ import annotations

from collections.abc import Sequence

from reconstruct.arm_matching import ArmCurve, ArmMatch, RiskRowInfo
from reconstruct.arm_names import name_key
from reconstruct.quality import FitMatch, choose_by_fit, pair_scorer

__all__ = ["ink_match", "ink_named_rows"]


def ink_named_rows(curves: Sequence[ArmCurve], rows: Sequence[RiskRowInfo], fit: FitMatch) -> ArmMatch | None:
    """Each curve on the row whose label equals its name (keys equal), all curves but one named, distinct rows,
    the one left by elimination; None when a curve carries a label that no row has, when the names do not give one
    assignment, or when the fit does not allow it
    (``fit.allows``: within ``MATCH_MARGIN`` of the best).

    Parameters
    ----------
    curves : sequence of ArmCurve
        The curves, labelled with the names read in their inks (None where none was read).
    rows : sequence of RiskRowInfo
        The at-risk rows, one per curve.
    fit : FitMatch
        The fit of every pairing (:func:`reconstruct.quality.choose_by_fit`).

    Returns
    -------
    ArmMatch or None
        The match, basis ``"label"``, always unsettled (the run is flagged); None as above.
    """
    keys = [name_key(r.label) for r in rows]
    if len(curves) != len(rows) or not all(keys) or len(set(keys)) != len(keys):
        return None
    if any(name_key(c.label) and name_key(c.label) not in keys for c in curves):
        return None  # a label no row has (a legend's, say): evidence against the names, not for them
    assigned: list[int | None] = [keys.index(name_key(c.label)) if name_key(c.label) else None
                                  for c in curves]
    unnamed = [k for k, j in enumerate(assigned) if j is None]
    left = sorted(set(range(len(rows))) - {j for j in assigned if j is not None})
    if len(unnamed) > 1 or len(left) != len(unnamed) or len(curves) - len(unnamed) < 1:
        return None
    for k, j in zip(unnamed, left, strict=True):
        assigned[k] = j
    picked = tuple(int(j) for j in assigned if j is not None)
    if len(set(picked)) != len(rows) or not fit.allows(picked):
        return None
    detail = ("names printed by the curves, read in each curve's colour apart, name the at-risk rows"
              + (" (one curve by elimination)" if unnamed else "") + f"; the fit allows it ({fit.detail()})")
    return ArmMatch(rows=picked, basis="label", detail=detail, settled=False)


def ink_match(curves: Sequence[ArmCurve], rows: Sequence[RiskRowInfo], *, precision: float, method: str,
              marks, time_precision: float | None) -> ArmMatch | None:
    """:func:`ink_named_rows` judged by the fit of every pairing (:func:`reconstruct.quality.choose_by_fit`, up to
    4 curves; ``curves`` carry their censor marks' times); None beyond 4 curves."""
    if len(curves) != len(rows) or not 2 <= len(curves) <= 4:
        return None
    fit = choose_by_fit(len(curves), len(rows), pair_scorer(curves, rows, precision=precision, method=method,
                                                            marks=marks, time_precision=time_precision))
    return ink_named_rows(curves, rows, fit)
