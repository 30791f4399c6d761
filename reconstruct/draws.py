"""Plausible IPD sets around a reconstruction: what the figure does not pin down, drawn at random.

A reconstruction is one IPD set. Others fit the same figure equally well: censorings can sit
anywhere between the times the table and the step heights fix, a step height that is a
multiple ``(k d, k n)`` of a fraction is as exact as ``(d, n)``, and every digitized point is
read with an error. :func:`draw_ipd` draws ``M`` such sets per arm (reproducibly from a seed):

1. **Cuts.** The number at risk is known at each at-risk table row and at each point whose
   step height pins ``n`` down (standard error of ``n = d / h`` below 0.3 patient, as in the
   solver). Between consecutive cuts the loss ``L = n(cut) - n(next cut)`` is fixed: events
   plus censorings. A pinned point whose fraction has other whole multiples ``(k d0, k n0)``
   that fit between its neighbours takes one of them at random, weighted by the tie prior of
   the solver (how often each number of events per step occurs at the pinned steps), in time
   order so that each choice leaves room after the previous one. At table rows the number at
   risk is the table's, and a point whose own ``(d, n)`` does not fit between the table rows
   (the reconstruction can miss a row by a patient) is not pinned.
2. **Censorings** in each block between cuts sit at the censor marks of the block, a random
   subset of distinct marks when there are more marks than censorings (a mark is at least one
   censoring); censorings beyond the marks, or without marks, follow a density on the block drawn per
   draw (``Beta(a, b)``, ``log a, log b ~ N(0, 0.5^2)``: the placement varies as a whole). A draw whose
   censorings leave too few patients at risk for the block's step heights (its KM leaves the
   noisy curve by more than the reconstruction's own distance plus two pixels) is redrawn; if
   that keeps failing it takes the reconstruction's censoring times there, and if it still fails
   before a pinned point that took another multiple, that point takes the reconstruction's own.
3. **Digitization noise.** Every distinct survival level gets Gaussian noise of sd
   ``precision`` (sorted back into a non-increasing curve, which keeps the noise centred); the events
   at the points that are not pinned are those that bring the draw's KM back to the noisy curve's
   level, given its number at risk (rounded, as in Guyot et al.; summing rounded expected counts
   instead lets the KM lag and then overshoot where few are at risk), and the censorings of the block
   are ``L`` minus those events (a few fixed-point passes). Each block starts from the draw's KM over
   the curve at its cut, so a lag left where a table row capped the block before is made up.
4. **Step positions.** Times are moved by a monotone random warp of the time axis: Gaussian
   noise of sd ``time_precision`` at every distinct curve time plus one common shift of the
   same sd per draw (the calibration of the axis), shared by the arms so that tied times stay
   tied; the at-risk table times do not move and no time crosses one.
5. **Reading errors** of a raster figure (``noise``, :mod:`reconstruct.draw_noise`): per draw a
   random calibration of both axes shared by the arms, an offset of each arm's levels, each
   arm's own level sd from the roughness of its trace, and a scale of each arm's cumulative hazard
   from its untraced share; ``parameters["reading"]`` says which arms may be grossly misread.

After the last cut, the censorings inside the curve keep the reconstruction's count (or
follow a given event total) and the rest stay at risk to the end of the curve. Every draw
therefore has exactly the table's numbers at risk at the table rows.

References
----------
1. Guyot P, Ades AE, Ouwens MJNM, Welton NJ. BMC Med Res Methodol 2012;12:9.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from reconstruct._draw_blocks import (block_events, block_ratio, block_tolerance, censor_pool, emit_events,
                                      fallback_pool, refit_block)
from reconstruct._draw_pins import alternatives, pinned_points
from reconstruct.clean import clean_at_risk, clean_curve
from reconstruct.csv_columns import arm_rows
from reconstruct.draw_budget import DEFAULT_DRAWS
from reconstruct.draw_noise import DigitizerNoise, noisy_drops, warp_times
from reconstruct.errors import InputError
from reconstruct.reconstruction import _snap, reconstruct_ipd
from reconstruct.results import IPDReconstruction, _readonly
from reconstruct.validation import check_finite_array, check_positive

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["IPDDraws", "draw_ipd", "DEFAULT_DRAWS"]

@dataclass(frozen=True, eq=False)
class IPDDraws:
    """``n_draws`` plausible IPD sets for every arm of a figure, in long form.

    Attributes
    ----------
    arms : tuple of str
        Arm names, in the reconstruction's order.
    n_draws : int
    seed : int
        Seed of the :class:`numpy.random.Generator` the draws came from.
    draw, arm_index : ndarray of int64, shape (n_rows,)
        Draw number (0-based) and index into ``arms`` of each row.
    time : ndarray of float64, shape (n_rows,)
    event : ndarray of int64, shape (n_rows,)
        1 = event, 0 = censored.
    parameters : dict
        Precision, time precision and the other settings used.

    Notes
    -----
    Rows are sorted by arm, draw, time (events before censorings at equal times).
    """

    arms: tuple[str, ...]
    n_draws: int
    seed: int
    draw: NDArray[np.int64]
    arm_index: NDArray[np.int64]
    time: NDArray[np.float64]
    event: NDArray[np.int64]
    parameters: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _readonly(self, "draw", "arm_index", "time", "event")

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """The long table's columns ``draw, arm, time, event`` as arrays (what :meth:`to_frame` holds)."""
        return {"draw": self.draw, "arm": np.asarray(self.arms, dtype=object)[self.arm_index],
                "time": self.time, "event": self.event}

    def to_frame(self) -> pd.DataFrame:
        """Long table with columns ``draw, arm, time, event``."""
        import pandas as pd

        return pd.DataFrame(self.to_columns())

    def arm_bounds(self, arm: str) -> NDArray[np.int64]:
        """Row offsets of each draw of ``arm``: rows ``b[k]:b[k+1]`` are draw ``k``; shape (n_draws + 1,)."""
        if arm not in self.arms:
            raise KeyError(f"arm must be one of {list(self.arms)!r}, got {arm!r}")
        k = self.arms.index(arm)
        keys = self.arm_index.astype(np.int64) * self.n_draws + self.draw
        return np.searchsorted(keys, k * self.n_draws + np.arange(self.n_draws + 1), side="left").astype(np.int64)


