"""The plot panel of a figure drawn without axis lines or a filled background: from its grid lines.

ggplot2's ``theme_minimal``, Excel charts and many journal redraws have no axis lines; the panel is
then the box spanned by the light grid lines (which run across the whole panel). When a figure has
a second gridded panel (a risk table drawn with the same theme), the larger panel is the plot.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["panel_from_grid"]


def _long_lines(mask: NDArray[np.uint8], *, horizontal: bool, min_len: int) -> list[tuple[float, int, int]]:
    """Straight lines at least ``min_len`` long: (centre row or column, extent start, extent stop)."""
    kernel = np.ones((1, min_len) if horizontal else (min_len, 1), np.uint8)
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(opened)
    lines = []
    for k in range(1, n):
        col, row, width, height = (int(v) for v in stats[k, :4])
        if horizontal and height <= 4:
            lines.append((float(centroids[k, 1]), col, col + width))
        elif not horizontal and width <= 4:
            lines.append((float(centroids[k, 0]), row, row + height))
    return lines


def panel_from_grid(gray: NDArray[np.uint8]) -> tuple[int, int, int, int, float, float, int, int] | None:
    """Panel bounds from light grid lines, or None when fewer than three parallel grid lines are found.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8

    Returns
    -------
    tuple or None
        ``(row0, col0, row1, col1, x_axis_row, y_axis_col, below_x, left_of_y)`` as the other panel
        finders of :mod:`reconstruct.digitize.axes` return it.
    """
    rows, cols = gray.shape
    paper = int(np.median(gray))
    mask = (gray.astype(np.int16) < paper - 8).astype(np.uint8)
    horizontals = _long_lines(mask, horizontal=True, min_len=max(20, int(0.3 * cols)))
    if len(horizontals) < 3:
        return None
    # Grid lines of one panel share their extent; pick the group covering the largest area.
    groups: list[list[tuple[float, int, int]]] = []
    for line in sorted(horizontals, key=lambda h: (h[1], h[2], h[0])):
        for g in groups:
            if abs(g[0][1] - line[1]) <= 4 and abs(g[0][2] - line[2]) <= 4:
                g.append(line)
                break
        else:
            groups.append([line])
    groups = [g for g in groups if len(g) >= 3]
    if not groups:
        return None
    best = max(groups, key=lambda g: (max(h[0] for h in g) - min(h[0] for h in g)) * (g[0][2] - g[0][1]))
    col0 = int(np.median([h[1] for h in best]))
    col1 = int(np.median([h[2] for h in best]))
    top, bottom = min(h[0] for h in best), max(h[0] for h in best)
    verticals = [v for v in _long_lines(mask, horizontal=False, min_len=max(20, int(0.5 * (bottom - top))))
                 if col0 - 3 <= v[0] <= col1 + 3 and v[1] <= top + 4 and v[2] >= bottom - 4]
    row0 = int(min([top] + [v[1] for v in verticals]))
    row1 = int(max([bottom + 1] + [v[2] for v in verticals]))
    if row1 - row0 < 0.2 * rows or col1 - col0 < 0.3 * cols:
        return None
    return row0, col0, row1, col1, row1 - 0.5, col0 - 0.5, row1, col0 - 1
