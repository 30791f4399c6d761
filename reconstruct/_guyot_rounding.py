"""Rounding of expected events to whole ones, and the starts of the alternation in :mod:`reconstruct.guyot`.

Two ways to turn drops into whole events: a running total of expected events, rounded (a drop split over
neighbouring points is not lost), and Guyot's own rule, each drop rounded against the KM of the events so
far. Two starts go with them; when the first solution misses the table, or the curve by more than the
precision on average, :func:`reconstruct.guyot.solve_guyot` solves from the second too and keeps the one
that misses the table, then the curve, least (:func:`_misfit`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def running_total(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Running totals of ``values`` after a leading 0: ``np.r_[0.0, np.cumsum(values)]``, bit for bit.

    Written out because ``np.r_`` parses its index on every call (~30 us); the Guyot solve takes these
    totals a few hundred times per figure. Float or integer values give float64, as ``np.r_`` does.
    """
    totals = np.cumsum(values)
    return np.concatenate((np.zeros(1), totals))


def _cumulative_round(expected: NDArray[np.float64], cap: float) -> NDArray[np.float64]:
    """Whole events per point whose running total stays within 0.5 of the expected total.

    ``cap`` bounds the total: events can never exceed the patients not censored by the
    last point (``M`` there), since ``D_{<=j} <= M_j`` for every ``j`` follows from it.
    """
    totals = np.minimum(np.floor(np.cumsum(expected) + 0.5), cap)
    return np.diff(totals, prepend=0.0)


def _tracking_round(m, s, fixed, fixed_events, cap):
    """Whole events per point that keep the KM of the events on the curve (Guyot's rule).

    Each point takes ``round(n_j (1 - S_j / KM_{j-1}))`` events, ``KM`` being the survival of the
    events chosen so far, ``n_j = M_j`` minus the events before ``j``; ``fixed`` points keep
    ``fixed_events``. A drop split over neighbouring points is taken once (the KM has caught up), and a
    number at risk off by a few patients moves the KM, not a running total: rounding a running total
    of ``n_j h_j`` instead lets a surplus of a tenth of an event per step add up to a spurious event.
    Sequential by nature (each choice moves the next point's KM).
    """
    out = np.zeros(s.size)
    km, total = 1.0, 0.0
    for j in range(s.size):
        n_j = max(m[j] - total, 0.0)
        if fixed[j]:
            d = fixed_events[j]
        elif n_j > 0 and km > 0:
            d = min(max(np.floor(n_j * (1.0 - s[j] / km) + 0.5), 0.0), n_j)
        else:
            d = 0.0
        d = min(d, max(cap - total, 0.0))
        out[j] = d
        total += d
        if n_j > 0:
            km *= 1.0 - d / n_j
    return out


def _start(p_time, s_prev, drop, a_time, a_n, a_pos):
    """First events and ``M`` per point: drops times the at-risk counts read off the table.

    The number at risk is interpolated linearly between table rows (after the last row it falls with the
    curve). Starting from nobody censored instead (``n_j = n0 S(t_j-)``, ``M = n0``) rounds every drop on
    too many patients; the surplus events raise the table's anchors to ``n0`` and the alternation can
    settle there, missing the table (a censoring early on lost, an event too many later).
    """
    n_est = np.interp(p_time, a_time, a_n)
    after = p_time > a_time[-1]
    s_last = np.interp(a_time[-1], p_time, s_prev) if after.any() else 1.0
    n_est[after] = a_n[-1] * s_prev[after] / max(s_last, 1e-12)
    events = _cumulative_round(n_est * drop, float(a_n[0]))
    anchor_d = running_total(events)[a_pos]
    anchors = np.maximum.accumulate((a_n + anchor_d)[::-1])[::-1]
    m = np.floor(np.interp(p_time, a_time, anchors) + 0.5)
    return events, np.minimum(np.minimum.accumulate(m), float(a_n[0]))


def _misfit(time, event, curve_t, curve_s, a_time, a_n):
    """How far patient rows miss their inputs: (patients off the at-risk table, mean |KM - curve|).

    Compared as a tuple: the table first (typed numbers), then the curve. The KM is computed here rather
    than with :func:`reconstruct.km_at`, whose module imports this one.
    """
    order = np.argsort(time, kind="stable")
    t, e = time[order], event[order]
    unique, first = np.unique(t, return_index=True)
    deaths = np.add.reduceat(e, first) if t.size else np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(t.size - first > 0, 1.0 - deaths / (t.size - first), 1.0))
    idx = np.searchsorted(unique, curve_t, side="right") - 1
    km = np.where(idx >= 0, surv[np.clip(idx, 0, None)], 1.0)
    at_risk = t.size - np.searchsorted(t, a_time, side="left")
    return float(np.abs(at_risk - a_n).sum()), float(np.abs(km - curve_s).mean())
