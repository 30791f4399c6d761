"""Columns of an at-risk table printed on the x-tick grid: the grid step, and entries the alignment left off the grid.

The rows of a table share its columns. A number printed wider than its neighbours ("143" above "65",
both under the tick at 0) sits off the alignment that the other entries agree on, by up to half a
column, while its row misses exactly that column. Times are in x-axis units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reconstruct.digitize.ocr import TextBox

__all__ = ["fill_columns", "tick_step"]

_REACH = 0.45  # largest distance from a column, in column steps, of an entry taken into it


def fill_columns(rows: Sequence[Sequence[TextBox]], times: dict[int, float], origin: float,
                 step: float) -> dict[int, float]:
    """Move each off-grid entry into the nearest column its row lacks, when another row has that column.

    Parameters
    ----------
    rows : sequence of sequence of TextBox
        The entries (number boxes) of each table row.
    times : dict
        Time of each entry, keyed by ``id`` of its box: a grid time ``origin + k * step`` when it was
        snapped, its calibrated time otherwise.
    origin, step : float
        The tick grid.

    Returns
    -------
    dict
        ``times`` with the entries moved; an entry stays where it was when its row already holds the
        nearest column, no other row holds it, or it is more than 0.45 steps away.
    """
    def column(t: float) -> float:
        return (t - origin) / step

    def on_grid(t: float) -> bool:
        return abs(column(t) - round(column(t))) < 1e-9

    held = [{round(column(times[id(w)])) for w in row if on_grid(times[id(w)])} for row in rows]
    out = dict(times)
    for k, row in enumerate(rows):
        others = set().union(*(h for j, h in enumerate(held) if j != k))
        for w in row:
            t = times[id(w)]
            if on_grid(t):
                continue
            near = round(column(t))
            if abs(column(t) - near) <= _REACH and near not in held[k] and near in others:
                out[id(w)] = origin + step * near
                held[k].add(near)
    return out


def tick_step(values: Sequence[float]) -> float:
    """Spacing of the tick grid from the tick values read, some of which may be missing.

    The median gap of ``12, 24, 30`` (ticks 0-48 every 6, most labels unread) is 9, on no tick; the grid
    step divides every gap: the largest ``g / k`` (``g`` the smallest gap, ``k`` = 1..6) that does.
    """
    gaps = np.diff(np.unique(np.asarray(values, dtype=float)))
    gaps = gaps[gaps > 0]
    if not gaps.size:
        return 0.0
    for k in range(1, 7):
        ratio = gaps / (float(gaps.min()) / k)
        if np.all(np.abs(ratio - np.round(ratio)) <= 0.05):
            return float(gaps.min()) / k
    return float(np.median(gaps))
