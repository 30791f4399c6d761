"""The summary statistics of many IPD sets at once: Kaplan-Meier, median, landmarks, RMST, Cox HR, log-rank.

The estimators of :mod:`compare.survival` fit one data set per call (the Cox model through
statsmodels' PHReg, about 10 ms). For the 200 reconstruction draws of a figure that is seconds,
so here the same estimators run on every draw at once with NumPy segment sums. Each formula is
the one of the single-set function named beside it, and ``tests/test_uncertainty.py`` checks them
against those functions draw by draw (KM, landmarks, RMST, log-rank to 1e-10; Cox HR to 1e-6).

The input is always sorted rows ``(draw, time, event)`` of one arm; a draw is a segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

from compare.survival.km import pointwise_conf_int

__all__ = ["DrawKM", "draw_km", "draw_medians", "draw_landmarks", "draw_rmst", "draw_cox_logrank", "DrawContrast",
           "draw_contrast"]

_TOL = float(np.sqrt(np.finfo(float).eps))  # R's quantile.survfit tolerance


def _segment_first(segment: NDArray[np.int64], n_segments: int) -> NDArray[np.int64]:
    """Row index of the first row of each segment (segments sorted, all non-empty)."""
    return np.searchsorted(segment, np.arange(n_segments), side="left")


def _within(cumulative: NDArray[np.float64], segment: NDArray[np.int64], first: NDArray[np.int64]):
    """Restart a running sum at each segment: cumulative minus its value before the segment."""
    before = np.r_[0.0, cumulative][first]
    return cumulative - before[segment]


@dataclass(frozen=True, eq=False)
class DrawKM:
    """Kaplan-Meier estimates of every draw of one arm, one row per (draw, distinct time).

    Attributes
    ----------
    draw, time : ndarray of shape (n_rows,)
    n_risk, n_event : ndarray of shape (n_rows,)
    survival, std_err, conf_low, conf_high : ndarray of shape (n_rows,)
        As in :class:`compare.KMEstimate` (``std_err`` of log S, log-log pointwise CI).
    first : ndarray of shape (n_draws + 1,)
        Row offsets of each draw.
    """

    draw: NDArray[np.int64]
    time: NDArray[np.float64]
    n_risk: NDArray[np.float64]
    n_event: NDArray[np.float64]
    survival: NDArray[np.float64]
    std_err: NDArray[np.float64]
    conf_low: NDArray[np.float64]
    conf_high: NDArray[np.float64]
    first: NDArray[np.int64]


def _distinct(draw, time):
    """Sort order by (draw, time) and the first sorted row of each distinct (draw, time)."""
    order = np.lexsort((time, draw))
    dr, t = draw[order], time[order]
    starts = np.r_[True, (dr[1:] != dr[:-1]) | (t[1:] != t[:-1])] if dr.size else np.zeros(0, dtype=bool)
    return order, np.flatnonzero(starts)


def draw_km(draw: NDArray[np.int64], time: NDArray[np.float64], event: NDArray[np.int64], n_draws: int, *,
            conf_level: float = 0.95) -> DrawKM:
    """Kaplan-Meier of every draw, as :func:`compare.kaplan_meier` (Greenwood, log-log CI)."""
    order, first_row = _distinct(draw, time)
    dr, t, ev = draw[order], time[order], event[order].astype(float)
    d = np.add.reduceat(ev, first_row)
    u_draw, u_time = dr[first_row], t[first_row]
    draw_end = np.searchsorted(dr, np.arange(n_draws) + 1, side="left")
    n = (draw_end[u_draw] - first_row).astype(float)
    first = _segment_first(u_draw, n_draws)
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.where(d < n, np.log1p(-d / n), 0.0)
        zero = (d >= n) & (d > 0)
        green = np.where((d > 0) & (d < n), d / (n * (n - d)), 0.0)
    cum_lg = _within(np.cumsum(lg), u_draw, first)
    cum_zero = _within(np.cumsum(zero.astype(float)), u_draw, first)
    survival = np.where(cum_zero > 0, 0.0, np.exp(cum_lg))
    std_err = np.where(cum_zero > 0, np.inf, np.sqrt(_within(np.cumsum(green), u_draw, first)))
    low, high = pointwise_conf_int(survival, std_err, conf_level=conf_level, conf_type="log-log")
    return DrawKM(draw=u_draw, time=u_time, n_risk=n, n_event=d, survival=survival, std_err=std_err,
                  conf_low=low, conf_high=high, first=np.r_[first, first_row.size].astype(np.int64))


def _first_where(mask, km: DrawKM, n_draws):
    """Row of the first True per draw (-1 if none)."""
    rows = np.where(mask, np.arange(mask.size), mask.size)
    found = np.minimum.reduceat(rows, km.first[:-1]) if mask.size else np.zeros(n_draws, dtype=np.int64)
    return np.where(found < km.first[1:], found, -1)


def draw_medians(km: DrawKM, n_draws: int) -> NDArray[np.float64]:
    """Median and Brookmeyer-Crowley limits per draw, shape (n_draws, 3), as :func:`compare.median_survival`.

    R's ``quantile.survfit`` rule: the first time the curve is at most 0.5; on a flat stretch at
    exactly 0.5 the midpoint to the next drop (or to the last follow-up).
    """
    last_time = km.time[km.first[1:] - 1]
    out = np.full((n_draws, 3), np.nan)
    for col, curve in enumerate((km.survival, km.conf_low, km.conf_high)):
        c = np.where(np.isnan(curve), np.inf, curve)
        i1 = _first_where(c <= 0.5 + _TOL, km, n_draws)
        i2 = _first_where(c <= 0.5 - _TOL, km, n_draws)
        last_c = curve[km.first[1:] - 1]
        t1 = np.where(i1 >= 0, km.time[np.maximum(i1, 0)], np.nan)
        t2 = np.where(i2 >= 0, km.time[np.maximum(i2, 0)], np.nan)
        q = (t1 + t2) / 2.0
        flat_end = np.abs(last_c - 0.5) < _TOL
        out[:, col] = np.where(flat_end & (i1 >= 0), (t1 + last_time) / 2.0, q)
    return out


def draw_landmarks(km: DrawKM, times, n_draws: int) -> NDArray[np.float64]:
    """S(t) per draw and landmark, shape (n_draws, n_landmarks), as :func:`compare.landmark_survival`."""
    times = np.asarray(times, dtype=float)
    out = np.ones((n_draws, times.size))
    last_row = km.first[1:] - 1
    for j, t in enumerate(times):
        mask = km.time <= t
        rows = np.where(mask, np.arange(mask.size), -1)
        pick = np.maximum.reduceat(rows, km.first[:-1])
        pick = np.where(pick >= km.first[:-1], pick, -1)
        s = np.where(pick >= 0, km.survival[np.maximum(pick, 0)], 1.0)
        beyond = (t > km.time[last_row]) & (km.survival[last_row] > 0)
        out[:, j] = np.where(beyond, np.nan, s)
    return out


def draw_rmst(km: DrawKM, tau: float, n_draws: int) -> NDArray[np.float64]:
    """RMST to ``tau`` per draw (S carried forward beyond the last time), as :func:`compare.rmst`."""
    prev_s = np.r_[1.0, km.survival[:-1]]
    prev_s[km.first[:-1]] = 1.0
    prev_t = np.r_[0.0, km.time[:-1]]
    prev_t[km.first[:-1]] = 0.0
    width = np.clip(np.minimum(km.time, tau) - np.minimum(prev_t, tau), 0.0, None)
    area = np.add.reduceat(prev_s * width, km.first[:-1])
    last = km.first[1:] - 1
    return area + km.survival[last] * np.clip(tau - km.time[last], 0.0, None)


@dataclass(frozen=True, eq=False)
class DrawContrast:
    """Arm vs reference on every draw (arrays of shape (n_draws,)).

    Attributes
    ----------
    log_hr, se : ndarray
        Cox log HR (Efron ties) and its SE; NaN where not estimable.
    logrank_p : ndarray
        Two-sided log-rank p (R ``survdiff``).
    logrank_z : ndarray
        Signed standardised log-rank statistic of the arm, ``(O - E) / sqrt(V)``
        (``logrank_z**2`` is the chi-square; positive: more events in the arm than expected).
    """

    log_hr: NDArray[np.float64]
    se: NDArray[np.float64]
    logrank_p: NDArray[np.float64]
    logrank_z: NDArray[np.float64]


def draw_cox_logrank(ref, arm, n_draws: int, *, max_iter: int = 50):
    """Cox log HR and its SE and the log-rank p per draw (:func:`draw_contrast` without the signed z).

    Returns
    -------
    log_hr, se, logrank_p : ndarray of shape (n_draws,)
    """
    c = draw_contrast(ref, arm, n_draws, max_iter=max_iter)
    return c.log_hr, c.se, c.logrank_p


def draw_contrast(ref, arm, n_draws: int, *, max_iter: int = 50) -> DrawContrast:
    """Cox log HR (Efron ties, arm vs reference) and the log-rank test per draw, all draws at once.

    ``ref`` and ``arm`` are ``(draw, time, event)`` triples. The Cox fit is Newton-Raphson on the
    Efron partial likelihood of one binary covariate, the same estimator as :func:`compare.cox_hr`
    (statsmodels PHReg) and R ``coxph(ties = "efron")``; draws whose likelihood has no finite
    maximum (no events in an arm, or a monotone likelihood) give NaN. The log-rank statistic is
    R ``survdiff``'s for two groups.

    Returns
    -------
    DrawContrast
    """
    draw = np.r_[ref[0], arm[0]].astype(np.int64)
    time = np.r_[ref[1], arm[1]].astype(float)
    event = np.r_[ref[2], arm[2]].astype(float)
    grp = np.r_[np.zeros(ref[1].size), np.ones(arm[1].size)]
    order, first_row = _distinct(draw, time)
    dr, ev, g = draw[order], event[order], grp[order]
    u_draw = dr[first_row]
    c1 = np.add.reduceat(g, first_row)
    c0 = np.add.reduceat(1.0 - g, first_row)
    d1 = np.add.reduceat(ev * g, first_row)
    d0 = np.add.reduceat(ev * (1.0 - g), first_row)
    first = _segment_first(u_draw, n_draws)

    def at_risk(count):  # patients with time >= t in the same draw: reverse running sum per draw
        total = np.add.reduceat(count, first)
        return total[u_draw] - _within(np.cumsum(count), u_draw, first) + count

    n0, n1 = at_risk(c0), at_risk(c1)
    keep = (d0 + d1) > 0
    u_draw, n0, n1, d0, d1 = u_draw[keep], n0[keep], n1[keep], d0[keep], d1[keep]
    dtot, n = d0 + d1, n0 + n1
    # log-rank (survdiff, two groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = dtot * n1 / n
        v = np.where(n > 1, dtot * n0 * n1 * (n - dtot) / (n**2 * (n - 1.0)), 0.0)
    o_e = np.bincount(u_draw, weights=d1 - e1, minlength=n_draws)
    var = np.bincount(u_draw, weights=v, minlength=n_draws)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr_p = np.where(var > 0, chi2.sf(o_e**2 / var, 1), np.nan)
        lr_z = np.where(var > 0, o_e / np.sqrt(var), np.nan)
    # Efron: one row per tied event l = 0..d-1 at each time
    reps = dtot.astype(np.int64)
    row = np.repeat(np.arange(dtot.size), reps)
    frac = (np.arange(row.size) - np.repeat(np.cumsum(reps) - reps, reps)) / np.repeat(dtot, reps)
    r_draw, r_n0, r_n1, r_d0, r_d1 = u_draw[row], n0[row], n1[row], d0[row], d1[row]
    events1 = np.bincount(u_draw, weights=d1, minlength=n_draws)
    events0 = np.bincount(u_draw, weights=d0, minlength=n_draws)
    beta = np.zeros(n_draws)
    info = np.zeros(n_draws)
    ok = (events0 > 0) & (events1 > 0)
    for _ in range(max_iter):
        eb = np.exp(beta)[r_draw]
        a = eb * (r_n1 - frac * r_d1)
        s0 = r_n0 + eb * r_n1 - frac * (r_d0 + eb * r_d1)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(s0 > 0, a / s0, 0.0)
        score = events1 - np.bincount(r_draw, weights=p, minlength=n_draws)
        info = np.bincount(r_draw, weights=p - p**2, minlength=n_draws)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(info > 0, score / info, 0.0)
        step = np.clip(step, -2.0, 2.0)
        beta = np.where(ok, beta + step, beta)
        if np.all(np.abs(step[ok]) < 1e-12):
            break
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(info > 0, 1.0 / np.sqrt(info), np.nan)
    finite = ok & (np.abs(beta) < 15.0) & np.isfinite(se)
    return DrawContrast(np.where(finite, beta, np.nan), np.where(finite, se, np.nan), lr_p, lr_z)