# --------------------------------------------------------------------------- one arm


@dataclass(frozen=True)
class _ArmInput:
    p_time: NDArray[np.float64]  # curve points after time 0
    s: NDArray[np.float64]  # cleaned survival including time 0
    a_time: NDArray[np.float64]
    a_n: NDArray[np.int64] | None  # the at-risk table's numbers (None without a table)
    marks: NDArray[np.float64] | None
    rec_time: NDArray[np.float64]
    rec_event: NDArray[np.int64]
    total_events: int | None


def _arm_input(curve_t, curve_s, table_t, table_n, marks, rec, total_events, name) -> _ArmInput:
    """Clean the inputs exactly as :func:`reconstruct.reconstruct_arm` does."""
    curve = clean_curve(curve_t, curve_s, name=name)
    tie_tol = 1e-9 * max(float(curve.time[-1]), 1e-12)
    if table_t is not None:
        snapped = _snap(np.asarray(table_t, dtype=float), curve.time, tie_tol)
        table = clean_at_risk(snapped, table_n, curve_end=float(curve.time[-1]), name=f"{name}: at-risk table")
        a_time, a_n = table.time, table.n_risk.astype(np.int64)
    else:
        a_time, a_n = np.zeros(1), None
    if marks is not None:
        marks = check_finite_array(marks, name=f"{name}: censor_times")
        marks = _snap(marks, np.union1d(curve.time, a_time), tie_tol)
        marks = np.sort(marks[(marks >= 0) & (marks <= curve.time[-1])])
    return _ArmInput(p_time=curve.time[1:], s=curve.survival, a_time=a_time, a_n=a_n, marks=marks,
                     rec_time=np.asarray(rec.time, dtype=float), rec_event=np.asarray(rec.event, dtype=np.int64),
                     total_events=total_events)


