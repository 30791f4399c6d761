"""Matching digitized arms to number-at-risk rows: by label text, label colour, or the numbers themselves.

A wrong match silently swaps arms in every later statistic. When labels, colours and the KM bound leave
the match open, :mod:`reconstruct._arm_fallback` decides by the curves' step counts when they single out a
pairing; otherwise the match is an error (:class:`~reconstruct.errors.ReconstructionError`) asking for
``--arm-names`` or ``--at-risk``, never a guess. (``kmrecon run`` may then take the legend order, and says so.)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from reconstruct.errors import ReconstructionError

__all__ = ["ArmCurve", "RiskRowInfo", "ArmMatch", "match_arms_to_rows"]

# Colours closer to grey than this (RGB units) carry no hue to match on.
_MIN_CHROMA = 25.0
# Largest 1 - cos(angle between hues) at which a row label's colour still names a curve's colour.
_COLOUR_TOLERANCE = 0.15
# Smallest runner-up excess (1 - cos) that lets colours decide when the best pairs are ten times closer.
_NEAR_HUE_MARGIN = 0.05
# The best assignment by numbers must beat the runner-up by this much (squared patients).
_NUMBERS_MARGIN = 4.0


@dataclass(frozen=True, eq=False)
class ArmCurve:
    """What matching needs of a digitized arm.

    Attributes
    ----------
    label : str or None
        Legend label read for the curve.
    colour : tuple of int or None
        Curve colour ``(r, g, b)``, 0-255.
    time, survival : ndarray of shape (n_points,)
        Step corners of the curve.
    """

    label: str | None
    colour: tuple[int, int, int] | None
    time: NDArray[np.float64]
    survival: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class RiskRowInfo:
    """What matching needs of an at-risk row (read from the figure or given in a CSV).

    Attributes
    ----------
    label : str or None
    colour : tuple of int or None
        Colour of the row label, when it was coloured.
    time, n_risk : ndarray of shape (n_times,)
    row_px : float or None
        Centre pixel row of a row read from an image (for the overlay); None otherwise.
    """

    label: str | None
    colour: tuple[int, int, int] | None
    time: NDArray[np.float64]
    n_risk: NDArray[np.int64]
    row_px: float | None = None


@dataclass(frozen=True)
class ArmMatch:
    """Row index for each arm, and what decided it.

    Attributes
    ----------
    rows : tuple of int
        ``rows[k]`` is the at-risk row of arm ``k``.
    basis : {"single", "label", "colour", "numbers", "step counts", "legend order", "fit"}
    detail : str
        One line for the report.
    """

    rows: tuple[int, ...]
    basis: str
    detail: str


def _norm(text: str | None) -> str:
    return re.sub(r"[^0-9a-z]+", "", (text or "").lower())


def _label_costs(arms, rows) -> NDArray[np.float64] | None:
    # one unlabelled arm is placed by elimination (cost 0.5 against every row)
    if sum(not _norm(a.label) for a in arms) > 1 or not all(_norm(r.label) for r in rows):
        return None
    cost = np.ones((len(arms), len(rows)))
    for i, a in enumerate(arms):
        for j, r in enumerate(rows):
            x, y = _norm(a.label), _norm(r.label)
            if not x:
                cost[i, j] = 0.5
            elif x == y:
                cost[i, j] = 0.0
            elif x in y or y in x:
                cost[i, j] = 0.5
    return cost


def _chroma(colour: tuple[int, int, int] | None) -> NDArray[np.float64] | None:
    """Direction of a colour away from grey; None for greys, whose hue says nothing."""
    if colour is None:
        return None
    rgb = np.asarray(colour, float)
    v = rgb - rgb.mean()
    norm = float(np.linalg.norm(v))
    return None if norm < _MIN_CHROMA else v / norm


def _colour_costs(arms, rows) -> NDArray[np.float64] | None:
    """``1 - cos`` of the angle between chroma directions: anti-aliased text is lighter, not another hue."""
    a = [_chroma(arm.colour) for arm in arms]
    r = [_chroma(row.colour) for row in rows]
    if any(v is None for v in a) or any(v is None for v in r):
        return None
    return 1.0 - np.array(a) @ np.array(r).T


def _numbers_costs(arms, rows) -> NDArray[np.float64]:
    """Patients by which a pairing breaks ``n(T_{i+1}) <= n(T_i) S(T_{i+1}-) / S(T_i-)``, squared and summed.

    The bound is exact for a KM curve (each step multiplies the number at risk by at most
    ``1 - d/n``); the wrong curve for a row usually needs more deaths than the row has patients
    leaving. A tolerance of half a patient plus 2% absorbs digitization error.
    """
    cost = np.zeros((len(arms), len(rows)))
    for i, a in enumerate(arms):
        for j, r in enumerate(rows):
            inside = r.time <= a.time[-1]
            t, n = r.time[inside], r.n_risk[inside].astype(float)
            if t.size < 2:
                continue
            idx = np.searchsorted(a.time, t, side="left") - 1
            s_before = np.where(idx >= 0, a.survival[np.clip(idx, 0, None)], 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(s_before[:-1] > 0, s_before[1:] / s_before[:-1], 0.0)
            excess = np.clip(n[1:] - n[:-1] * ratio - (0.5 + 0.02 * n[:-1]), 0.0, None)
            cost[i, j] = float(np.sum(excess**2))
    return cost


def _unique_best(cost: NDArray[np.float64]) -> tuple[tuple[int, ...], float, float]:
    """Best assignment, its cost and the runner-up's cost (over all permutations when small)."""
    n = cost.shape[0]
    if n <= 6:
        totals = sorted(
            (sum(cost[i, p[i]] for i in range(n)), p) for p in itertools.permutations(range(cost.shape[1]), n)
        )
        best_cost, best = totals[0]
        second = totals[1][0] if len(totals) > 1 else np.inf
        return tuple(int(v) for v in best), float(best_cost), float(second)
    r, c = linear_sum_assignment(cost)
    return tuple(int(v) for v in c[np.argsort(r)]), float(cost[r, c].sum()), np.inf


