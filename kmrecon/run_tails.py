"""Tails of two same-ink traces exchanged where the at-risk table says they took each other's path (moved out of
:mod:`kmrecon.run_arms`, which re-exports :func:`swap_crossed_tails`)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from reconstruct.arm_matching import RiskRowInfo
from reconstruct.extra_curves import same_ink
from reconstruct.tail_swap import Tail, TailSwap, crossed_tails, swap_after

__all__ = ["swap_crossed_tails"]


def swap_crossed_tails(fig, rows: Sequence[RiskRowInfo], names: Sequence[str], notes: list[str],
                       time_limit: float | None = None) -> tuple[Any, tuple[TailSwap, ...]]:
    """``fig`` with the tails of two same-ink traces exchanged where the table says they took each other's,
    and the swaps made (the run flags both arms of each: :func:`kmrecon.run_draws.run_reading`).

    ``rows[k]`` is the at-risk row matched to ``fig.arms[k]``; ``time_limit`` is the time axis' end (table times
    beyond it are not seen, as in the fit check). See :mod:`reconstruct.tail_swap`; the touch distance and the
    end slack are a line width and a pixel either side. An arm seen to run on under a box drawn over the panel
    (quality ``covered_end``) is not short of its row: no swap. Each swap is said in ``notes``.
    """
    arms = list(fig.arms)
    swaps: list[TailSwap] = []
    for i, j in itertools.combinations(range(len(arms)), 2):
        a, b = arms[i], arms[j]
        if not same_ink(a.colour, b.colour):  # a tracer swaps only curves of one ink where they meet
            continue
        if not (len(a.time) and len(b.time) and len(rows[i].time) > 1 and len(rows[j].time) > 1):
            continue
        if a.quality.get("covered_end") or b.quality.get("covered_end"):
            continue
        px = max(float(arm.quality.get("survival_per_px") or 0.0) for arm in (a, b))
        t_px = max(float(arm.quality.get("time_per_px") or 0.0) for arm in (a, b))
        half = max(int(arm.quality.get("line_half_width_px") or 1) for arm in (a, b))
        tails = [Tail(np.asarray(arm.time, float), np.asarray(arm.survival, float),
                      np.asarray(arm.censor_time, float), np.asarray(row.time, float), np.asarray(row.n_risk, float))
                 for arm, row in ((a, rows[i]), (b, rows[j]))]
        at = crossed_tails(*tails, meet=(2 * half + 2) * px, time_slack=(2 * half + 2) * t_px,
                           time_limit=time_limit) if px > 0 else None
        if at is None:
            continue
        new_a, new_b = swap_after(*tails, at)
        arms[i], arms[j] = _with_tail(a, new_a, b, at), _with_tail(b, new_b, a, at)
        swaps.append(TailSwap((names[i], names[j]), at))
        notes.append(f"{names[i]} and {names[j]}: the traces of these curves of one ink took each other's path "
                     f"after t={at:g}, where they meet (each ended where the other's at-risk row says it cannot); "
                     "their tails were exchanged: check overlay.png")
    return (dataclasses.replace(fig, arms=tuple(arms)) if swaps else fig), tuple(swaps)


def _with_tail(arm, tail: Tail, other, at: float):
    """``arm`` with ``tail``'s corners and marks (a mark's survival is the curve's level at it), and the trace's
    findings that belong to the tail (``bare_drop``, ``shade_hop``, ``cut_at_time``) taken from ``other`` whose tail it
    was."""
    idx = np.clip(np.searchsorted(tail.time, tail.marks, side="right") - 1, 0, None)
    marks_s = tail.survival[idx] if tail.time.size else np.empty(0)
    return dataclasses.replace(arm, time=tail.time, survival=tail.survival, censor_time=tail.marks,
                               censor_survival=np.asarray(marks_s, float),
                               quality={**arm.quality, **_tail_quality(arm.quality, other.quality, at)})


def _tail_quality(own: dict, other: dict, at: float) -> dict:
    """The bare drop, the shade hop and the cut of a trace made of ``own``'s head and ``other``'s tail from ``at`` on:
    each found before ``at`` stays with its head, each after it goes with its tail (a hop across ``at`` is on both);
    where both give one, the larger. ``covered_end`` is False (no swap is made with it)."""
    drops = [(float(q.get("bare_drop") or 0.0), q.get("bare_drop_time")) for q, head in ((own, True), (other, False))
             if q.get("bare_drop_time") is not None and (float(q["bare_drop_time"]) < at) == head]
    drop, drop_time = max(drops, key=lambda d: d[0], default=(0.0, None))
    hops = [q["shade_hop"] for q, head in ((own, True), (other, False)) if q.get("shade_hop")
            and (float(q["shade_hop"]["time"][0]) < at if head else float(q["shade_hop"]["time"][1]) >= at)]
    hop = max(hops, key=lambda h: float(h.get("error", 0.0)), default=None)
    cuts = [q["cut_at_time"] for q, head in ((own, True), (other, False))
            if q.get("cut_at_time") is not None and (float(q["cut_at_time"]) < at) == head]
    return {"bare_drop": drop, "bare_drop_time": drop_time, "shade_hop": hop, "covered_end": False,
            "cut_at_time": min(cuts, default=None)}