@dataclass(frozen=True)
class _Block:
    """One block of :func:`_draw_arm`: from cut ``b`` at ``t0`` to the next cut ``t1`` (or the curve's end)."""

    arm: _ArmInput
    b: int
    last: bool
    t0: float
    t1: float
    t_end: float
    free: NDArray[np.int64]  # points whose events follow from their step heights
    dfix: NDArray[np.int64]  # (m,) events at the cut's own pinned point
    in_marks: NDArray[np.float64]
    floor: int  # marks in the block: censorings at least
    tolerance: float
    cut_n: NDArray[np.int64]  # (m, cuts), shared with the caller
    c_times: NDArray[np.float64]  # the reconstruction's censoring times
    d_so_far: NDArray[np.int64]  # (m,) events before the block, shared with the caller
    drops: NDArray[np.float64]  # (m, points) noisy relative drops


def _run_block(blk: _Block, rows: NDArray[np.int64], rng: np.random.Generator, km0: NDArray[np.float64]):
    """The block for the draws ``rows``: events, event totals, censorings, pool, and the draws off the curve."""
    arm, b, last, t0, t1, t_end, free = blk.arm, blk.b, blk.last, blk.t0, blk.t1, blk.t_end, blk.free
    k = rows.size
    n_start, dfix = blk.cut_n[rows, b].astype(np.int64), blk.dfix[rows]
    if last:
        # every mark before the end of the curve is a censoring (the reconstruction may keep some at the end)
        within = max(int(np.sum((blk.c_times >= t0) & (blk.c_times < t_end))), blk.floor)
        c_init = np.minimum(np.full(k, within, dtype=np.int64), np.maximum(n_start - dfix, 0))
        width, loss = int(max(np.max(n_start), 1)), None
    else:
        loss = n_start - blk.cut_n[rows, b + 1].astype(np.int64)
        inside = int(np.sum((blk.c_times >= t0) & (blk.c_times < t1)))
        c_init = np.clip(np.full(k, inside, dtype=np.int64), 0, np.maximum(loss - dfix, 0))
        width = int(max(np.max(loss), 1))
    pool = censor_pool(blk.in_marks, t0, t1, width, rng, k)
    pts, drops = arm.p_time[free], blk.drops[rows][:, free]
    target = share = None
    if last and arm.total_events is not None:
        target = arm.total_events - blk.d_so_far[rows] - dfix
    elif last and t_end > t0 and (blk.in_marks.size == 0 or np.any(drops > 0)):
        # nothing in the figure fixes the censoring after the last cut (the marks there give a floor; some
        # may be hidden or missed): any share of the patients without an event is as plausible
        share = rng.random(k)
    d, total, c = block_events(n_start, loss, c_init, dfix, pts, drops, pool, tail_target=target, tail_share=share,
                               tail_floor=blk.floor, km0=km0)
    if target is not None or free.size == 0:
        return d, total, c, pool, np.zeros(0, dtype=np.int64)
    args = (n_start, loss, dfix, pts, drops, float(arm.s[free[0]]), km0)
    fallback = fallback_pool(arm.rec_time, arm.rec_event, t0, t1, pool.shape[1], rng)
    return refit_block(args, (d, total, c, pool), c_init, share is not None, blk.tolerance, blk.floor,
                       (blk.in_marks, t0, t1), rng, fallback)


