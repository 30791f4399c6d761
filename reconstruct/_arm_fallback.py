"""Last resorts for matching arms to at-risk rows when labels, colours and the KM bound leave it open.

1. **Step counts.** Between two table times a KM curve drops once per distinct event time, so the
   number of drops seen in the curve is close to the deaths the row implies:
   ``d ~ n_mid * -log(S(t2) / S(t1))`` with ``n_mid`` the mean of the two printed numbers. Pairing a
   curve with another arm's row gets these counts wrong whenever the arms differ in size.
2. **Table order.** When even that is a tie, rows are taken top to bottom in the order of the curves
   (legend order in the figures we know: survminer, lifelines, journal redraws), the pairing with the
   smallest step-count misfit among the tied ones, and the run says so in its warnings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["step_count_costs", "fallback_match", "why_open", "open_part"]

# The best pairing by step counts must beat the runner-up by this much (chi-square units).
STEP_MARGIN = 6.0


def _drops(time: NDArray[np.float64], survival: NDArray[np.float64]) -> NDArray[np.float64]:
    """Times at which the traced curve drops (step corners with lower survival than before)."""
    falls = np.flatnonzero(np.diff(survival) < -1e-9) + 1
    return time[falls]


def step_count_costs(arms: Sequence, rows: Sequence) -> NDArray[np.float64]:
    """Chi-square misfit between the drops seen on each curve and the deaths each row implies.

    Parameters
    ----------
    arms : sequence of ArmCurve
    rows : sequence of RiskRowInfo

    Returns
    -------
    ndarray of shape (n_arms, n_rows)
    """
    cost = np.zeros((len(arms), len(rows)))
    for i, a in enumerate(arms):
        drops = _drops(np.asarray(a.time, float), np.asarray(a.survival, float))
        for j, r in enumerate(rows):
            t = np.asarray(r.time, float)
            n = np.asarray(r.n_risk, float)
            for k in range(t.size - 1):
                if t[k + 1] > a.time[-1] or n[k] <= 0:
                    break
                s1 = float(np.interp(t[k], a.time, a.survival))
                s2 = float(np.interp(t[k + 1], a.time, a.survival))
                if s1 <= 0 or s2 <= 0:
                    break
                expected = 0.5 * (n[k] + n[k + 1]) * -np.log(s2 / s1)
                seen = float(np.sum((drops > t[k]) & (drops <= t[k + 1])))
                cost[i, j] += (seen - expected) ** 2 / (expected + 1.0)
    return cost


def fallback_match(arms: Sequence, rows: Sequence, *, allowed: Sequence[tuple[int, ...]] | None = None
                   ) -> tuple[tuple[int, ...], str, str] | None:
    """Rows for each arm by step counts when they single out a pairing; None when they do not.

    Returns ``(rows, "step counts", detail)`` or None: a pairing that nothing singles out is never guessed
    (the caller raises the ambiguity error, or falls back to the legend order and says so). ``allowed``
    limits the pairings compared (default: all).
    """
    totals = _pairing_totals(step_count_costs(arms, rows), allowed)
    best_cost, best = totals[0]
    second = totals[1][0] if len(totals) > 1 else np.inf
    if second - best_cost > STEP_MARGIN:
        return (tuple(int(v) for v in best), "step counts",
                f"the drops on each curve fit its row's implied deaths best (misfit {best_cost:.3g} against "
                f"{second:.3g})")
    return None


def settled_part(cost: NDArray[np.float64], margin: float, allowed: Sequence[tuple[int, ...]] | None = None
                 ) -> tuple[dict[int, int], list[int]]:
    """What the KM bound settles of a match it leaves open: ``({curve: row} shared by every pairing within
    ``margin`` of the best, [curves whose row those pairings disagree on])``.

    For the ambiguity error, so that it names the curves left to the user (rms_006 of the wild corpus: the
    bound places the 79-patient arm, not the two arms of 31 and 30).
    """
    n = cost.shape[0]
    totals = _pairing_totals(cost, allowed)
    if not totals:
        return {}, list(range(n))
    best = totals[0][0]
    near = [p for t, p in totals if t - best <= margin]
    fixed = {i: int(near[0][i]) for i in range(n) if all(p[i] == near[0][i] for p in near)}
    return fixed, [i for i in range(n) if i not in fixed]


def _pairing_totals(cost: NDArray[np.float64], allowed: Sequence[tuple[int, ...]] | None
                    ) -> list[tuple[float, tuple[int, ...]]]:
    """``(total cost, rows per arm)`` of each pairing in ``allowed`` (default: every one), cheapest first.

    Hand-written: at most 720 pairings, and the runner-up is wanted too (``linear_sum_assignment`` gives the best).
    """
    n = cost.shape[0]
    candidates = allowed if allowed is not None else itertools.permutations(range(cost.shape[1]), n)
    return sorted((float(sum(cost[i, p[i]] for i in range(n))), p) for p in candidates)


def why_open(arms: Sequence, rows: Sequence, *, labels_pair: bool, grey: Sequence[str], numbers: NDArray[np.float64],
             numbers_margin: float, steps: NDArray[np.float64], allowed: Sequence[tuple[int, ...]] | None = None
             ) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """The (at most two) plain reasons a match is left open, and the two pairings that come closest.

    lancet_006 of the wild corpus stopped with "an ambiguous match" and no reason. ``labels_pair`` says whether
    every label was read (one curve's may be missing) but they pair no row alone; ``grey`` names what is not all
    in colour (e.g. ``["curves"]``), ``numbers`` and ``steps`` are the KM bound's and the step counts' costs
    (curves by rows). The closest pairings are the step counts' best two among ``allowed`` (default: every one).

    Returns
    -------
    reasons : tuple of str
        What the names and colours left, and how the numbers and the step counts rate the closest pairings.
    close : tuple of tuple of int
        The step counts' best two pairings (rows per curve, 0-based), best first.
    """
    if labels_pair:
        names = "the legend labels pair no row alone"
    else:
        read = sum(bool(a.label) for a in arms)
        named = sum(bool(r.label) for r in rows)
        names = (f"legend labels read for {read} of {len(arms)} curves" if named == len(rows)
                 else f"labels read for {named} of {len(rows)} at-risk rows and {read} of {len(arms)} curves")
    names += f", and the {' and the '.join(grey)} are not all in colour" if grey else ", and colours pair none clearly"
    said = [names]
    steps_total = _pairing_totals(steps, allowed)
    close = tuple(tuple(int(v) for v in p) for _, p in steps_total[:2])
    if len(close) == 2:
        by_numbers = {p: t for t, p in _pairing_totals(numbers, allowed)}
        alike = abs(by_numbers[close[0]] - by_numbers[close[1]]) <= numbers_margin
        said.append(f"the {'at-risk numbers and the ' if alike else ''}step counts rate rows {list(close[0])} and "
                    f"{list(close[1])} about equally" + ("" if alike else ", the at-risk numbers single out none"))
    return tuple(said), close


def open_part(numbers: NDArray[np.float64], margin: float, rows: Sequence,
              allowed: Sequence[tuple[int, ...]] | None) -> str:
    """The curves an ambiguity error leaves open, and the rows the numbers gave the others (curves in words, as
    the reasons' row lists count from 0)."""
    fixed, open_ = settled_part(numbers, margin, allowed)
    if not fixed or len(open_) < 2:
        return ""

    def name(j: int) -> str:
        return repr(rows[j].label) if rows[j].label else f"the {_NTH[j]} row"

    placed = ", ".join(f"the {_NTH[i]} curve on {name(j)}" for i, j in sorted(fixed.items()))
    left = sorted(set(range(len(rows))) - set(fixed.values()))
    curves = [_NTH[i] for i in open_]
    return (f" (the numbers place {placed}; the {', '.join(curves[:-1])} and {curves[-1]} curves fit "
            f"{', '.join(name(j) for j in left)} alike)")


_NTH = ("first", "second", "third", "fourth", "fifth", "sixth")
