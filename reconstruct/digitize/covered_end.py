"""Whether a traced curve ends where something drawn over the panel covers it (an opaque legend box).

A legend drawn inside the panel on an opaque box hides whatever runs under it: a curve going on under
the box is seen to end at the box's edge. The edge is straight and cuts everything that reaches it:
other arms' lines and confidence bands stop on the same column as the curve and the background takes
over beyond it. A curve that ends of itself stops with its own band only (the other arms' bands go
on past its end, or end elsewhere). So an end is taken as covered when, on the column just past it,
a run of rows through the curve's row goes from ink to bare background, and at least
``_MIN_FOREIGN`` rows of that run are cut in a colour that is neither the arm's own nor a paler shade
of it. Without bands or crossing lines there is nothing to tell a covered end by, and none is seen.
A trace that ran on over the box's bare margin onto the arm's legend key is cut back to the box's edge
(:func:`keyed_end`).
Pixels are ``(row, col)`` of the panel crop, in the orientation the curve was traced in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["covered_end", "end_covered", "keyed_end"]

_BARE_COLS = 4  # columns of bare background beyond the edge
_MIN_FOREIGN = 6  # rows of the edge cut in another colour than the arm's
_GAP = 2  # rows of the run that may miss the edge (a key's anti-aliased rim, a censor mark)


def _is_shade(rgb: NDArray[np.float32], colour: NDArray[np.float32], bg: NDArray[np.float32]) -> NDArray[np.bool_]:
    """Pixels (n, 3) on the segment from the background to ``colour`` (the colour or a paler shade), in RGB."""
    from reconstruct.extra_curves import ray_position

    alpha, residual = ray_position(rgb, colour, bg)
    return (alpha > 0.05) & (alpha < 1.3) & (residual < 30.0)


def _cut_run(col: int, row: int, drawn: NDArray[np.bool_], half_width: int) -> tuple[int, NDArray[np.intp]] | None:
    """``(edge, rows)``: the first bare column past a trace ending at ``(row, col)``, and the rows of the run through
    ``row`` cut there (ink just before the edge, none for :data:`_BARE_COLS` columns after it); None when none."""
    n_rows, n_cols = drawn.shape
    if not (0 <= row < n_rows and 0 <= col < n_cols):  # a last drop to the axis, below the panel's crop
        return None
    edge = None
    for x in range(col + 1, min(col + 2 * half_width + 4, n_cols - _BARE_COLS)):
        if not drawn[row, x: x + _BARE_COLS].any():
            edge = x
            break
    if edge is None or edge < 2:
        return None
    cut = drawn[:, edge - 2: edge].any(axis=1) & ~drawn[:, edge: edge + _BARE_COLS].any(axis=1)
    if not cut[max(row - half_width, 0): row + half_width + 1].any():
        return None
    top = bottom = row
    misses = 0
    while top > 0 and misses <= _GAP:
        top -= 1
        misses = 0 if cut[top] else misses + 1
    top += misses
    misses = 0
    while bottom < n_rows - 1 and misses <= _GAP:
        bottom += 1
        misses = 0 if cut[bottom] else misses + 1
    bottom -= misses
    rows = np.flatnonzero(cut[top: bottom + 1]) + top
    return edge, rows


def covered_end(col: int, row: int, drawn: NDArray[np.bool_], rgb: NDArray[np.uint8], colour_rgb,
                bg_rgb, half_width: int) -> bool:
    """Whether the curve traced up to ``(row, col)`` runs on under a box drawn over the panel.

    Parameters
    ----------
    col, row : int
        The trace's last column and its row there.
    drawn : ndarray of shape (rows, cols), bool
        Drawn pixels of the panel crop.
    rgb : ndarray of shape (rows, cols, 3), uint8
        The panel crop (same orientation as ``drawn``).
    colour_rgb, bg_rgb : sequence of 3 floats
        The arm's line colour and the background.
    half_width : int
        Half the line's thickness.

    Returns
    -------
    bool
    """
    run = _cut_run(col, row, drawn, half_width)
    if run is None or run[1].size < _MIN_FOREIGN:
        return False
    edge, rows = run
    left = rgb[rows, edge - 2].astype(np.float32)
    foreign = ~_is_shade(left, np.asarray(colour_rgb, np.float32), np.asarray(bg_rgb, np.float32))
    return int(foreign.sum()) >= _MIN_FOREIGN


_KEY_SHARE = 0.1  # the most of the panel's width a legend key beyond the box's edge may take
_MIN_BOX_ROWS = 20  # rows of a straight edge cut through the curve's row that make a box's edge (not a line's end)


def keyed_end(cols: NDArray[np.float64], rows: NDArray[np.float64], drawn: NDArray[np.bool_],
              rgb: NDArray[np.uint8], colour_rgb, bg_rgb, half_width: int) -> tuple[NDArray[np.float64], bool]:
    """A covered end (:func:`covered_end`) the trace ran past onto a legend key in line with its curve.

    A legend's key is drawn in the arm's colour inside the box: a curve whose last level runs into the box
    at the key's height is traced on, over the box's bare margin, onto the key, and ends at the key's end
    (survminer_light_005 of dev 8081). When the last level crosses a gap of at least ``2 * half_width + 3``
    bare columns, what follows it is shorter than 10% of the panel, and the column before the gap is a
    covered end, the trace is cut there. A key is drawn in the arm's own colour, and its band may be all that
    the box's edge cuts (no other colour): a straight edge cutting at least ``max(20, 6 * (2 * half_width + 1))``
    rows through the curve's row is a box's edge too (a line's own end, a dash's, cuts its thickness only).

    Parameters
    ----------
    cols, rows : ndarray of shape (n_corners,)
        Step corners, the last the trace's end.
    drawn, rgb, colour_rgb, bg_rgb, half_width
        As :func:`covered_end`.

    Returns
    -------
    cols : ndarray
        The corners, the last moved back to the column before the gap when cut (a copy).
    covered : bool
        Whether the (cut) end is covered.
    """
    cols = np.asarray(cols, float).copy()
    row, end = int(round(rows[-1])), int(round(cols[-1]))
    n_rows, n_cols = drawn.shape
    first = int(np.ceil(cols[-2])) if cols.size > 1 else 0
    if not (0 <= row < n_rows) or end >= n_cols or end - first < 3:
        return cols, False
    ink = drawn[max(row - half_width, 0): row + half_width + 1, first: end + 1].any(axis=0)
    bare = np.flatnonzero(~ink)
    if not bare.size:
        return cols, False
    # the rightmost run of bare columns on the last level
    runs = np.split(bare, np.flatnonzero(np.diff(bare) > 1) + 1)
    gap = runs[-1]
    if gap.size < 2 * half_width + 3 or gap[0] == 0 or end - (first + int(gap[-1])) > _KEY_SHARE * n_cols:
        return cols, False
    edge = first + int(gap[0]) - 1  # the last column the curve is seen in
    run = _cut_run(edge, row, drawn, half_width)
    tall = run is not None and run[1].size >= max(_MIN_BOX_ROWS, 6 * (2 * half_width + 1))
    if not (tall or covered_end(edge, row, drawn, rgb, colour_rgb, bg_rgb, half_width)):
        return cols, False
    cols[-1] = max(float(edge), float(cols[-2]) if cols.size > 1 else float(edge))
    return cols, True


def end_covered(cols: NDArray[np.float64], rows: NDArray[np.float64], drawn: NDArray[np.bool_],
                rgb: NDArray[np.uint8], colour_rgb, bg_rgb, half_width: int) -> tuple[NDArray[np.float64], bool, float]:
    """:func:`covered_end` at the trace's end, else :func:`keyed_end`.

    Parameters
    ----------
    cols, rows : ndarray of shape (n_corners,)
        Step corners, the last the trace's end.
    drawn, rgb, colour_rgb, bg_rgb, half_width
        As :func:`covered_end`.

    Returns
    -------
    cols : ndarray
        The corners, the last cut back to a legend box's edge by :func:`keyed_end` (a copy).
    covered : bool
        Whether the (cut) end is covered.
    mark_limit : float
        The last column a censor mark of the arm may be found at: the cut end (plus the line's half width) when
        the trace was cut back from a legend key (the key's own mark is no censoring), else infinity.
    """
    if covered_end(int(round(cols[-1])), int(round(rows[-1])), drawn, rgb, colour_rgb, bg_rgb, half_width):
        return np.asarray(cols, float), True, float("inf")
    cut, covered = keyed_end(cols, rows, drawn, rgb, colour_rgb, bg_rgb, half_width)
    return cut, covered, float(cut[-1] + half_width) if covered else float("inf")
