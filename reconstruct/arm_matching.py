"""Matching digitized arms to number-at-risk rows: by label text (read with OCR slips too), label colour or grey
level (or the order of the grey levels), or the numbers themselves.

A wrong match silently swaps arms in every later statistic. Follow-up can also decide (a curve cannot
belong to a row that has fewer patients left at some time than the curve shows leaving after it:
:func:`follow_up_exclusions`). When labels, colours, follow-up and the KM bound leave the match open,
:mod:`reconstruct._arm_fallback` decides by the curves' step counts when they single out a pairing;
otherwise the match is an error (:class:`~reconstruct.errors.ReconstructionError`) asking for
``--arm-names`` or ``--at-risk``, never a guess. (``kmrecon run`` may then take the legend order, and says so.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from reconstruct.arm_names import name_key, part_of, same_name, similar
from reconstruct.count_mismatch import count_mismatch_error
from reconstruct.errors import AmbiguousMatchError
from reconstruct.row_evidence import first_zero, row_is_evidence

__all__ = ["ArmCurve", "RiskRowInfo", "ArmMatch", "match_arms_to_rows", "pinned_assignments", "follow_up_exclusions",
           "numbers_costs", "name_key"]

# Colours closer to grey than this (RGB units) carry no hue to match on.
_MIN_CHROMA = 25.0
# Largest 1 - cos(angle between hues) at which a row label's colour still names a curve's colour.
_COLOUR_TOLERANCE = 0.15
# Smallest runner-up excess (1 - cos) that lets colours decide when the best pairs are ten times closer.
_NEAR_HUE_MARGIN = 0.05
# The best assignment by numbers must beat the runner-up by this much (squared patients).
_NUMBERS_MARGIN = 4.0
# Largest grey-level gap between a curve's core and its row label's core that still pairs them, and how
# much nearer than any other curve or row the pair must be (0-255 units).
_SHADE_TOLERANCE = 14.0
_SHADE_MARGIN = 12.0
# Smallest gap between any two curves' grey levels, and between any two row labels', at which their orders
# pair them: small text is rendered lighter than a line of the same grey, but never in another order.
_SHADE_ORDER_GAP = 20.0
# How far (share of the table's time step) a curve may run past the first time its row prints 0 at risk:
# the traced end overshoots by a line cap or a censor mark's arm, never by a tenth of a table step.
_FOLLOW_UP_SLACK = 0.15
# Patients seen after a table time (censor marks and drops) may exceed the printed count by this share of it
# (at least one) before the pair is ruled out: a stray mark, or one drop traced as two corners, is no proof.
_SEEN_SLACK = 0.1


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
    shade : float or None
        Core grey level of the drawn line (0-255), for figures in greys.
    censor_time : ndarray or None
        Times of the censor marks found on the curve (None when not looked for).
    """

    label: str | None
    colour: tuple[int, int, int] | None
    time: NDArray[np.float64]
    survival: NDArray[np.float64]
    shade: float | None = None
    censor_time: NDArray[np.float64] | None = None


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
    shade : float or None
        Core grey level of the row's label (text, key box or line), 0-255.
    reread : callable or None
        For a row read from an image: returns each cell's number read again closer, in time order
        (None where that reading is unsure), for :func:`reconstruct.table_gaps.mend_along_curves`.
    read_alone : bool, default False
        True when a cell was taken from a reading in doubt: first read as no number and read again alone,
        mended by an unsure closer reading, or read from its ink where the text detector found none. The
        row may hold misreads, and the run flags its arm.
    blank_zeros : tuple of float, default ()
        Times of the cells read as 0 because they were blank after the row's last number (rms prints nothing
        once an arm has no one at risk); the run keeps them only when the curve ends before the first.
    blank_why : tuple of str, default ()
        Per blank zero, why it was read as 0: ``"blank"`` (blank paper), ``"crossed"`` (blank once a line passing
        through was set aside) or ``"unsure"`` (a lone "0" read unsure); empty when not known.
    first_from_ink : bool, default False
        True when the row's first cell (time 0) was read from its ink where the text detector found none; the
        run checks it against the legend's n and, more strictly, against the curve.
    """

    label: str | None
    colour: tuple[int, int, int] | None
    time: NDArray[np.float64]
    n_risk: NDArray[np.int64]
    row_px: float | None = None
    shade: float | None = None
    reread: Callable[[], Sequence[int | None]] | None = None
    read_alone: bool = False
    blank_zeros: tuple[float, ...] = ()
    blank_why: tuple[str, ...] = ()
    first_from_ink: bool = False


@dataclass(frozen=True)
class ArmMatch:
    """Row index for each arm, and what decided it.

    Attributes
    ----------
    rows : tuple of int
        ``rows[k]`` is the at-risk row of arm ``k``.
    basis : {"single", "label", "colour", "numbers", "step counts", "legend order", "fit", "pairs", ...}
        "pairs" when labels, colours or grey levels each pinned some arms and together all;
        "pairs+numbers", "pairs+step counts" or "pairs+fit" when that decided among the pairings they left.
    detail : str
        One line for the report.
    settled : bool, default True
        False when nothing but weak evidence decided it: the rows were taken in legend order, or the
        fit preferred another assignment (within its margin) than the one the labels, colours,
        numbers or step counts chose. A swapped assignment is then plausible, and the reconstruction's
        draws do not cover it (:func:`kmrecon.run_draws.run_draws` flags the run).
    """

    rows: tuple[int, ...]
    basis: str
    detail: str
    settled: bool = True


def _label_costs(arms, rows) -> NDArray[np.float64] | None:
    # one unlabelled arm is placed by elimination (cost 0.5 against every row)
    if sum(not name_key(a.label) for a in arms) > 1 or not all(name_key(r.label) for r in rows):
        return None
    cost = np.ones((len(arms), len(rows)))
    names = [r.label for r in rows]
    for i, a in enumerate(arms):
        for j, r in enumerate(rows):
            x, y = name_key(a.label), name_key(r.label)
            if not x:
                cost[i, j] = 0.5
            elif same_name(x, y, names):
                cost[i, j] = 0.0
            elif x == y or part_of(a.label, r.label, names) or similar(a.label, r.label, names):
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


def numbers_costs(arms, rows) -> NDArray[np.float64]:
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


def _exclusive_pairs(cost: NDArray[np.float64], tolerance: float, margin: float) -> dict[int, int]:
    """Pairs ``arm -> row`` whose cost is within ``tolerance`` and below every rival's by ``margin``.

    A rival is another row for the same arm, or another arm for the same row (NaN costs are unknown
    and never pair, nor rule a rival out).
    """
    pairs: dict[int, int] = {}
    for i in range(cost.shape[0]):
        if not np.isfinite(cost[i]).any():
            continue
        j = int(np.nanargmin(np.where(np.isfinite(cost[i]), cost[i], np.inf)))
        best = cost[i, j]
        rivals = np.concatenate((np.delete(cost[i], j), np.delete(cost[:, j], i)))
        if best <= tolerance and not np.any(np.isnan(rivals)) and np.all(rivals >= best + margin):
            pairs[i] = j
    return pairs


def _label_pins(arms, rows) -> dict[int, int]:
    """Arms whose legend label names exactly one row label (equal, or one inside the other), and vice versa."""
    a = [name_key(arm.label) for arm in arms]
    names = [row.label for row in rows]
    r = [name_key(name) for name in names]
    cost = np.full((len(arms), len(rows)), np.nan)
    for i, x in enumerate(a):
        for j, y in enumerate(r):
            if len(x) >= 3 and len(y) >= 3:
                near = x == y or part_of(arms[i].label, names[j], names) or similar(arms[i].label, names[j], names)
                cost[i, j] = 0.0 if same_name(x, y, names) else (0.5 if near else 1.0)
    # an unread label (NaN) is no rival: it cannot claim the row
    return _exclusive_pairs(np.where(np.isnan(cost), 1.0, cost), 0.5, 0.5)


def _shade_pins(arms, rows) -> dict[int, int]:
    """Curves and row labels paired by grey level, for figures in greys; only when every shade was measured,
    never for a curve within ``_SHADE_TOLERANCE`` of another curve's grey, and, with as many rows as curves,
    never against the order of greys (survminer_minimal_001 of held-out set 3: curves 134 and 156, labels
    181 and 166 read lighter than their lines; the light curve was pinned to the darker label, a swap)."""
    a = [arm.shade for arm in arms]
    r = [row.shade for row in rows]
    if any(v is None for v in a) or any(v is None for v in r) or _any_coloured(arms):
        return {}
    cost = np.abs(np.subtract.outer(np.asarray(a, float), np.asarray(r, float)))
    apart = np.abs(np.subtract.outer(np.asarray(a, float), np.asarray(a, float))) + np.diag(np.full(len(a), np.inf))
    # a curve within the tolerance of another curve's grey: a label's grey cannot say which of the two it is
    pins = {i: j for i, j in _exclusive_pairs(cost, _SHADE_TOLERANCE, _SHADE_MARGIN).items()
            if apart[i].min() > _SHADE_TOLERANCE}
    if len(a) == len(r):  # small text reads lighter than its line: a pin against the order of greys is no pin
        rank_a, rank_r = np.argsort(np.argsort(a, kind="stable")), np.argsort(np.argsort(r, kind="stable"))
        pins = {i: j for i, j in pins.items() if rank_a[i] == rank_r[j]}
    return pins


def _shade_order_pins(arms, rows) -> dict[int, int]:
    """Curves paired with the row labels of the same rank in grey level, where both sides' greys split apart.

    Only for as many rows as curves and every shade measured. Ranked by grey level, the curves and the row
    labels split into groups wherever the neighbouring levels are at least ``_SHADE_ORDER_GAP`` apart on both
    sides (small text reads lighter than its line, never in another order, so a group of curves owns the
    group of labels of the same ranks); a group of one pairs its curve with its label. With every level well
    apart, every curve pairs (a dark, a mid-grey and a light arm); survminer_bw_016: curves 26 | 111, 149 and
    labels 83 | 146, 154 pair only the darkest curve with the darkest label. Split only in part, every label must
    read no darker than the darkest curve of its group (within ``_SHADE_TOLERANCE``), else there are no pairs.
    """
    a = [arm.shade for arm in arms]
    r = [row.shade for row in rows]
    if len(a) != len(r) or len(a) < 2 or any(v is None for v in a) or any(v is None for v in r) \
            or _any_coloured(arms):
        return {}
    order_a, order_r = np.argsort(a, kind="stable"), np.argsort(r, kind="stable")
    gap_a, gap_r = np.diff(np.asarray(a, float)[order_a]), np.diff(np.asarray(r, float)[order_r])
    cuts = [0, *(k + 1 for k in range(len(a) - 1) if gap_a[k] >= _SHADE_ORDER_GAP and gap_r[k] >= _SHADE_ORDER_GAP),
            len(a)]
    groups = list(zip(cuts[:-1], cuts[1:], strict=True))
    if len(groups) < len(a) and any(float(r[order_r[k]]) < float(a[order_a[lo]]) - _SHADE_TOLERANCE
                                    for lo, hi in groups for k in range(lo, hi)):
        # split in part, the labels must read no darker than the darkest line of their group: black text read at
        # two levels splits too (jco_007: curves 90 | 134, 184, black labels 31 | 55, 56 paired the wrong curve)
        return {}
    return {int(order_a[lo]): int(order_r[lo]) for lo, hi in groups if hi - lo == 1}


def _any_coloured(arms) -> bool:
    """True when a curve has a hue: its grey level is then no evidence against a label's (rms_014: a red curve
    of grey level 139 paired by the order of greys with the lighter of two black labels, a swap)."""
    return any(_chroma(arm.colour) is not None for arm in arms)


def _colour_pins(arms, rows) -> dict[int, int]:
    """Coloured row labels that name exactly one curve's hue (grey curves cannot own a coloured label)."""
    a = [_chroma(arm.colour) for arm in arms]
    r = [_chroma(row.colour) for row in rows]
    cost = np.full((len(arms), len(rows)), np.nan)
    for i, u in enumerate(a):
        for j, v in enumerate(r):
            if v is not None:
                cost[i, j] = 2.0 if u is None else 1.0 - float(u @ v)
    cost[:, [j for j, v in enumerate(r) if v is None]] = np.inf  # an uncoloured row: no evidence either way
    pairs = _exclusive_pairs(np.where(np.isinf(cost), 2.0, cost), _COLOUR_TOLERANCE, 2 * _COLOUR_TOLERANCE)
    return {i: j for i, j in pairs.items() if r[j] is not None}


