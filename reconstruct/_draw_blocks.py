"""Events and censorings of one block between cuts, for all draws at once (used by :mod:`reconstruct.draws`).

A block runs from one cut (a time where a draw's number at risk is known) to the next. Its events
follow from the noisy step heights, its censorings fill the rest of the loss; a draw whose censoring
times leave too few patients at risk for the curve's steps is redrawn (:func:`refit_block`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["block_events", "censor_pool", "block_deviation", "block_ratio", "block_tolerance", "refit_block",
           "fallback_pool", "emit_events"]

_PASSES = 12


def block_events(n_start, loss, c_init, dfix, pts_t, drops, pool, *, tail_target=None, tail_share=None, tail_floor=0,
                 km0=None):
    """Events per point and the censoring count of one block, all draws at once.

    ``n_start`` (m,) at risk at the cut; ``loss`` (m,) events + censorings up to the next cut (None
    after the last cut); ``dfix`` (m,) events at the cut's own point (0 if none); ``pts_t`` (k,) times
    of the block's other points; ``drops`` (m, k) their noisy relative drops; ``pool`` (m, L) candidate
    censoring times, the first ``c`` of which are the censorings (a censoring at a point's time is
    still at risk there).
    After the last cut, ``tail_target`` (m,) fixes the block's events (a given event total), else
    ``tail_share`` (m,) is the share of the patients without an event censored inside the block
    (at least ``tail_floor``, the marks there).
    ``km0`` (m,): the draw's KM over the noisy curve at the cut (1 when None): the first steps make up a
    lag left by the blocks before (whose table row capped their events), so the draw's KM follows the
    curve's level over the whole follow-up and not only within each block.
    """
    m, width = pool.shape
    start = np.ones(m) if km0 is None else np.asarray(km0, dtype=float)
    c = np.minimum(c_init, width).astype(np.int64)
    # (m, k, L + 1): how many of the first s candidates lie before each point, so that a pass reads the count of
    # its c censorings instead of summing the first c again
    before = np.zeros((m, pts_t.size, width + 1), dtype=np.int32)
    np.cumsum(pool[:, None, :] < pts_t[None, :, None], axis=2, out=before[:, :, 1:])
    for _ in range(_PASSES):
        c_before = np.take_along_axis(before, np.broadcast_to(c[:, None, None], (m, pts_t.size, 1)), axis=2)[:, :, 0]
        total = dfix.astype(np.int64).copy()
        km, curve = start.copy(), np.ones(m)  # the draw's KM and the noisy curve, relative to the curve at the cut
        d = np.zeros(drops.shape, dtype=np.int64)
        budget = loss if loss is not None else n_start
        # np.divide's where= and np.minimum/np.maximum for np.errstate and np.clip (the same numbers): per point,
        # those cost more than the arithmetic (~10 us each, thousands of points a figure); a NaN cast still warns
        ratio = np.ones(m)
        for j in range(drops.shape[1]):  # sequential: each point's number at risk needs the events before it
            at_risk = np.maximum(n_start - total - c_before[:, j], 0)
            curve *= 1.0 - drops[:, j]
            # as Guyot et al.: the events that bring the draw's KM back to the curve's level
            ratio.fill(1.0)
            gap = 1.0 - np.divide(curve, km, out=ratio, where=km != 0)  # km >= 0; a NaN goes through to the cast
            want = np.floor(at_risk * gap + 0.5).astype(np.int64)
            dj = np.minimum(np.maximum(want, 0), np.minimum(at_risk, np.maximum(budget - total, 0)))
            km *= np.where(at_risk > 0, 1.0 - dj / np.maximum(at_risk, 1), 1.0)
            d[:, j] = dj
            total += dj
        if loss is not None:
            new_c = np.clip(loss - total, 0, width)
        elif tail_target is not None:
            new_c = np.clip(c + (total - tail_target), 0, np.minimum(n_start - total, width))
        elif tail_share is not None:
            share_c = np.floor(tail_share * (n_start - total) + 0.5).astype(np.int64)
            new_c = np.clip(np.maximum(share_c, tail_floor), 0, np.minimum(np.maximum(n_start - total, 0), width))
        else:
            new_c = np.clip(c, 0, np.maximum(n_start - total, 0))
        if np.array_equal(new_c, c):
            break
        c = new_c
    return d, total, c


def _block_curves(n_start, dfix, pts_t, drops, d, c, pool, km0):
    """The draws' KM and the noisy curve at the block's points, both relative to the curve at the cut."""
    active = np.arange(pool.shape[1])[None, :] < c[:, None]
    c_before = ((pool[:, None, :] < pts_t[None, :, None]) & active[:, None, :]).sum(axis=2)
    at_risk = n_start[:, None] - dfix[:, None] - (np.cumsum(d, axis=1) - d) - c_before
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(at_risk > 0, 1.0 - d / np.maximum(at_risk, 1), 1.0)
    km = np.cumprod(step, axis=1) * (1.0 if km0 is None else np.asarray(km0, dtype=float)[:, None])
    return km, np.cumprod(1.0 - drops, axis=1)


def block_deviation(n_start, dfix, pts_t, drops, s_cut, d, c, pool, km0=None):
    """Per draw, the largest distance of the block's KM from the noisy curve (both from the level ``s_cut``)."""
    km, curve = _block_curves(n_start, dfix, pts_t, drops, d, c, pool, km0)
    return s_cut * np.abs(km - curve).max(axis=1)


