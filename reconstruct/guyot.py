"""Reconstruction of individual patient data from a Kaplan-Meier curve (after Guyot et al. 2012).

The unknowns are, at each point of the digitized curve, the number of events
``d_j`` and the number at risk ``n_j``. Guyot's algorithm assumes that
censoring is spread uniformly in time between the rows of the at-risk
table. Here that assumption is the *prior*, and the step heights refine it:
each drop of a KM curve is ``1 - d/n`` with whole numbers ``d`` and ``n``,
so a measured drop ``h`` with ``d`` events says ``n = d / h``. For small arms
(where one misplaced censoring shifts every later step by ``1/n``) the steps
pin the numbers at risk down exactly; for large arms, where a drop of ``1/n``
is below the digitization precision, the estimate falls back to Guyot's.

Both are combined on the scale of ``M_j = n_j + D_{<j}`` (patients not yet
censored), which must be non-increasing in time and equals
``n_risk(T) + D(<T)`` at each table time ``T``: a weighted isotonic regression
(:func:`reconstruct.isotonic.isotonic_decreasing`, as scipy.optimize.isotonic_regression) with the table rows as fixed
anchors. Events are re-derived from the numbers at risk by cumulative rounding
of ``n_j h_j`` (so fractional drops split over neighbouring points are not lost),
and the two steps alternate until they agree. The alternation can settle on a wrong solution (too few
censorings early, an event too many later, the table missed): when the solution misses the table, or the
curve by more than the precision on average, it is run a second time from the at-risk
counts of the table with each drop rounded against the KM so far (Guyot's rule), and the solution that
misses the table, then the curve, least is kept.

References
----------
1. Guyot P, Ades AE, Ouwens MJNM, Welton NJ. Enhanced secondary analysis of survival data:
   reconstructing the data from published Kaplan-Meier survival curves.
   BMC Med Res Methodol 2012;12:9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reconstruct._guyot_rounding import _cumulative_round, _misfit, _start, _tracking_round, running_total
from reconstruct._marked_tail import MarkedTail
from reconstruct.isotonic import isotonic_decreasing
from reconstruct.log_pmf import binom_logpmf, geometric_logpmf

__all__ = ["CensorClock", "GuyotSolution", "solve_guyot"]

_ANCHOR_WEIGHT = 1e12
# Score per patient by which a candidate breaks a constraint (-2 log-likelihood units).
_VIOLATION = 50.0


@dataclass(frozen=True, eq=False)
class GuyotSolution:
    """Raw solution for one arm, before it is turned into patient rows.

    Attributes
    ----------
    time : ndarray of shape (n_patients,)
        Event and censoring times, ascending.
    event : ndarray of int64, shape (n_patients,)
        1 = event, 0 = censored.
    iterations : int
        Alternations of the event and at-risk steps until they agreed.
    converged : bool
        Whether they agreed within the iteration limit.
    """

    time: NDArray[np.float64]
    event: NDArray[np.int64]
    iterations: int
    converged: bool



def _prior_weights(p_time, a_time, anchors, tail_rate, n_est, marked=None):
    """Prior (uniform censoring) for M at each point, its weight (1 / variance), and tail censoring.

    Between table rows the censored count grows linearly in time; its spread is
    binomial, ``c p (1 - p)``. After the last row censoring continues at
    ``tail_rate`` (per patient at risk and time unit): ``expected`` holds the censorings
    expected between the last row and each point (0 inside the table).

    ``p_time`` and ``a_time`` are on the censoring clock. ``marked`` (a :class:`MarkedTail`) is
    given when there are censor marks: the *number* of tail censorings is then worked out in
    time (see :meth:`MarkedTail.tail_censored`) and the clock only decides *where* they fall.
    (A mark is a jump of one clock unit, worth far more than the table's exposure on the clock:
    counted as exposure, one mark after the last row censored everyone.)
    """
    prior = np.interp(p_time, a_time, anchors)
    var = np.full(p_time.shape, 0.25)
    expected = np.zeros(p_time.shape)
    inside = p_time <= a_time[-1]
    idx = np.clip(np.searchsorted(a_time, p_time[inside], side="right") - 1, 0, a_time.size - 2)
    if a_time.size > 1:
        width = a_time[idx + 1] - a_time[idx]
        frac = np.where(width > 0, (p_time[inside] - a_time[idx]) / np.where(width > 0, width, 1.0), 0.0)
        censored = anchors[idx] - anchors[idx + 1]
        var[inside] += censored * frac * (1.0 - frac)
    tail = ~inside
    if tail.any():
        t_tail = np.concatenate((a_time[-1:], p_time[tail]))
        n_tail = np.concatenate((n_est[tail][:1], n_est[tail]))
        exposure = np.cumsum(np.diff(t_tail) * 0.5 * (n_tail[1:] + n_tail[:-1]))
        lost = tail_rate * exposure
        if marked is not None:
            share = exposure / exposure[-1] if exposure[-1] > 0 else np.ones_like(exposure)
            lost = marked.tail_censored(tail_rate, tail, n_tail, anchors) * share
        prior[tail] = np.maximum(anchors[-1] - lost, 0.0)
        var[tail] += lost  # Poisson spread of the censorings expected after the last row
        expected[tail] = lost
    return prior, 1.0 / var, expected


def _height_sd(drop, s_prev, precision):
    """Standard error of a measured relative drop ``h = 1 - S_j / S_{j-1}``."""
    ratio = 1.0 - drop
    return precision * np.sqrt(1.0 + ratio**2) / np.maximum(s_prev, 1e-12)


def _tie_penalty(d_counts: NDArray[np.float64], top: int) -> NDArray[np.float64]:
    """``-2 log P(d)`` for ``d = 1..top``, from the events at steps already pinned down.

    Empirical Bayes: observed counts of ``d`` plus one pseudo-count spread as ``2^-d``. Curves of
    continuous times (every pinned step a single event) then prefer ``d = 1`` among equally good
    multiples ``(k d0, k n0)``; curves with tied times learn that several events per step are usual.
    """
    d = np.arange(1, top + 1)
    counts = np.zeros(top)
    counts[: min(top, d_counts.size)] = d_counts[:top]
    prior = 0.5**d / (1.0 - 0.5**top)
    p = (counts + prior) / (counts.sum() + prior.sum())
    return -2.0 * np.log(p)


def _candidates(drop, sd_h, ctx, max_events, d_counts):
    """Integer (d, n) candidates per point with their scores (inf = impossible).

    Candidates ``d = 1, 2, ...`` give ``n = d / h``. A candidate scores well when ``n`` is
    close to a whole number (relative to its standard error ``n**2 / d * sd_h``) and when
    it fits the table: inside a table interval it fixes the censorings before and after the
    point, ``c1`` and ``c2``, and Guyot's uniform censoring makes ``c1 ~ Binomial(c1 + c2, p)``
    with ``p`` the point's place in the interval. After the last row the censorings since
    it, ``c``, are geometric (negative binomial, r = 1) with the mean that the table's censoring
    rate predicts (at least 0.5): heavy-tailed, because follow-up often ends soon after the last
    row and censoring then far exceeds the table's rate.
    """
    top = int(min(max_events, max(2.0, float(np.max(np.ceil(drop * ctx["n_high"]), initial=1.0)))))
    cand = np.arange(1, top + 1, dtype=float)[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n_c = np.where(drop[:, None] > 0, cand / drop[:, None], np.inf)
        sd_n = n_c**2 / cand * sd_h[:, None]
        whole = np.floor(n_c + 0.5)
        c1 = ctx["n_prev"][:, None] - ctx["d_since"][:, None] - whole
        c2 = whole - cand - ctx["d_until"][:, None] - ctx["n_next"][:, None]
        inside = ctx["inside"][:, None]
        # Negative censorings are impossible, but c1 and c2 lean on the other points' current events,
        # which are still being estimated: a steep penalty per patient, not a wall, lets them recover.
        short = np.maximum(-c1, 0) + np.where(inside, np.maximum(-c2, 0), 0)
        k1, k2 = np.maximum(c1, 0), np.maximum(c2, 0)
        fit_table = -2.0 * binom_logpmf(k1, k1 + k2, ctx["frac"][:, None])
        mean = np.maximum(ctx["tail_mean"][:, None], 0.5)
        fit_tail = -2.0 * geometric_logpmf(k1, 1.0 / (1.0 + mean))
        score = np.where(inside, fit_table, fit_tail) + ((n_c - whole) / sd_n) ** 2 + _VIOLATION * short
        score = score + _tie_penalty(d_counts, top)[None, :]
    feasible = (whole >= cand) & (whole >= ctx["n_low"][:, None]) & (whole <= ctx["n_high"][:, None])
    score = np.where(np.isfinite(score) & feasible, score, np.inf)
    return np.broadcast_to(cand, score.shape), whole, score


def _integer_events(drop, sd_h, ctx, other_before, d_counts, max_events=1024):
    """Whole events ``d`` and numbers at risk ``n`` that best explain each drop ``h = d / n``.

    Points whose height pins a whole ``n`` down (standard error of ``n = 1/h`` below 0.3
    patient) are chosen jointly by a Viterbi pass, so that the chain ``n_b <= n_a - d_a - E``
    holds (``E``: events at the other points between ``a`` and ``b``, from ``other_before``,
    the running total of those events before each point).

    Returns
    -------
    events, n_hat, informative : ndarray of shape (n_points,)
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Huge ties (more than max_events at one step) fall back to rounding.
        informative = (drop > 0) & ((1.0 / drop) ** 2 * sd_h < 0.3)
        informative &= np.ceil(drop * ctx["n_high"]) <= max_events
    events = np.zeros(drop.size)
    n_hat = np.zeros(drop.size)
    idx = np.flatnonzero(informative)
    if idx.size == 0:
        return events, n_hat, informative
    cand, whole, score = _candidates(drop[idx], sd_h[idx], {k: v[idx] for k, v in ctx.items()}, max_events,
                                     d_counts)
    total = score[0].copy()
    back = np.zeros(score.shape, dtype=np.int64)
    for step in range(1, idx.size):  # sequential by nature: each choice bounds the next
        gap = other_before[idx[step]] - other_before[idx[step - 1]]
        room = whole[step - 1] - cand[step - 1] - gap
        excess = np.maximum(whole[step][:, None] - room[None, :], 0.0)
        with np.errstate(invalid="ignore"):
            trans = total[None, :] + _VIOLATION * excess
        trans = np.where(np.isnan(trans), np.inf, trans)
        best_prev = np.argmin(trans, axis=1)
        best_cost = trans[np.arange(trans.shape[0]), best_prev]
        back[step] = best_prev
        total = score[step] + best_cost
    choice = np.empty(idx.size, dtype=np.int64)
    choice[-1] = int(np.argmin(total))
    for step in range(idx.size - 1, 0, -1):
        choice[step - 1] = back[step, choice[step]]
    rows = np.arange(idx.size)
    chosen_ok = np.isfinite(score[rows, choice])
    events[idx] = np.where(chosen_ok, cand[rows, choice], 0.0)
    n_hat[idx] = np.where(chosen_ok, whole[rows, choice], 0.0)
    informative[idx] = chosen_ok
    return events, n_hat, informative