def match_arms_to_rows(arms: Sequence[ArmCurve], rows: Sequence[RiskRowInfo]) -> ArmMatch:
    """Find the at-risk row of every digitized arm.

    Parameters
    ----------
    arms : sequence of ArmCurve
    rows : sequence of RiskRowInfo
        As many rows as arms.

    Returns
    -------
    ArmMatch

    Raises
    ------
    ReconstructionError
        If the counts differ, or no basis singles out one assignment.
    """
    if len(arms) != len(rows):
        raise ReconstructionError(
            f"expected one at-risk row per curve, got {len(rows)} row(s) for {len(arms)} curve(s); "
            "pass the table with --at-risk"
        )
    if len(arms) == 1:
        return ArmMatch(rows=(0,), basis="single", detail="one curve, one at-risk row")
    labels = _label_costs(arms, rows)
    if labels is not None:
        best, cost, second = _unique_best(labels)
        if cost < 0.5 * len(arms) and second > cost:
            return ArmMatch(rows=best, basis="label", detail="legend labels match the at-risk row labels")
    colours = _colour_costs(arms, rows)
    if colours is not None:
        best, cost, second = _unique_best(colours)
        worst_pair = max(colours[i, best[i]] for i in range(len(arms)))
        # Near hues (NEJM's red and orange, some 25 degrees apart) still decide when every pair of the
        # best assignment is much closer than the runner-up's swaps.
        margin = min(2 * _COLOUR_TOLERANCE, max(_NEAR_HUE_MARGIN, 10.0 * worst_pair))
        if worst_pair <= _COLOUR_TOLERANCE and second - cost > margin:
            return ArmMatch(rows=best, basis="colour", detail="row label colours match the curve colours")
    numbers = _numbers_costs(arms, rows)
    best, cost, second = _unique_best(numbers)
    if second - cost > _NUMBERS_MARGIN:
        return ArmMatch(
            rows=best,
            basis="numbers",
            detail=f"only this assignment keeps every at-risk row within what its curve allows (excess "
            f"{cost:.3g} against {second:.3g} squared patients)",
        )
    from reconstruct._arm_fallback import fallback_match

    by_steps = fallback_match(arms, rows)
    if by_steps is not None:
        return ArmMatch(rows=by_steps[0], basis=by_steps[1], detail=by_steps[2])
    raise ReconstructionError(
        "expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous match; "
        "name the arms with --arm-names in curve order (see overlay.png) or give --at-risk with those names"
    )
