"""A traced path's step corners: the level of each run, and the column of each drop between runs.

Pixel arrays are ``(row, col)`` of the panel crop, in the orientation the path was traced in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.curves import TracedPath

__all__ = ["final_drop", "step_corners"]


def _segment_level(weight: NDArray[np.float32], row: int, cols: NDArray[np.int64], half: int) -> float:
    lo, hi = max(row - half - 1, 0), min(row + half + 2, weight.shape[0])
    block = weight[lo:hi][:, cols]
    mass = block.sum()
    if mass <= 0:
        return float(row)
    return float(lo + (block.sum(axis=1) @ np.arange(hi - lo)) / mass)


def _drop_column(weight: NDArray[np.float32], old: float, new: float, switch: int, half: int) -> float:
    """Sub-pixel column of a vertical drop from level ``old`` to ``new`` near column ``switch``.

    A dotted or dashed line leaves gaps in its old level, and the path drops only where the new
    level's ink begins: when no stroke runs down the drop near ``switch``, the search reaches back
    over the gap before it to a stroke there.
    """
    n_rows, n_cols = weight.shape
    reach = 2 * half + 4
    lo_c, hi_c = max(switch - reach, 0), min(switch + reach + 1, n_cols)
    interior = weight[min(int(round(old)) + half + 1, n_rows - 1): max(int(round(new)) - half, 0)]
    if interior.shape[0] >= 3 and not np.any(np.mean(interior[:, lo_c:hi_c] >= 0.5, axis=0) >= 0.3):
        # no stroke down the drop near the switch: reach back over the old level's gap
        level = weight[max(int(round(old)) - half, 0): int(round(old)) + half + 1]
        gap = 0
        while gap < reach and switch - 1 - gap >= 0 and level[:, switch - 1 - gap].max(initial=0.0) < 0.5:
            gap += 1
        back = max(switch - reach - gap, 0)
        if np.any(np.mean(interior[:, back:lo_c] >= 0.5, axis=0) >= 0.3):  # and only to a stroke found there
            lo_c = back
    cols = np.arange(lo_c, hi_c)
    old_rows = slice(max(int(round(old)) - half, 0), max(int(round(new)) - half, int(round(old)) - half + 1))
    new_rows = slice(min(int(round(old)) + half + 1, n_rows - 1), min(int(round(new)) + half + 1, n_rows))
    old_mass = weight[old_rows][:, cols].sum(axis=0)
    new_mass = weight[new_rows][:, cols].sum(axis=0)
    old_on = np.flatnonzero(old_mass >= 0.5 * max(old_mass.max(), 1e-9))
    new_on = np.flatnonzero(new_mass >= 0.5 * max(new_mass.max(), 1e-9))
    if old_on.size == 0 or new_on.size == 0 or old_mass.max() < 0.5 or new_mass.max() < 0.5:
        return float(switch) - 0.5
    last_old = old_on[old_on <= max(new_on[0] + 2 * half + 2, 0)]
    last_old = last_old[-1] if last_old.size else old_on[-1]
    return float(lo_c + (last_old + new_on[0]) / 2.0)


def step_corners(
    path: TracedPath, weight: NDArray[np.float32], *, weak: NDArray[np.float32] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sub-pixel corners of the traced step curve, in panel pixels.

    Parameters
    ----------
    path : TracedPath
    weight : ndarray of shape (rows, cols)
        The membership map the path was traced on (same orientation).
    weak : ndarray, optional
        Other arms' pixels, used for the level of stretches where the arm is hidden.

    Returns
    -------
    cols, rows : ndarray of shape (n_steps + 2,)
        The start ``(start_col, first level)``, the level after each drop at the drop's column,
        and the end ``(stop_col - 1, last level)``; rows non-decreasing.
    """
    half = path.half_width
    seg_rows = path.rows[path.start: path.stop]
    change = np.flatnonzero(np.diff(seg_rows) != 0) + 1
    bounds = np.concatenate(([0], change, [seg_rows.size])) + path.start
    levels = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        inner = np.arange(a + half + 1, b - half - 1) if b - a > 2 * half + 4 else np.arange(a, b)
        row = int(path.rows[a])
        own_mass = weight[max(row - half, 0): row + half + 1][:, inner].sum()
        source = weight if (own_mass >= 0.5 or weak is None) else weak
        levels.append(_segment_level(source, row, inner, half))
    levels = np.maximum.accumulate(np.asarray(levels, dtype=float))
    # a level change under 0.4 px is anti-aliasing, not an event: merge it into the stretch before
    keep = np.concatenate(([True], np.diff(levels) >= 0.4))
    while not keep.all():
        first = int(np.flatnonzero(~keep)[0])
        bounds = np.delete(bounds, first)
        levels = np.delete(levels, first)
        keep = np.concatenate(([True], np.diff(levels) >= 0.4))
    cols = [float(path.start)]
    rows = [levels[0]]
    for k, a in enumerate(bounds[1:-1]):
        col = _drop_column(weight, levels[k], levels[k + 1], int(a), half)
        cols.append(max(col, cols[-1]))
        rows.append(levels[k + 1])
    cols.append(max(float(path.stop - 1), cols[-1]))
    rows.append(levels[-1])
    return np.asarray(cols), np.asarray(rows)