def _solve_once(curve_t, curve_s, a_time, a_n, tail_rate, use_heights, precision, max_iter, marked=None, *,
                tracking=False):
    """Alternate the event and at-risk steps for one arm; return events, M per point and convergence.

    ``tracking=False`` starts from nobody censored and rounds a running total of expected events;
    ``tracking=True`` starts from the at-risk counts read off the table and rounds each drop against the
    KM so far (``_start``, ``_tracking_round`` in :mod:`reconstruct._guyot_rounding`). The alternation can
    settle on different solutions from the two; :func:`solve_guyot` keeps the one that fits best.

    ``curve_t`` and ``a_time`` are on the censoring clock; ``marked`` (a :class:`MarkedTail`, when
    there are marks) holds their times (``tail_rate`` is then per time unit, not per clock unit).
    """
    p_time, s = curve_t[1:], curve_s[1:]
    s_prev = curve_s[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(s_prev > 0, 1.0 - s / s_prev, 0.0)
    drop = np.clip(drop, 0.0, 1.0)
    # Merge anchors into the point sequence: an anchor at T comes before points at times >= T.
    a_pos = np.searchsorted(p_time, a_time, side="left")
    at_anchor = np.zeros(p_time.size, dtype=bool)
    exact = a_pos < p_time.size
    at_anchor_idx = a_pos[exact][p_time[a_pos[exact]] == a_time[exact]]
    at_anchor[at_anchor_idx] = True
    seq_is_anchor = np.r_[np.zeros(p_time.size, dtype=bool), np.ones(a_time.size, dtype=bool)]
    seq_order = np.argsort(np.r_[np.arange(p_time.size) * 2 + 1, a_pos * 2], kind="stable")
    n0 = float(a_n[0])
    sd_h = _height_sd(drop, s_prev, precision)
    if tracking:
        events, m = _start(p_time, s_prev, drop, a_time, a_n, a_pos)
    else:
        events = _cumulative_round(n0 * (s_prev - s), n0)
        m = np.full(p_time.size, n0)
    tail_mean = np.zeros(p_time.size)
    # Bounds that hold whatever the events: N(next table row) <= n_j <= N(previous table row).
    row = np.searchsorted(a_time, p_time, side="right") - 1
    n_high = a_n[row]
    n_low = np.where(row + 1 < a_n.size, a_n[np.minimum(row + 1, a_n.size - 1)], 0.0)
    inside = row + 1 < a_n.size
    nxt_t = a_time[np.minimum(row + 1, a_time.size - 1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(inside, (p_time - a_time[row]) / (nxt_t - a_time[row]), 0.5)
    informative_prev = np.zeros(p_time.size, dtype=bool)
    previous = None
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        d_before = np.cumsum(events) - events
        n_risk = np.maximum(m - d_before, 0.0)
        if tracking:
            new_events = _tracking_round(m, s, np.zeros(p_time.size, dtype=bool), events, m[-1])
        else:
            new_events = _cumulative_round(n_risk * drop, m[-1])
        n_hat = np.zeros(p_time.size)
        informative = np.zeros(p_time.size, dtype=bool)
        if use_heights:
            other = np.where(informative_prev, 0.0, new_events)
            other_before = np.cumsum(other) - other
            cum = running_total(events)
            ctx = {
                "tail_mean": tail_mean,
                "n_low": n_low,
                "n_high": n_high,
                "inside": inside,
                "frac": frac,
                "n_prev": n_high,
                "n_next": n_low,
                "d_since": cum[np.arange(p_time.size)] - cum[a_pos[row]],
                "d_until": np.where(inside, cum[a_pos[np.minimum(row + 1, a_pos.size - 1)]] - cum[1:], 0.0),
            }
            # Events per step at the steps pinned down last time (drops to zero excluded: d = n there).
            pinned = informative_prev & (drop < 1) & (events > 0)
            d_counts = np.bincount(events[pinned].astype(np.int64), minlength=2)[1:].astype(float)
            int_events, n_hat, informative = _integer_events(drop, sd_h, ctx, other_before, d_counts)
            if tracking:
                new_events = _tracking_round(m, s, informative, int_events, m[-1])
            else:
                rest = _cumulative_round(np.where(informative, 0.0, n_risk * drop), m[-1])
                new_events = np.where(informative, int_events, rest)
            informative_prev = informative
        d_before = np.cumsum(new_events) - new_events
        anchor_d = running_total(new_events)[a_pos]
        anchors = np.maximum.accumulate((a_n + anchor_d)[::-1])[::-1]
        rate = _table_rate(a_time if marked is None else marked.table_time, a_n, anchors) if tail_rate is None \
            else tail_rate
        # Exposure after the last row from its at-risk bound (no further censoring): stable between passes.
        cum_new = running_total(new_events)
        n_bound = np.maximum(n_high - (cum_new[:-1] - cum_new[a_pos[row]]), 0.0)
        prior, w_prior, tail_mean = _prior_weights(p_time, a_time, anchors, rate, n_bound, marked)
        if marked is not None:  # patients not yet censored include those with events: M_j >= D_{<=j}
            prior = np.maximum(prior, cum_new[1:])
        target, weight = prior, w_prior
        if use_heights:
            w_hat = np.where(informative, 1e6, 0.0)
            weight = w_prior + w_hat
            target = (w_prior * prior + w_hat * (n_hat + d_before)) / weight
        seq_y = np.concatenate((target, anchors))[seq_order]
        seq_w = np.concatenate((weight, np.full(a_time.size, _ANCHOR_WEIGHT)))[seq_order]
        fitted = isotonic_decreasing(seq_y, seq_w)
        new_m = np.empty(p_time.size)
        new_m[seq_order[~seq_is_anchor[seq_order]]] = fitted[~seq_is_anchor[seq_order]]
        new_m = np.floor(new_m + 0.5)
        if at_anchor.any():
            new_m[at_anchor_idx] = anchors[np.searchsorted(a_time, p_time[at_anchor_idx])]
        new_m = np.minimum(np.minimum.accumulate(new_m), n0)
        # Events never exceed the patients not yet censored (D_{<=j} <= M_j, i.e. D_total <= M_last).
        new_events = np.diff(np.minimum(np.cumsum(new_events), new_m[-1]), prepend=0.0)
        new_m = np.maximum(new_m, new_events.sum())
        stable = np.array_equal(new_m, m) and np.array_equal(new_events, events)
        # A two-cycle differs only by rounding (typically the prior of the tail): settle it midway.
        cycle = previous is not None and np.array_equal(new_m, previous[0]) and np.array_equal(new_events, previous[1])
        previous = (m, events)
        m, events = (np.floor(0.5 * (new_m + m) + 0.5), new_events) if cycle else (new_m, new_events)
        if stable or cycle:
            converged = True
            break
    return events, m, converged, iteration


def _patient_rows(curve_t, events, m, a_time, a_n, d_total, *, event_times, end_time, to_time):
    """Turn per-point events and M into patient times: censorings spread evenly in each gap.

    ``curve_t`` and ``a_time`` are on the censoring clock; ``to_time`` maps clock values of the
    censorings back to time, ``event_times`` are the points' times.
    """
    p_time = curve_t[1:]
    anchor_d = running_total(events)[np.searchsorted(p_time, a_time, side="left")]
    anchors = np.maximum.accumulate((a_n + anchor_d)[::-1])[::-1]
    # Combined time-ordered sequence of (time, M): start, anchors and points.
    seq_t = np.r_[0.0, a_time, p_time]
    seq_m = np.r_[a_n[0], anchors, m]
    key = np.r_[-1, np.searchsorted(p_time, a_time, side="left") * 2, np.arange(p_time.size) * 2 + 1]
    order = np.argsort(key, kind="stable")
    seq_t, seq_m = seq_t[order], np.minimum.accumulate(seq_m[order])
    lost = np.diff(seq_m).astype(np.int64) * -1
    remaining = int(max(m[-1] - d_total, 0)) if m.size else int(a_n[0])
    # Whatever the table's inconsistencies, the patients add up to the number randomised.
    surplus = int(lost.sum()) + remaining - int(a_n[0] - d_total)
    take = min(surplus, remaining) if surplus > 0 else surplus
    remaining -= take
    surplus -= take
    if surplus > 0:  # remove the latest censorings first
        cut = np.minimum(lost[::-1], np.maximum(surplus - (np.cumsum(lost[::-1]) - lost[::-1]), 0))
        lost = lost - cut[::-1]
    gap_start, gap_end = seq_t[:-1], seq_t[1:]
    gap = np.repeat(np.arange(lost.size), lost)
    rank = np.arange(gap.size) - np.repeat(np.cumsum(lost) - lost, lost)
    frac = (rank + 1.0) / (np.repeat(lost, lost) + 1.0)
    censor_t = to_time(gap_start[gap] + frac * (gap_end[gap] - gap_start[gap]))
    end_t = np.full(remaining, end_time)
    event_t = np.repeat(event_times, events.astype(np.int64))
    time = np.r_[event_t, censor_t, end_t]
    event = np.r_[np.ones(event_t.size, np.int64), np.zeros(censor_t.size + remaining, np.int64)]
    order = np.lexsort((-event, time))
    return time[order], event[order]


@dataclass(frozen=True, eq=False)
class CensorClock:
    """Clock on which censoring is taken as uniform: time, plus a jump of 1 at each censor mark.

    Without marks it is time itself (Guyot's assumption). With marks, the uniform prior,
    the binomial scores and the placement of censorings all concentrate at the marks;
    stretches without marks keep a small slope (``slope`` per time unit), i.e. uniform censoring.
    A mark at ``t`` counts from just after ``t``, so a censoring placed there is still at risk at ``t``.
    """

    marks: NDArray[np.float64]
    counts: NDArray[np.float64]
    slope: float

    @classmethod
    def from_marks(cls, marks: NDArray[np.float64] | None, t_end: float, weight: float = 0.05) -> CensorClock:
        """Build the clock from mark times (``None`` or empty: plain time)."""
        if marks is None or len(marks) == 0:
            return cls(marks=np.empty(0), counts=np.empty(0), slope=1.0)
        uniq, counts = np.unique(np.asarray(marks, dtype=float), return_counts=True)
        return cls(marks=uniq, counts=counts.astype(float), slope=weight / max(t_end, 1e-12))

    def __call__(self, t: NDArray[np.float64]) -> NDArray[np.float64]:
        t = np.asarray(t, dtype=float)
        before = np.r_[0.0, np.cumsum(self.counts)][np.searchsorted(self.marks, t, side="left")]
        return self.slope * t + before

    def inverse(self, c: NDArray[np.float64]) -> NDArray[np.float64]:
        """Time of clock values ``c`` (the mark's time for values inside its jump)."""
        if self.marks.size == 0:
            return np.asarray(c, dtype=float) / self.slope
        low = self(self.marks)
        knot_c = np.r_[0.0, np.column_stack((low, low + self.counts)).ravel()]
        knot_t = np.r_[0.0, np.repeat(self.marks, 2)]
        t = np.interp(c, knot_c, knot_t, right=np.nan)
        beyond = np.isnan(t)
        return np.where(beyond, self.marks[-1] + (c - knot_c[-1]) / self.slope, t)


def _table_rate(a_time, a_n, anchors):
    """Censoring rate per patient at risk and time unit over the table (prior for the tail after it)."""
    if a_time.size < 2:
        return 0.0
    exposure = float(np.sum(np.diff(a_time) * 0.5 * (a_n[1:] + a_n[:-1])))
    return 0.0 if exposure <= 0 else float(max(anchors[0] - anchors[-1], 0.0)) / exposure


def solve_guyot(
    curve_t: NDArray[np.float64],
    curve_s: NDArray[np.float64],
    a_time: NDArray[np.float64],
    a_n: NDArray[np.int64],
    *,
    total_events: int | None,
    use_heights: bool,
    precision: float,
    censor_times: NDArray[np.float64] | None = None,
    max_iter: int = 200,
) -> GuyotSolution:
    """Solve one arm.

    Parameters
    ----------
    curve_t, curve_s : ndarray of shape (n_points,)
        Cleaned curve (see :func:`reconstruct.clean_curve`): starts at (0, 1), times
        strictly increasing, survival non-increasing.
    a_time, a_n : ndarray of shape (n_rows,)
        Cleaned at-risk table, first row at time 0 (``a_n[0]`` = patients). A table of
        one row is the variant with the total number of patients only.
    total_events : int or None
        Reported total events; used to set the censoring after the last table row.
    use_heights : bool
        Refine with exact step heights (``False`` = plain Guyot: censoring uniform in
        time within each table interval).
    precision : float
        Standard error of a digitized survival value (survival units): how far step
        heights are trusted.
    censor_times : ndarray of shape (n_marks,), optional
        Times of censor marks seen on the curve; censoring is then taken as uniform on the
        :class:`CensorClock` of the marks instead of in time.
    max_iter : int
        Limit of the alternation.

    Returns
    -------
    GuyotSolution
    """
    a_n = a_n.astype(float)
    clock = CensorClock.from_marks(censor_times, float(curve_t[-1]))
    clock_t, clock_a = clock(curve_t), clock(a_time)

    # With marks the clock is not time: the censoring after the last row is counted in time.
    marked = MarkedTail.from_marks(clock.marks, clock.counts, curve_t, a_time) if clock.marks.size else None

    def rows(events, m):
        return _patient_rows(clock_t, events, m, clock_a, a_n, events.sum(), event_times=curve_t[1:],
                             end_time=float(curve_t[-1]), to_time=clock.inverse)

    def run(rate: float | None):
        # Two starts (see _solve_once); plain Guyot (use_heights False) keeps the published one. The second
        # is tried only when the first misses the table, or the curve by more than the precision on average.
        first = _solve_once(clock_t, curve_s, clock_a, a_n, rate, use_heights, precision, max_iter, marked)
        miss = _misfit(*rows(first[0], first[1]), curve_t, curve_s, a_time, a_n)
        if not use_heights or (miss[0] == 0 and miss[1] <= precision):
            return first
        second = _solve_once(clock_t, curve_s, clock_a, a_n, rate, use_heights, precision, max_iter, marked,
                             tracking=True)
        # table first, then curve; a tie keeps the first
        return second if _misfit(*rows(second[0], second[1]), curve_t, curve_s, a_time, a_n) < miss else first

    events, m, converged, iters = run(None)
    has_tail = curve_t[-1] > a_time[-1]
    if total_events is not None and has_tail:
        # More censoring after the last row means fewer events: bisect the tail rate.
        low, high = 0.0, 1e-3
        while run(high)[0].sum() > total_events and high < 1e6:
            high *= 4.0
        best = (abs(events.sum() - total_events), events, m, converged, iters)
        for _ in range(60):
            mid = 0.5 * (low + high)
            ev, mm, conv, it = run(mid)
            gap = ev.sum() - total_events
            if abs(gap) < best[0]:
                best = (abs(gap), ev, mm, conv, it)
            if gap == 0 or high - low < 1e-9:
                break
            low, high = (mid, high) if gap > 0 else (low, mid)
        _, events, m, converged, iters = best
    time, event = rows(events, m)
    return GuyotSolution(time=time, event=event, iterations=iters, converged=converged)