def _thinned(times: NDArray[np.float64], gap: float) -> NDArray[np.float64]:
    """Sorted ``times`` keeping only those more than ``gap`` after the last kept one."""
    kept: list[float] = []
    for x in np.sort(times):
        if not kept or x - kept[-1] > gap:
            kept.append(float(x))
    return np.asarray(kept, float)


def _seen_after(arm: ArmCurve, times: NDArray[np.float64], step: float) -> NDArray[np.int64]:
    """Patients the curve shows leaving after each of ``times``: at least its censor marks and drops there.

    A lower bound: drop corners within a tenth of the table's time ``step`` count once (a step traced
    as a staircase of corners, a trace hopping between curves of one ink), marks within 2% of it once,
    and both only from 2% of a step after each time (a mark's or a corner's position is off by a pixel or two).
    """
    t, s = np.asarray(arm.time, float), np.asarray(arm.survival, float)
    drops = _thinned(t[np.flatnonzero(np.diff(s) < -1e-9) + 1], 0.1 * step)
    marks = _thinned(np.asarray(arm.censor_time if arm.censor_time is not None else [], float), 0.02 * step)
    gap = 0.02 * step
    return np.array([int(np.sum(drops > x + gap) + np.sum(marks > x + gap)) for x in times], np.int64)