def _draw_arm(arm: _ArmInput, precision: float, rng: np.random.Generator, m: int, y_err=None, end_zero=None,
              hazard=None):
    """Draws of one arm before the time warp: (draw, time, event); ``y_err``, ``end_zero``, ``hazard`` as in
    ``noisy_drops``."""
    events, n, pinned = pinned_points(arm.rec_time, arm.rec_event, arm.p_time, arm.s, precision)
    # the table's own numbers: the reconstruction may miss them by a patient where the curve and table disagree
    n_table = arm.a_n if arm.a_n is not None else np.full(arm.a_time.size, arm.rec_time.size, dtype=np.int64)
    d_pin, n_pin, pinned = alternatives(events, n, pinned, arm.p_time, arm.a_time, n_table, rng, m)
    drops = noisy_drops(arm.s, precision, rng, m, y_err, end_zero, hazard)
    t_end = float(arm.p_time[-1]) if arm.p_time.size else 0.0
    marks = arm.marks if arm.marks is not None else np.zeros(0)
    # cuts: table rows, then pinned points not at a table time; a pinned point's events are fixed
    pin_idx = np.flatnonzero(pinned)
    pin_idx = pin_idx[~np.isin(arm.p_time[pin_idx], arm.a_time)]
    cut_t = np.r_[arm.a_time, arm.p_time[pin_idx]]
    order = np.argsort(cut_t, kind="stable")
    cut_t = cut_t[order]
    cut_pt = np.r_[np.full(arm.a_time.size, -1), pin_idx][order]  # the pinned point at each cut, -1 for a table row
    cut_n = np.concatenate([np.broadcast_to(n_table, (m, n_table.size)), n_pin[:, pin_idx]], axis=1)[:, order].copy()
    fixed = pinned.copy()  # a pinned point at a table time keeps its events too
    c_times = np.sort(arm.rec_time[arm.rec_event == 0])
    out = ([], [], [])  # draw, time, event
    draw_ids = np.arange(m)
    d_so_far = np.zeros(m, dtype=np.int64)
    point_block = np.searchsorted(cut_t, arm.p_time, side="right") - 1
    ratio = np.ones(m)  # per draw, its KM over the noisy curve at the current cut
    for b in range(cut_t.size):
        t0 = cut_t[b]
        last = b + 1 == cut_t.size
        t1 = t_end if last else cut_t[b + 1]
        in_block = np.flatnonzero(point_block == b)
        own = in_block[(arm.p_time[in_block] == t0) & fixed[in_block]]
        free = in_block[~np.isin(in_block, own)]
        dfix = d_pin[:, own].sum(axis=1) if own.size else np.zeros(m, dtype=np.int64)
        in_marks = marks[(marks >= t0) & (marks < t1)] if t1 > t0 else marks[marks == t0]
        floor = int(np.sum(in_marks < t_end))

        tolerance = block_tolerance(events, n, arm.s, free, precision) if free.size else 0.0
        blk = _Block(arm, b, last, t0, t1, t_end, free, dfix, in_marks, floor, tolerance, cut_n, c_times, d_so_far,
                     drops)
        every = np.arange(m)
        parts = [(every, _run_block(blk, every, rng, ratio))]
        nxt = -1 if last else cut_pt[b + 1]
        if nxt >= 0:
            # still off the curve with another multiple at the next pinned point: that point's (d, n) does not
            # fit the steps before it; take the reconstruction's own there (always room for it) and redo the block
            off = parts[0][1][4]
            redo = off[n_pin[off, nxt] != n[nxt]]
            if redo.size:
                cut_n[redo, b + 1], d_pin[redo, nxt] = n[nxt], events[nxt]
                keep = np.setdiff1d(every, redo)
                parts = [(keep, tuple(x[keep] for x in parts[0][1][:4])),
                         (redo, _run_block(blk, redo, rng, ratio[redo]))]
        # events: the cut's own point, then the others
        if own.size:
            emit_events(out, draw_ids, arm.p_time[own], d_pin[:, own])
        pts = arm.p_time[free]
        for rows, (d, total, c, pool, *_) in parts:
            # the draw's KM over the curve at the block's end: the next block makes up a lag
            ratio[rows] = block_ratio(cut_n[rows, b], dfix[rows], pts, drops[rows][:, free], d, c, pool, ratio[rows])
            d_so_far[rows] += total
            emit_events(out, rows, arm.p_time[free], d)
            active = np.arange(pool.shape[1])[None, :] < c[:, None]
            out[0].append(np.broadcast_to(rows[:, None], pool.shape)[active])
            out[1].append(pool[active])
            out[2].append(np.zeros(int(active.sum()), dtype=np.int64))
            if last:
                left = np.maximum(cut_n[rows, b] - total - c, 0)
                out[0].append(np.repeat(rows, left))
                out[1].append(np.full(int(left.sum()), t_end))
                out[2].append(np.zeros(int(left.sum()), dtype=np.int64))
    return np.concatenate(out[0]), np.concatenate(out[1]), np.concatenate(out[2])