def block_ratio(n_start, dfix, pts_t, drops, d, c, pool, km0=None):
    """Per draw, its KM over the noisy curve at the block's end (the ``km0`` of the next block; 1 at a curve of 0)."""
    if drops.shape[1] == 0:
        return np.ones(n_start.size) if km0 is None else np.asarray(km0, dtype=float).copy()
    km, curve = _block_curves(n_start, dfix, pts_t, drops, d, c, pool, km0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(curve[:, -1] > 0, km[:, -1] / curve[:, -1], 1.0)


def refit_block(args, state, c_init, reshare, tol, floor, span, rng, fallback, tries=_PASSES):
    """Redraw the censoring times (and the tail's share) of the draws whose KM leaves the curve in a block.

    Censorings at uniform times can leave fewer patients at risk than a step's height needs (a drop
    of 1/7 cannot come from 3 at risk), and the KM then leaves the curve: such a draw does not fit the
    figure. Each one is redrawn (up to ``tries`` times) until its KM is within ``tol`` of the noisy
    curve; the few left keep the reconstruction's own censoring times there.

    Returns the block's events, event totals, censoring counts and pool, and the draws that still
    leave the curve.
    """
    n_start, loss, dfix, pts_t, drops, s_cut, km0 = args
    d, total, c, pool = (x.copy() for x in state)
    km0 = np.ones(n_start.size) if km0 is None else km0
    bad = np.flatnonzero(block_deviation(n_start, dfix, pts_t, drops, s_cut, d, c, pool, km0) > tol)
    for attempt in range(tries + 1):
        if bad.size == 0:
            break
        if attempt < tries:
            pool[bad] = censor_pool(span[0], span[1], span[2], pool.shape[1], rng, bad.size)
            share = rng.random(bad.size) if reshare else None
        else:
            pool[bad] = fallback[None, :]
            share = None
        loss_bad = None if loss is None else loss[bad]
        d[bad], total[bad], c[bad] = block_events(n_start[bad], loss_bad, c_init[bad], dfix[bad], pts_t, drops[bad],
                                                  pool[bad], tail_share=share, tail_floor=floor, km0=km0[bad])
        dev = block_deviation(n_start[bad], dfix[bad], pts_t, drops[bad], s_cut, d[bad], c[bad], pool[bad], km0[bad])
        bad = bad[dev > tol]
    return d, total, c, pool, bad


# Spread of the censoring density within a block: each draw takes Beta(a, b) with log a, log b ~ N(0, sd^2)
_SHAPE_SD = 0.5


def censor_pool(in_marks, t0, t1, width, rng, m):
    """Candidate censoring times per draw: the block's marks in random order, then times from the draw's density.

    Where the censorings fall between two cuts is not known, nor how they are spread there (dropout
    spreads them, the end of accrual heaps them late in a block): each draw takes its own density on
    the block, ``Beta(a, b)`` with ``log a, log b ~ N(0, _SHAPE_SD^2)`` (uniform at ``a = b = 1``), so
    the draws vary the censorings' placement as a whole and not only patient by patient.
    """
    k = max(width - in_marks.size, 0)
    if t1 > t0:
        shape = np.exp(rng.normal(0.0, _SHAPE_SD, size=(m, 2)))
        extra = t0 + (t1 - t0) * rng.beta(shape[:, :1], shape[:, 1:], size=(m, k))
    else:
        extra = np.full((m, k), t0)
    if in_marks.size == 0:
        return extra
    shuffled = rng.permuted(np.broadcast_to(in_marks, (m, in_marks.size)), axis=1)
    return np.concatenate([shuffled, extra], axis=1)


def block_tolerance(events, n, s, free, precision: float) -> float:
    """The reconstruction's own distance from the curve at the points ``free``, plus two pixels (4 ``precision``).

    ``events``, ``n``: the reconstruction's events and numbers at risk at every curve point after time 0;
    ``s``: the curve's survival including time 0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        km = np.cumprod(np.where(n > 0, 1.0 - events / np.maximum(n, 1), 1.0))
    return float(np.max(np.abs(km[free] - s[free + 1]))) + 4.0 * precision


def fallback_pool(rec_time, rec_event, t0: float, t1: float, width: int, rng) -> NDArray[np.float64]:
    """The reconstruction's own censoring times in ``[t0, t1)``, then uniform times: one pool row, shape (width,)."""
    own = np.sort(rec_time[(rec_event == 0) & (rec_time >= t0) & (rec_time < t1)])[:width]
    extra = rng.uniform(t0, t1, size=width - own.size) if t1 > t0 else np.full(width - own.size, t0)
    return np.r_[own, extra]


def emit_events(out, rows, times, counts) -> None:
    """Append the events ``counts`` (len(rows), len(times)) of draws ``rows`` at ``times`` to ``out`` (3 lists)."""
    flat = counts.ravel()
    out[0].append(np.repeat(np.repeat(rows, times.size), flat))
    out[1].append(np.repeat(np.tile(times, rows.size), flat))
    out[2].append(np.ones(int(flat.sum()), dtype=np.int64))