def follow_up_exclusions(arms: Sequence[ArmCurve], rows: Sequence[RiskRowInfo]) -> NDArray[np.bool_]:
    """Pairs that follow-up rules out: a curve showing more patients after a table time than its row has then.

    Everyone who leaves a curve after time ``T``, by an event (a drop) or censoring (a mark), was at
    risk at ``T``. So a curve drawn past the first time its row prints 0 cannot be that row's (by
    more than ``_FOLLOW_UP_SLACK`` of the table's time step: a line cap, a mark's arm), nor can a
    curve with more drops and censor marks after a table time than the row's count there (beyond
    ``_SEEN_SLACK``). ``excluded[i, j]`` is True when curve ``i`` cannot be row ``j``'s.
    """
    ended = np.zeros((len(arms), len(rows)), bool)
    crowded = np.zeros_like(ended)
    for j, r in enumerate(rows):
        t, n = np.asarray(r.time, float), np.asarray(r.n_risk)
        if not row_is_evidence(t, n):
            continue  # a row that rises or starts at 0 is a misread: no evidence
        step = float(np.min(np.diff(t)))
        k = first_zero(t, n)
        for i, a in enumerate(arms):
            if len(a.time) == 0:
                continue
            if k is not None:
                ended[i, j] = float(a.time[-1]) > t[k] + _FOLLOW_UP_SLACK * (t[k] - t[k - 1])
            crowded[i, j] = bool(np.any(_seen_after(a, t, step) > n + np.maximum(1.0, _SEEN_SLACK * n)))
    # Marks and drops are counted on the trace: text in the panel read as marks, or a trace hopping between
    # curves, inflates them. When they leave no complete pairing, they prove nothing for this figure.
    if len(arms) == len(rows) and not any(all(not crowded[i, p[i]] for i in range(len(arms)))
                                          for p in itertools.permutations(range(len(rows)))):
        crowded[:] = False
    return ended | crowded


