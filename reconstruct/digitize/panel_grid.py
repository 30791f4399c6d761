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


def _long_lines(mask: NDArray[np.uint8], *, horizontal: bool, min_len: int,
                bridge: int = 1) -> list[tuple[float, int, int]]:
    """Straight lines at least ``min_len`` long: (centre row or column, extent start, extent stop).

    Gaps shorter than ``bridge`` pixels along a line (a curve's blob crossing it) are closed first.
    """
    kernel = np.ones((1, min_len) if horizontal else (min_len, 1), np.uint8)
    if bridge > 1:
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, bridge) if horizontal else (bridge, 1), np.uint8))
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


def _split_at_gaps(lines: list[tuple[float, int, int]],
                   verticals: list[tuple[float, int, int]]) -> list[list[tuple[float, int, int]]]:
    """Split lines of one extent between panels: where no vertical line crosses, or the gap is too wide.

    A risk table drawn with the plot's theme has grid lines of the same extent as the plot's; the
    axis labels and the table title between them leave a gap that no vertical grid line or border
    crosses and that is often wider than any grid spacing.
    """
    lines = sorted(lines)
    if len(lines) < 3:
        return [lines]
    centres = np.array([h[0] for h in lines])
    gaps = np.diff(centres)
    col0, col1 = lines[0][1], lines[0][2]
    inside = [v for v in verticals if col0 - 3 <= v[0] <= col1 + 3]
    bridged = np.array([any(v[1] <= a + 2 and v[2] >= b - 2 for v in inside)
                        for a, b in zip(centres[:-1], centres[1:], strict=True)])
    split = gaps > 1.8 * float(np.median(gaps)) + 4.0 if len(lines) >= 4 else np.zeros(gaps.size, bool)
    if bridged.mean() >= 0.5:  # a grid with vertical lines: panels end where they do
        split |= ~bridged
    parts, start = [], 0
    for k in np.flatnonzero(split):
        parts.append(lines[start: k + 1])
        start = k + 1
    parts.append(lines[start:])
    return parts


def _left_edge(starts: list[int], verticals: list[tuple[float, int, int]]) -> int:
    """Left edge of a gridded panel from where its horizontal lines start.

    A border (a vertical line that some horizontal lines start at: minor grid lines and the frame's
    own edges have no tick or label to lengthen them) is the edge; otherwise the most common start.
    """
    starts_arr = np.asarray(starts)
    for v in sorted(verticals):
        if np.any(np.abs(starts_arr - v[0]) <= 2):
            return int(round(v[0]))
    support = [int(np.sum(np.abs(starts_arr - s) <= 3)) for s in starts_arr]
    return int(np.max(starts_arr[np.asarray(support) == max(support)]))


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
    # Thin lines darker than what lies either side of them (a black-hat): grid lines stay whole where
    # a confidence ribbon is drawn over them, and the ribbon itself is no line.
    # (square kernel: horizontal and vertical grid lines stay whole where they cross).
    mask = (cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, np.ones((7, 7), np.uint8)) > 8).astype(np.uint8)
    horizontals = _long_lines(mask, horizontal=True, min_len=max(20, int(0.3 * cols)), bridge=7)
    if len(horizontals) < 3:
        return None
    # Grid lines of one panel share their extent; pick the group covering the largest area. Their left
    # ends may differ: tick marks and small labels close to a major grid line lengthen it.
    groups: list[list[tuple[float, int, int]]] = []
    for line in sorted(horizontals, key=lambda h: (-h[1], h[2], h[0])):
        for g in groups:
            if abs(g[0][2] - line[2]) <= 4 and 0 <= g[0][1] - line[1] <= 0.12 * cols:
                g.append(line)
                break
        else:
            groups.append([line])
    crossing = _long_lines(mask, horizontal=False, min_len=max(20, int(0.05 * rows)), bridge=7)
    groups = [part for g in groups for part in _split_at_gaps(g, crossing) if len(part) >= 3]
    if not groups:
        return None
    best = max(groups, key=lambda g: (max(h[0] for h in g) - min(h[0] for h in g)) * (g[0][2] - g[0][1]))
    col1 = int(np.median([h[2] for h in best]))
    top, bottom = min(h[0] for h in best), max(h[0] for h in best)
    col0 = _left_edge([h[1] for h in best], [v for v in crossing if v[1] <= top + 4 and v[2] >= bottom - 4])
    verticals = [v for v in _long_lines(mask, horizontal=False, min_len=max(20, int(0.5 * (bottom - top))))
                 if col0 - 3 <= v[0] <= col1 + 3 and v[1] <= top + 4 and v[2] >= bottom - 4]
    row0 = int(min([top] + [v[1] for v in verticals]))
    # vertical grid lines end at the panel edge; major ones may run on into a tick mark, minor ones do not,
    # and a curve's blob may cut one short: a low quantile of their ends
    row1 = int(max(bottom + 1, np.percentile([v[2] for v in verticals], 25) if verticals else 0))
    if row1 - row0 < 0.2 * rows or col1 - col0 < 0.3 * cols:
        return None
    return row0, col0, row1, col1, row1 - 0.5, col0 - 0.5, row1, col0 - 1