def final_drop(path: TracedPath, weight: NDArray[np.float32], last_row: float, zero_row: float) -> bool:
    """Whether the curve ends with a vertical drop to zero survival that the path could not follow.

    A Kaplan-Meier curve whose last time is an event drops to 0 there; the drop has no horizontal
    stretch after it (or one hidden by the x axis), so the monotone path ends at the level before it.
    The drop is taken when the arm's own stroke runs, within a line width of the path's last column,
    through at least 90% of the rows from below the last level down to the zero row (or the panel's
    bottom edge when the zero row lies under it), over at least 3 rows. A dashed line inks only part of
    its length, vertical or horizontal alike: where under 95% of the columns of the path's last quarter
    show its own ink, the stroke needs 75% of that share (of at least 50%) of the rows instead.

    Parameters
    ----------
    path : TracedPath
    weight : ndarray of shape (rows, cols)
        The arm's membership map the path was traced on.
    last_row : float
        Row of the curve's last level (panel pixels).
    zero_row : float
        Row of survival 0 (panel pixels; may lie below the panel).
    """
    half = path.half_width
    n_rows, n_cols = weight.shape
    top = int(np.ceil(last_row)) + half + 1
    bottom = min(int(np.floor(zero_row)) - half, n_rows - 1)
    if bottom - top < 2 or zero_row - last_row < 2 * half + 3:
        return False
    end = path.stop - 1
    window = weight[top: bottom + 1, max(end - 2 * half - 1, 0): min(end + 2 * half + 2, n_cols)]
    duty = _dash_duty(path)
    need = 0.9 if duty >= 0.95 else 0.75 * duty  # a dashed drop crossed by other lines loses some dashes too
    return bool(window.size and np.mean(window.max(axis=1) >= 0.5) >= need)


def _dash_duty(path: TracedPath) -> float:
    """Share of the columns of the path's last quarter with the arm's own ink, at least 0.5 (1 for a solid line).

    A dashed line's ink breaks off again and again; a solid line whose end another line covers breaks once
    or twice, and stays solid (1): a censor mark or a band's edge under its end is no drop to 0.
    """
    own = path.own[path.stop - max((path.stop - path.start) // 4, 1): path.stop] >= 0.5
    if np.count_nonzero(np.diff(own.astype(np.int8)) == -1) < _MIN_DASH_GAPS:
        return 1.0
    return float(np.clip(np.mean(own), 0.5, 1.0))


_MIN_DASH_GAPS = 3
"""Fewest breaks in a path's own ink over its last quarter for it to count as dashed."""