def pinned_assignments(arms: Sequence[ArmCurve], rows: Sequence[RiskRowInfo]) -> tuple[list[tuple[int, ...]], str]:
    """Assignments (``rows[k]`` per arm) left open by the pairs that labels, colours and shades single out.

    Each source pairs only the arms it tells apart (a partial match); the pairs of all sources must
    agree, else none is used. Pairings that follow-up rules out (:func:`follow_up_exclusions`) are
    dropped too when that leaves exactly one. Returns every assignment and "" when nothing pins or
    rules out a pair.

    Returns
    -------
    allowed : list of tuple of int
    detail : str
        What pinned which pairs, for the report.
    """
    every = list(itertools.permutations(range(len(rows)), len(arms)))
    pins: dict[int, int] = {}
    said = []
    for name, found in (("label", _label_pins(arms, rows)), ("colour", _colour_pins(arms, rows)),
                        ("grey level", _shade_pins(arms, rows)),
                        ("the order of grey levels", _shade_order_pins(arms, rows))):
        new = {i: j for i, j in found.items() if i not in pins}  # pairs an earlier source made go unsaid
        for i, j in found.items():
            if pins.get(i, j) != j or any(k != i and v == j for k, v in pins.items()):
                return every, ""  # the sources disagree: trust none of them
            pins[i] = j
        if new:
            pairs = ", ".join(f"curve {i + 1} with row {j + 1}" for i, j in sorted(new.items()))
            said.append(f"{name} pairs {pairs}")
    allowed = [p for p in every if all(p[i] == j for i, j in pins.items())]
    excluded = follow_up_exclusions(arms, rows)
    kept = [p for p in allowed if not any(excluded[i, p[i]] for i in range(len(p)))]
    # Follow-up only ever decides: it narrows to one pairing or is not used. Narrowed to two, the weaker
    # evidence left to choose (the KM bound on a scan's trace, step counts) picked the swapped one (scan_011).
    if len(kept) == 1 and len(kept) < len(allowed):
        allowed = kept
        out = ", ".join(f"curve {i + 1} from row {j + 1}" for i, j in zip(*np.nonzero(excluded), strict=True))
        said.append(f"follow-up rules out {out} (the curve runs past the row's last patient, or shows more "
                    "patients leaving after a table time than the row has then)")
    if not said:
        return every, ""
    return allowed, "; ".join(said)


