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

__all__ = ["step_count_costs", "fallback_match", "why_open"]

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


def why_open(arms: Sequence, rows: Sequence, *, labels: NDArray[np.float64] | None,
             colours: NDArray[np.float64] | None, numbers: NDArray[np.float64], numbers_margin: float,
             allowed: Sequence[tuple[int, ...]] | None = None, pinned: str = "") -> str:
    """Why labels, colours, the KM bound and the step counts leave a match open, for the ambiguity error.

    lancet_006 of the wild corpus stopped with "an ambiguous match" and no reason; the user is told what was
    read and by how little each source missed its margin (the best pairing's cost against the runner-up's).
    """
    said = []
    if labels is None:
        unread = sum(not a.label for a in arms)
        said.append("no legend labels were read" if unread > 1 else "some at-risk rows have no label")
    else:
        said.append("the legend labels pair no row alone")
    if colours is None:
        from reconstruct.arm_matching import _chroma

        grey = [what for what, items in (("curves", arms), ("row labels", rows))
                if any(_chroma(x.colour) is None for x in items)]
        said.append(f"the {' and the '.join(grey)} are not all in colour")
    else:
        said.append("the row labels' colours pair no curve clearly")
    if pinned:
        said.append(f"{pinned}, leaving {len(allowed or ())} pairings")
    totals = _pairing_totals(numbers, allowed)
    if len(totals) > 1:
        near = sum(t - totals[0][0] <= numbers_margin for t, _ in totals)
        said.append(f"the at-risk numbers allow {near} pairings within {numbers_margin:g} squared patients "
                    f"(best {totals[0][0]:.3g}, next {totals[1][0]:.3g})")
    steps = _pairing_totals(step_count_costs(arms, rows), allowed)
    if len(steps) > 1 and steps[1][0] <= steps[0][0]:
        said.append(f"the curves' step counts fit the best two pairings alike (misfit {steps[0][0]:.3g})")
    elif len(steps) > 1:
        said.append(f"the curves' step counts prefer rows {list(steps[0][1])} by {steps[1][0] - steps[0][0]:.3g} "
                    f"(misfit {steps[0][0]:.3g} against {steps[1][0]:.3g}; {STEP_MARGIN:g} decides)")
    return "; ".join(said)