# --------------------------------------------------------------------------- figure


def draw_ipd(
    curves: pd.DataFrame,
    at_risk: pd.DataFrame | None = None,
    *,
    reconstruction: IPDReconstruction | None = None,
    n_patients: Mapping[str, int] | None = None,
    total_events: Mapping[str, int] | None = None,
    censor_marks: pd.DataFrame | None = None,
    precision: float = 1e-3,
    time_precision: float | None = None,
    method: str = "steps",
    n_draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    noise: DigitizerNoise | None = None,
) -> IPDDraws:
    """Draw plausible IPD sets of every arm: the reconstruction's own uncertainty.

    Each draw has the table's numbers at risk at every at-risk table row, keeps the
    events the step heights pin down, places the other censorings at random (at distinct censor
    marks when marks are given, else from a density on the block drawn per draw), re-derives the
    remaining events from step heights with digitization noise, and moves step times by the time
    precision. See the module docstring for the algorithm.

    Parameters
    ----------
    curves, at_risk, n_patients, total_events, censor_marks, precision, method
        As in :func:`reconstruct.reconstruct_ipd`.
    reconstruction : IPDReconstruction, optional
        The reconstruction of these inputs (computed when omitted).
    time_precision : float, optional
        Standard error of a digitized time (time units); default ``precision`` times the last
        curve time (the same fraction of the x axis as ``precision`` is of the y axis).
    n_draws : int, default 200
    seed : int, default 0
        Seed of the :class:`numpy.random.Generator`; the same inputs and seed give the same
        draws byte for byte.
    noise : DigitizerNoise, optional
        A raster digitizer's reading errors (:func:`reconstruct.draw_noise.digitizer_noise`): per
        draw, a random calibration of both axes shared by the arms, one offset of each arm's levels,
        and each arm's own per-level sd in place of ``precision``. None: ``precision`` and
        ``time_precision`` alone (then the common time shift has sd ``time_precision``).

    Returns
    -------
    IPDDraws

    Examples
    --------
    >>> import pandas as pd
    >>> curves = pd.DataFrame({"arm": "A", "time": [0, 2, 5, 9], "survival": [1.0, 0.9, 0.8, 0.8]})
    >>> d = draw_ipd(curves, n_patients={"A": 10}, n_draws=3, precision=1e-9)
    >>> d.to_frame().groupby("draw")["event"].sum().tolist()
    [2, 2, 2]
    """
    n_draws = int(check_positive(n_draws, name="n_draws"))
    check_positive(precision, name="precision")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be an integer >= 0, got {seed!r}")
    if reconstruction is None:
        reconstruction = reconstruct_ipd(curves, at_risk, n_patients=n_patients, total_events=total_events,
                                         method=method, precision=precision, censor_marks=censor_marks)
    total_events = dict(total_events or {})
    t_max = float(np.max(curves["time"]))
    if time_precision is None:
        time_precision = precision * t_max
    time_precision = float(check_positive(time_precision, name="time_precision", allow_zero=True))
    # one stream per arm, one for the time warp and one for the reading errors (the first ones are those of
    # draws without reading errors: adding them changes no other random number)
    streams = np.random.SeedSequence(int(seed)).spawn(len(reconstruction.arms) + 2)
    errors = None
    if noise is not None:
        noise_rng = np.random.default_rng(streams[-1])
        errors = noise.axis_draws(noise_rng, n_draws)
        offsets = {rec.arm: noise_rng.normal(0.0, noise.arm_offset.get(rec.arm, 0.0), size=n_draws)
                   for rec in reconstruction.arms}
        ends = {rec.arm: noise_rng.random(n_draws) < noise.end_drop.get(rec.arm, 0.0) for rec in reconstruction.arms}
        # drawn after the others: a figure without untraced stretches keeps its draws byte for byte
        hazards = {rec.arm: noise_rng.normal(0.0, noise.arm_hazard.get(rec.arm, 0.0), size=n_draws)
                   if noise.arm_hazard.get(rec.arm, 0.0) > 0 else None for rec in reconstruction.arms}
    names, times, draws, events, knots, fixed = [], [], [], [], [np.zeros(1)], [np.zeros(1)]
    for k, rec in enumerate(reconstruction.arms):
        c = arm_rows(curves, rec.arm)
        t_rows = arm_rows(at_risk, rec.arm) if at_risk is not None else None
        has_table = t_rows is not None and len(t_rows) > 0
        marks = None
        if censor_marks is not None:
            rows = arm_rows(censor_marks, rec.arm)
            marks = np.asarray(rows["time"]) if len(rows) else None
        arm = _arm_input(np.asarray(c["time"]), np.asarray(c["survival"]),
                         np.asarray(t_rows["time"]) if has_table else None,
                         np.asarray(t_rows["n_risk"]) if has_table else None,
                         marks, rec, total_events.get(rec.arm), rec.arm)
        arm_precision, y_err, end_zero, hazard = float(precision), None, None, None
        if errors is not None:
            arm_precision = float(noise.arm_precision.get(rec.arm, precision))
            y_err = (errors["y_shift"] + offsets[rec.arm], errors["y_scale"], noise.y_pivot)
            end_zero = ends[rec.arm] if arm.total_events is None else None  # a given event total fixes the end
            hazard = hazards[rec.arm]
        d, t, e = _draw_arm(arm, arm_precision, np.random.default_rng(streams[k]), n_draws, y_err, end_zero, hazard)
        names.append(rec.arm)
        draws.append(d)
        times.append(t)
        events.append(e)
        knots.append(arm.p_time)
        knots.append(arm.a_time)
        fixed.append(arm.a_time)
    x_err = None if errors is None else (errors["x_shift"], errors["x_scale"], noise.x_pivot)
    times = warp_times(times, draws, np.unique(np.concatenate(knots)), np.concatenate(fixed), time_precision,
                       np.random.default_rng(streams[-2]), n_draws, x_err, per_arm=noise is not None)
    arm_index = np.concatenate([np.full(t.size, k, dtype=np.int64) for k, t in enumerate(times)])
    draw = np.concatenate(draws).astype(np.int64)
    time = np.concatenate(times)
    event = np.concatenate(events).astype(np.int64)
    order = np.lexsort((-event, time, draw, arm_index))
    params = {"n_draws": n_draws, "seed": int(seed), "precision": float(precision),
              "time_precision": time_precision, "method": method,
              "noise": None if noise is None else noise.to_dict()}
    if noise is not None:
        params["reading"] = {"status": "flagged" if noise.flags else "ok", "arms": dict(noise.flags)}
    return IPDDraws(arms=tuple(names), n_draws=n_draws, seed=int(seed), draw=draw[order], arm_index=arm_index[order],
                    time=time[order], event=event[order], parameters=params)