def _best_among(cost: NDArray[np.float64], allowed: Sequence[tuple[int, ...]]) -> tuple[tuple[int, ...], float, float]:
    """Best of the ``allowed`` assignments by summed cost, its cost and the runner-up's (inf when alone)."""
    totals = sorted((float(sum(cost[i, p[i]] for i in range(len(p)))), p) for p in allowed)
    second = totals[1][0] if len(totals) > 1 else np.inf
    return tuple(int(v) for v in totals[0][1]), totals[0][0], float(second)


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
        raise count_mismatch_error(arms, rows)  # with each curve's ink, each row's label and the likely causes
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
    numbers = numbers_costs(arms, rows)
    allowed, pinned = pinned_assignments(arms, rows) if len(arms) <= 6 else ([], "")
    if pinned:
        best, cost, second = _unique_best(numbers)
        if second - cost > _NUMBERS_MARGIN and best not in allowed:  # the numbers rule the pairs out
            allowed, pinned = [], ""
    if pinned and len(allowed) == 1:
        return ArmMatch(rows=allowed[0], basis="pairs", detail=pinned)
    best, cost, second = _best_among(numbers, allowed) if pinned else _unique_best(numbers)
    if second - cost > _NUMBERS_MARGIN:
        return ArmMatch(
            rows=best,
            basis="pairs+numbers" if pinned else "numbers",
            detail=(f"{pinned}; " if pinned else "") + "only this assignment keeps every at-risk row within what "
            f"its curve allows (excess {cost:.3g} against {second:.3g} squared patients)",
        )
    from reconstruct._arm_fallback import fallback_match, open_part, step_count_costs, why_open

    by_steps = fallback_match(arms, rows, allowed=allowed if pinned else None)
    if by_steps is not None:
        basis, detail = (f"pairs+{by_steps[1]}", f"{pinned}; {by_steps[2]}") if pinned else by_steps[1:]
        return ArmMatch(rows=by_steps[0], basis=basis, detail=detail)
    among = allowed if pinned else None
    grey = [what for what, items in (("curves", arms), ("row labels", rows))
            if any(_chroma(x.colour) is None for x in items)]
    reasons, close = why_open(arms, rows, labels_pair=labels is not None, grey=grey, numbers=numbers,
                              numbers_margin=_NUMBERS_MARGIN, steps=step_count_costs(arms, rows), allowed=among)
    raise AmbiguousMatchError(reasons, "name the arms with --arm-names in curve order (see overlay.png) or give "
                              "--at-risk with those names" + open_part(numbers, _NUMBERS_MARGIN, rows, among), close)
