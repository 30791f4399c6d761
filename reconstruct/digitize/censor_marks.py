"""Censor marks on a traced KM curve: short strokes crossing the line.

Every common glyph (``+``, ``|``, ``x``, filled ``o``, squares, triangles) crosses the line,
sticking out both above and below it, contiguously with the line's own pixels. The vertical
stroke of a drop leaves the traced level on one side only (below before the drop, above after
it), and dashed confidence limits are not contiguous with the line. So a mark is a short run of
columns where the arm's pixels continue beyond the line window both upwards and downwards.
Pixel coordinates are ``(row, col)`` of the panel crop.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.curves import GREY_CHROMA, TracedPath
from reconstruct.digitize.line_width import line_thickness

__all__ = ["crossings_judged", "drop_crossings", "find_censor_marks"]


def _rise(weight: NDArray[np.float32], rows: NDArray[np.int64], half: int, reach: int, step: int) -> NDArray[np.int64]:
    """Contiguous arm pixels beyond the line window (``step`` -1: above, +1: below), per column."""
    n_rows, n_cols = weight.shape
    cols = np.arange(n_cols)
    rise = np.zeros(n_cols, np.int64)
    alive = np.ones(n_cols, bool)
    for k in range(1, reach + 1):
        row = rows + step * (half + k)
        inside = (row >= 0) & (row < n_rows)
        value = np.where(inside, weight[np.clip(row, 0, n_rows - 1), cols], 0.0)
        alive &= value >= 0.3
        rise += alive
    return rise


def _line_centre(weight: NDArray[np.float32], rows: NDArray[np.int64], half: int) -> NDArray[np.int64]:
    """Row of the line's centre in each column: membership centroid within the traced window."""
    n_rows, n_cols = weight.shape
    offsets = np.arange(-half, half + 1)
    grid = np.clip(rows[None, :] + offsets[:, None], 0, n_rows - 1)
    mass = weight[grid, np.arange(n_cols)[None, :]]
    total = mass.sum(axis=0)
    shift = np.divide(mass.T @ offsets, total, out=np.zeros(n_cols), where=total > 0)
    return rows + np.round(shift).astype(np.int64)


def find_censor_marks(
    path: TracedPath, weight: NDArray[np.float32], *, min_rise: int = 2
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Locate censor marks along one traced arm.

    Parameters
    ----------
    path : TracedPath
        The arm's path (in the same orientation as ``weight``).
    weight : ndarray of shape (rows, cols), float32
        The arm's membership map.
    min_rise : int, default 2
        Fewest pixels a mark must stand out above and below the line.

    Returns
    -------
    cols : ndarray of shape (n_marks,)
        Sub-pixel column of each mark's centre (panel crop).
    rows : ndarray of shape (n_marks,)
        Path row at each mark.
    """
    half = path.half_width
    idx = np.arange(path.rows.size)
    centre = _line_centre(weight, path.rows, half)
    line_half = max(1, line_thickness(weight) // 2)
    reach = 4 * half + 10
    rise = np.zeros(idx.size, np.int64)
    # the glyph may sit just before or after a drop, where the traced row is already (or still) the other level
    for shift in (0, -(half + 1), half + 1):
        rows = centre[np.clip(idx + shift, 0, idx.size - 1)]
        up = _rise(weight, rows, line_half, reach, -1)
        down = _rise(weight, rows, line_half, reach, 1)
        both = np.where((up < reach) & (down < reach), np.minimum(up, down), 0)
        rise = np.maximum(rise, both)
    hit = (rise >= min_rise) & (idx >= path.start) & (idx < path.stop + half + 2)
    # a steep staircase (drops on both sides within a stroke width) also sticks out both ways
    reach_cols = half + 2
    left = path.rows[np.clip(idx - reach_cols, 0, idx.size - 1)]
    right = path.rows[np.clip(idx + reach_cols, 0, idx.size - 1)]
    hit &= ~((left != path.rows) & (right != path.rows))
    if not hit.any():
        return np.empty(0), np.empty(0, np.int64)
    index = np.flatnonzero(hit)
    groups = np.split(index, np.flatnonzero(np.diff(index) > 2) + 1)
    # glyphs are about as wide as they are tall; a longer run is several overlapping glyphs
    glyph_width = max(3.0, 2.0 * float(np.median(rise[index])) + path.half_width)
    cols, rows = [], []
    for group in groups:
        n_glyphs = max(1, int(round((group[-1] - group[0] + 1) / glyph_width)))
        for piece in np.array_split(group, n_glyphs):
            centre = float(np.average(piece, weights=rise[piece]))
            cols.append(centre)
            rows.append(int(path.rows[int(round(centre))]))
    return np.asarray(cols, float), np.asarray(rows, np.int64)


def crossings_judged(chroma: float) -> bool:
    """Whether :func:`drop_crossings` may judge the marks of an arm drawn in a colour of this ``chroma`` (Lab units).

    Only a coloured arm: a grey's loose and strict memberships both take in the other greys' strokes and glyphs,
    so the own-colour check cannot tell a real mark at a crossing from the other curve's drop (held-out
    lifelines_005, in greys, lost 9 real marks and its fit; base_r_016's two greys lost two).
    """
    return chroma > GREY_CHROMA


def drop_crossings(cols: NDArray[np.float64], path: TracedPath, others: list[TracedPath],
                   own_marks: Callable[[], NDArray[np.float64]]) -> NDArray[np.float64]:
    """``cols`` (marks found on ``path``) without those where another arm's trace crosses ``path``'s line
    and that its own colour alone does not show (``own_marks()``: the marks found in the arm's strict membership,
    asked for only when some mark lies at a crossing). ``others`` are the arms traced in other colours.

    Where another curve drops through this arm's line, its vertical stroke sticks out above and below the
    line just as a ``|`` mark does, and a loose colour membership takes it in (survminer_minimal_003: two
    marks at the red curve's crossings of the teal one). A mark is dropped when, within the glyph's columns
    (``half_width + 2`` either side), another trace has rows both above and below this line's window, unless
    a mark in the arm's own colour lies within those columns (a real glyph next to a crossing: survminer_classic_001;
    arms drawn in one colour keep theirs, as the stroke is no evidence either way: the caller leaves them out of
    ``others``, and searches the own-colour marks in the colour's whole strict membership, not in the residual
    left to a second arm of that colour or to a retraced grey, where lines near the crossing are cleared).
    """
    if cols.size == 0 or not others:
        return cols
    reach = path.half_width + 2
    keep = np.ones(cols.size, bool)
    own_cols: NDArray[np.float64] | None = None
    for i, col in enumerate(np.rint(cols).astype(np.int64)):
        row = int(path.rows[min(max(col, 0), path.rows.size - 1)])
        for other in others:
            lo_col, hi_col = max(col - reach, other.start), min(col + reach + 1, other.stop)
            if lo_col >= hi_col:
                continue
            window = other.rows[lo_col:hi_col]
            if window.min() < row - path.half_width - 1 and window.max() > row + path.half_width + 1:
                own_cols = own_marks() if own_cols is None else own_cols
                keep[i] = bool(own_cols.size) and bool(np.abs(own_cols - col).min() <= reach)
                break
    return cols[keep]
