"""Steps whose height pins the number at risk down, and the other whole multiples they allow (:mod:`reconstruct.draws`).

A drop ``h = d / n`` read with standard error ``sd_h`` gives ``n`` to within ``n^2 sd_h / d``; below
``_PIN_SD`` patients the step's ``(d, n)`` counts as known (a cut of the draws), and every draw may take
another whole multiple ``(k d0, k n0)`` of the same fraction that fits between its neighbours.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["pinned_points", "alternatives"]

_PIN_SD = 0.3  # a point's n counts as known when its standard error is below this (patients)


def _tie_weights(d_pinned: NDArray[np.int64], top: int) -> NDArray[np.float64]:
    """P(d) for d = 1..top: counts at the pinned steps plus a pseudo-count spread as 2^-d (as the solver)."""
    d = np.arange(1, top + 1)
    counts = np.bincount(np.clip(d_pinned, 0, top), minlength=top + 1)[1:].astype(float)
    prior = 0.5**d / (1.0 - 0.5**top)
    return (counts + prior) / (counts.sum() + prior.sum())


def pinned_points(rec_time, rec_event, p_time, s, precision: float):
    """Per point: events and at-risk of the reconstruction, and whether n is pinned by the step height."""
    ev_t = rec_time[rec_event == 1]
    left = np.searchsorted(ev_t, p_time, side="left")
    events = np.searchsorted(ev_t, p_time, side="right") - left
    n = rec_time.size - np.searchsorted(np.sort(rec_time), p_time, side="left")
    s_prev, s = s[:-1], s[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(s_prev > 0, 1.0 - s / s_prev, 0.0)
        sd_h = precision * np.sqrt(1.0 + (1.0 - drop) ** 2) / np.maximum(s_prev, 1e-12)
        sd_n = np.where(events > 0, n.astype(float) ** 2 / np.maximum(events, 1) * sd_h, np.inf)
    pinned = (events > 0) & (sd_n < _PIN_SD) & (drop < 1.0)
    return events.astype(np.int64), n.astype(np.int64), pinned


def alternatives(events, n, pinned, p_time, a_time, n_table, rng, m):
    """Per draw, (d, n) of each pinned point: the reconstruction's, or a whole multiple of the same fraction.

    A multiple ``(k d0, k n0)`` qualifies when it fits between the neighbouring anchors (table rows
    and other pinned points, on the scale ``M = n + events before``, patients not yet censored):
    ``k n0 <= M(previous anchor) - events before the point`` and
    ``k n0 - k d0 >= M(next anchor) - events up to and including the point`` (0 without a next anchor).
    A point none of whose multiples fits (the reconstruction's own ``(d, n)`` can miss a table row it
    could not reproduce) is not pinned: its events then follow from its step height like any other's.
    Returns the per-draw ``d`` and ``n`` of every point, shape (m, points), and the updated ``pinned``.
    """
    p = events.size
    d_draw = np.broadcast_to(events, (m, p)).copy()
    n_draw = np.broadcast_to(n, (m, p)).copy()
    pinned = pinned.copy()
    e_before = np.r_[0, np.cumsum(events)]  # events at points < j
    t_pos = np.searchsorted(p_time, a_time, side="left")
    while True:  # dropping an anchor only widens its neighbours' bounds (M never increases in time)
        idx = np.flatnonzero(pinned)
        if idx.size == 0:
            return d_draw, n_draw, pinned
        keys = np.r_[2 * t_pos, 2 * idx + 1]
        big_m = np.r_[n_table + e_before[t_pos], n[idx] + e_before[idx]]
        order = np.argsort(keys, kind="stable")
        keys, big_m = keys[order], big_m[order]
        own = np.searchsorted(keys, 2 * idx + 1)
        prev_m = big_m[own - 1]  # the table row at time 0 always precedes
        has_next = own + 1 < keys.size
        next_m = np.where(has_next, big_m[np.minimum(own + 1, keys.size - 1)], 0)
        upper = prev_m - e_before[idx]
        lower = np.where(has_next, next_m - e_before[idx + 1], 0)
        g = np.gcd(events[idx], n[idx])
        d0, n0 = events[idx] // g, n[idx] // g
        k_max = int(max(np.max(upper // np.maximum(n0, 1)), 1))
        k = np.arange(1, k_max + 1)[None, :]
        ok = (k * n0[:, None] <= upper[:, None]) & (k * (n0 - d0)[:, None] >= lower[:, None])
        fits = (g <= k_max) & ok[np.arange(idx.size), np.minimum(g, k_max) - 1]
        if fits.all():
            break
        pinned[idx[~fits]] = False
    if ok.sum() == idx.size:
        return d_draw, n_draw, pinned  # every point's only fit is the reconstruction's own
    weights = _tie_weights(events[idx], int(np.max(k * d0[:, None])))
    w = np.where(ok, weights[np.clip(k * d0[:, None], 1, weights.size) - 1], 0.0)
    u = rng.random((m, idx.size))
    # in time order, so that a point's choice leaves room after the previous pinned point's own choice
    # (each bound above assumes the neighbours' reconstruction values; the reconstruction's own choice
    # always fits after any qualifying choice of the previous point)
    prev_pin = np.where(keys[own - 1] % 2 == 1, (keys[own - 1] - 1) // 2, -1)
    for i in range(idx.size):
        wi = np.broadcast_to(w[i], (m, k_max))
        j = prev_pin[i]
        if j >= 0:
            room = n_draw[:, j] - d_draw[:, j] + events[j] + e_before[j] - e_before[idx[i]]
            wi = np.where(k * n0[i] <= room[:, None], wi, 0.0)
        cdf = np.cumsum(wi, axis=1)
        cdf /= cdf[:, -1:]
        pick = np.minimum((u[:, i:i + 1] > cdf).sum(axis=1) + 1, k_max)  # k per draw
        d_draw[:, idx[i]] = pick * d0[i]
        n_draw[:, idx[i]] = pick * n0[i]
    return d_draw, n_draw, pinned
