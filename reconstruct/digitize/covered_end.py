"""Whether a traced curve ends where something drawn over the panel covers it (an opaque legend box).

A legend drawn inside the panel on an opaque box hides whatever runs under it: a curve going on under
the box is seen to end at the box's edge. The edge is straight and cuts everything that reaches it:
other arms' lines and confidence bands stop on the same column as the curve and the background takes
over beyond it. A curve that ends of itself stops with its own band only (the other arms' bands go
on past its end, or end elsewhere). So an end is taken as covered when, on the column just past it,
a run of rows through the curve's row goes from ink to bare background, and at least
``_MIN_FOREIGN`` rows of that run are cut in a colour that is neither the arm's own nor a paler shade
of it. Without bands or crossing lines there is nothing to tell a covered end by, and none is seen.
Pixels are ``(row, col)`` of the panel crop, in the orientation the curve was traced in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["covered_end"]

_BARE_COLS = 4  # columns of bare background beyond the edge
_MIN_FOREIGN = 6  # rows of the edge cut in another colour than the arm's
_GAP = 2  # rows of the run that may miss the edge (a key's anti-aliased rim, a censor mark)


def _is_shade(rgb: NDArray[np.float32], colour: NDArray[np.float32], bg: NDArray[np.float32]) -> NDArray[np.bool_]:
    """Pixels (n, 3) on the segment from the background to ``colour`` (the colour or a paler shade), in RGB."""
    from reconstruct.extra_curves import ray_position

    alpha, residual = ray_position(rgb, colour, bg)
    return (alpha > 0.05) & (alpha < 1.3) & (residual < 30.0)


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
    n_rows, n_cols = drawn.shape
    if not (0 <= row < n_rows and 0 <= col < n_cols):  # a last drop to the axis, below the panel's crop
        return False
    edge = None
    for x in range(col + 1, min(col + 2 * half_width + 4, n_cols - _BARE_COLS)):
        if not drawn[row, x: x + _BARE_COLS].any():
            edge = x
            break
    if edge is None or edge < 2:
        return False
    cut = drawn[:, edge - 2: edge].any(axis=1) & ~drawn[:, edge: edge + _BARE_COLS].any(axis=1)
    if not cut[max(row - half_width, 0): row + half_width + 1].any():
        return False
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
    if rows.size < _MIN_FOREIGN:
        return False
    left = rgb[rows, edge - 2].astype(np.float32)
    foreign = ~_is_shade(left, np.asarray(colour_rgb, np.float32), np.asarray(bg_rgb, np.float32))
    return int(foreign.sum()) >= _MIN_FOREIGN
