"""Columns of an at-risk table printed on the x-tick grid: each number's time, the grid step, and entries off the grid.

Each number's time is read at the point of its box that the table's numbers align on (left edge, centre
or right edge, whichever puts them on the tick grid), snapped to the columns. The rows of a table
share its columns. A number printed wider than its neighbours ("143" above "65",
both under the tick at 0) sits off the alignment that the other entries agree on, by up to half a
column, while its row misses exactly that column. Times are in x-axis units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.ocr import TextBox

if TYPE_CHECKING:
    from reconstruct.digitize.risk_table import _Line

__all__ = ["fill_columns", "finer_step", "tick_step"]

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


_ON_GRID = 0.25  # largest distance from a grid column, in steps, of an entry counted on the grid
_MOST = 0.8  # share of the entries on a grid that makes it the table's


def finer_step(times: Sequence[float], origin: float, step: float) -> float:
    """The table's column step: ``step`` or, when most entries fall between its columns, a divisor of it.

    The tick labels read may be every second or third of those printed (scanned figures, small text:
    ticks every 6 months read as 0, 24 and 36, a step of 12); the table's columns then fall half-way
    between the grid's. The step is divided by the smallest ``m`` in 2..5 that puts at least 80% of the
    entries within a quarter of a step of a column, when ``step`` itself does not.

    Parameters
    ----------
    times : sequence of float
        Calibrated time of each entry (its centre column).
    origin, step : float
        The grid from the tick labels read.

    Returns
    -------
    float

    Examples
    --------
    >>> finer_step([0.2, 7.1, 12.1, 18.5, 24.0, 30.8, 36.2, 42.7], 0.0, 12.0)
    6.0
    >>> finer_step([0.2, 12.1, 24.0, 36.2, 7.0], 0.0, 12.0)
    12.0
    """
    t = np.asarray(times, dtype=float)
    if step <= 0 or t.size < 4:
        return step

    def share(s: float) -> float:
        k = (t - origin) / s
        return float(np.mean(np.abs(k - np.round(k)) <= _ON_GRID))

    if share(step) >= _MOST:
        return step
    return next((step / m for m in range(2, 6) if share(step / m) >= _MOST), step)


def _nice_step(raw: float) -> float:
    """Round a positive spacing to 1, 2, 2.5 or 5 times a power of ten."""
    exponent = np.floor(np.log10(raw))
    base = raw / 10**exponent
    nice = min((1.0, 2.0, 2.5, 5.0, 10.0), key=lambda c: abs(c - base))
    return float(nice * 10**exponent)


def _column_step(times: NDArray[np.float64]) -> float:
    """Nice spacing of the table's columns: cluster entry times (rows share columns), then median gap."""
    ordered = np.sort(times)
    if ordered.size < 2 or ordered[-1] == ordered[0]:
        return 0.0
    breaks = np.flatnonzero(np.diff(ordered) > 0.02 * (ordered[-1] - ordered[0]))
    centres = [float(np.mean(c)) for c in np.split(ordered, breaks + 1)]
    return _nice_step(float(np.median(np.diff(centres)))) if len(centres) > 1 else 0.0


def _anchor_col(entries: list[tuple[TextBox, int]],
                grid_miss: Callable[[float], float] | None = None) -> Callable[[TextBox], float]:
    """Pick the alignment (left, centre, right) under which the table's columns line up best.

    With ``grid_miss`` (distance of a pixel column from the nearest tick column, in tick steps) the
    alignment that puts the entries nearest the tick grid wins; otherwise the one whose columns are
    tightest.
    """
    options: dict[str, Callable[[TextBox], float]] = {
        "center": lambda w: w.center_px[1],
        "right": lambda w: float(w.col1),
        "left": lambda w: float(w.col0),
    }
    if len(entries) < 3:
        return options["center"]
    spreads = {}
    if grid_miss is not None:
        misses = {name: float(np.median([grid_miss(fn(w)) for w, _ in entries])) for name, fn in options.items()}
        best = min(misses, key=lambda k: misses[k])
        # centred numbers are the rule: another alignment must fit the grid clearly better
        return options[best if misses[best] < misses["center"] - 0.05 else "center"]
    for name, fn in options.items():
        cols = np.sort([fn(w) for w, _ in entries])
        gaps = np.diff(cols)
        small = gaps[gaps < 0.5 * float(np.median([w.col1 - w.col0 for w, _ in entries])) + 2]
        spreads[name] = float(np.sum(small))
    return options[min(spreads, key=lambda k: spreads[k])]


def _column_times(
    table: list[_Line], tick_line: _Line | None, x_calibration: Callable[[float], float],
    tick_values: Sequence[float] | None = None,
) -> dict[int, float]:
    """Time for each table entry (keyed by ``id`` of its box): the tick label above, or the snapped calibration."""
    entries = [e for line in table for e in line.numbers]
    times: dict[int, float] = {}
    tick_cols = np.array([w.center_px[1] for w, _ in tick_line.values]) if tick_line else np.zeros(0)
    tick_vals = np.array([v for _, v in tick_line.values], dtype=float) if tick_line else np.zeros(0)
    ticks = np.sort(np.asarray(tick_values if tick_values is not None else [], dtype=float))
    if ticks.size >= 2:  # the table is a grid aligned to the x ticks: snap to their spacing
        origin = float(ticks[0])
        step = finer_step([float(x_calibration(w.center_px[1])) for w, _ in entries], origin, tick_step(ticks))

        first = (min(origin, 0.0) - origin) / step  # column of time 0 when the tick "0" was not read

        def miss(col: float) -> float:
            k = (float(x_calibration(col)) - origin) / step
            return abs(k - round(k)) if k > first - 0.5 else 0.5

        anchor = _anchor_col(entries, miss)
        raw = {id(w): float(x_calibration(anchor(w))) for w, _ in entries}
        snapped = {id(w): (origin + step * round((raw[id(w)] - origin) / step)
                           if abs(raw[id(w)] - origin - step * round((raw[id(w)] - origin) / step)) <= 0.3 * step
                           else raw[id(w)])
                   for w, _ in entries}
        return fill_columns([[w for w, _ in line.numbers] for line in table], snapped, origin, step)
    anchor = _anchor_col(entries)
    raw = {id(w): float(x_calibration(anchor(w))) for w, _ in entries}
    step = _column_step(np.array(list(raw.values())))
    spacing_px = float(np.median(np.diff(np.sort(tick_cols)))) if tick_cols.size > 1 else np.inf
    for w, _ in entries:
        col = anchor(w)
        if tick_cols.size and np.min(np.abs(tick_cols - col)) < 0.45 * spacing_px:
            times[id(w)] = float(tick_vals[np.argmin(np.abs(tick_cols - col))])
        elif step > 0 and abs(raw[id(w)] - step * round(raw[id(w)] / step)) <= 0.25 * step:
            times[id(w)] = float(step * round(raw[id(w)] / step))
        else:
            times[id(w)] = raw[id(w)]
    return times
