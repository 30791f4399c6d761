"""The plot panel of a figure without black axis lines: from a filled background or from its grid lines.

ggplot2's ``theme_minimal``, Excel charts and many journal redraws have no axis lines; the panel is
then the box spanned by the light grid lines (which run across the whole panel). When a figure has
a second gridded panel (a risk table drawn with the same theme, an Excel data table), the panels are
told apart by where vertical lines cross between the rows, and the larger one is the plot. Without
tick marks or vertical grid lines, :func:`label_grid_ticks` takes the x ticks from the evenly spaced
x labels themselves.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["panel_from_grid", "panel_from_fill", "label_grid_ticks", "label_band"]


def _long_lines(mask: NDArray[np.uint8], *, horizontal: bool, min_len: int,
                bridge: int = 1) -> list[tuple[float, int, int]]:
    """Straight lines at least ``min_len`` long: (centre row or column, extent start, extent stop).

    Gaps shorter than ``bridge`` pixels along a line (a curve's blob crossing it) are closed first.
    """
    min_len |= 1  # an even-sized kernel shifts the opened lines by a pixel
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
    """Split lines of one extent into panels: where vertical lines stop or start crossing, or a gap is too wide.

    A risk table drawn with the plot's theme (or an Excel data table under the chart) has lines of the
    same extent as the plot's grid. Where one has vertical lines crossing between its rows and the
    other has not, or the axis labels and the table title leave a gap wider than any grid spacing,
    they are two panels. Neighbouring parts share their boundary line.
    """
    lines = sorted(lines)
    if len(lines) < 3:
        return [lines]
    centres = np.array([h[0] for h in lines])
    gaps = np.diff(centres)
    col0, col1 = min(h[1] for h in lines), max(h[2] for h in lines)
    inside = [v for v in verticals if col0 - 3 <= v[0] <= col1 + 3]
    bridged = np.array([_table_walls([v for v in inside if v[1] <= a + 2 and v[2] >= b - 2])
                        for a, b in zip(centres[:-1], centres[1:], strict=True)])
    parts: list[list[tuple[float, int, int]]] = []
    start = 0
    for k in range(1, gaps.size + 1):  # runs of gaps alike in crossing; the boundary line belongs to both
        if k == gaps.size or bridged[k] != bridged[k - 1]:
            parts.append(lines[start: k + 1])
            start = k
    return [piece for part in parts for piece in _split_wide(part)]


def _table_walls(crossing: list[tuple[float, int, int]]) -> bool:
    """Whether vertical lines crossing a gap are a table's cell walls: two or more sharing their ends.

    One long vertical stroke is as likely a curve's drop (to 0, say) as a wall; a table's walls come in
    rows of equal extent.
    """
    return any(sum(abs(w[1] - v[1]) <= 3 and abs(w[2] - v[2]) <= 3 for w in crossing) >= 2 for v in crossing)


def _absorb_partial(group: list[tuple[float, int, int]],
                    lines: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """Add to evenly spaced grid lines the one a curve drawn along it cut short, where the spacing skips one.

    A thick curve running on a grid line hides part of it, so its visible piece ends short of the
    others and falls out of their group. A line within the group's columns at the middle (within 3 px)
    of a gap twice the usual spacing is taken back, with the group's extent.
    """
    if len(group) < 3:
        return group
    group = sorted(group)
    centres = np.array([h[0] for h in group])
    step = float(np.median(np.diff(centres)))
    start, stop = min(h[1] for h in group), max(h[2] for h in group)
    out = list(group)
    for a, b in zip(centres[:-1], centres[1:], strict=True):
        if abs((b - a) - 2 * step) > max(3.0, 0.05 * step):
            continue
        middle = [h for h in lines if abs(h[0] - (a + b) / 2) <= 3 and h[1] >= start - 4 and h[2] <= stop + 4]
        if middle:
            out.append((middle[0][0], start, stop))
    return sorted(out)


def _split_wide(lines: list[tuple[float, int, int]]) -> list[list[tuple[float, int, int]]]:
    """Split evenly spaced lines where one gap is far wider than the usual spacing."""
    if len(lines) < 4:
        return [lines]
    gaps = np.diff([h[0] for h in lines])
    step = float(np.median(gaps))
    # a whole number of spacings is grid lines hidden under a ribbon or a curve, not the gap between panels
    whole = np.abs(gaps - step * np.round(gaps / step)) <= max(3.0, 0.03 * step)
    parts, start = [], 0
    for k in np.flatnonzero((gaps > 1.8 * step + 4.0) & ~(whole & (gaps <= 4.2 * step))):
        parts.append(lines[start: k + 1])
        start = k + 1
    parts.append(lines[start:])
    return parts


def _own_start(gray: NDArray[np.uint8], line: tuple[float, int, int]) -> int:
    """First column of a grid line in its own shade: a darker tick mark or label glued to its end is not it."""
    row, start, stop = int(round(line[0])), line[1], line[2]
    profile = gray[max(row - 1, 0): row + 2, start:stop].min(axis=0).astype(np.int16)
    level = int(np.median(profile))
    paper = int(np.median(gray))
    same = np.abs(profile - level) <= max(6, (paper - level) // 2)
    run = np.flatnonzero(same[:-2] & same[1:-1] & same[2:])
    return start + int(run[0]) if run.size else start


def _left_edge(starts: list[int], verticals: list[tuple[float, int, int]]) -> int:
    """Left edge of a gridded panel from where its horizontal lines start.

    A border (a vertical line that some horizontal lines start at: minor grid lines and the frame's
    own edges have no tick or label to lengthen them) is the edge; otherwise the most common start.
    """
    starts_arr = np.asarray(starts)
    for v in sorted(verticals):
        if np.sum(np.abs(starts_arr - v[0]) <= 2) >= max(2, 0.25 * starts_arr.size):
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
    horizontals = _long_lines(mask, horizontal=True, min_len=max(20, int(0.3 * cols)), bridge=5)
    if len(horizontals) < 3:
        return None
    # Grid lines of one panel share their extent; pick the group covering the largest area. Their left
    # ends may differ: tick marks and small labels close to a major grid line lengthen it.
    groups: list[list[tuple[float, int, int]]] = []
    for line in sorted(horizontals, key=lambda h: (h[2], h[0])):
        for g in groups:
            if abs(g[0][2] - line[2]) <= 4:
                g.append(line)
                break
        else:
            groups.append([line])
    crossing = _long_lines(mask, horizontal=False, min_len=max(20, int(0.05 * rows)), bridge=5)
    groups = [_absorb_partial(g, horizontals) for g in groups]
    groups = [part for g in groups for part in _split_at_gaps(g, crossing) if len(part) >= 3]
    if not groups:
        return None
    best = max(groups, key=lambda g: (max(h[0] for h in g) - min(h[0] for h in g)) * (g[0][2] - g[0][1]))
    col1 = int(np.median([h[2] for h in best]))
    top, bottom = min(h[0] for h in best), max(h[0] for h in best)
    spanning = [v for v in crossing if v[1] <= top + 4 and v[2] >= bottom - 4]
    col0 = _left_edge([_own_start(gray, h) for h in best], spanning)
    verticals = [v for v in _long_lines(mask, horizontal=False, min_len=max(20, int(0.5 * (bottom - top))))
                 if col0 - 3 <= v[0] <= col1 + 3 and v[1] <= top + 4 and v[2] >= bottom - 4]
    row0 = int(min([top] + [v[1] for v in verticals]))
    # vertical grid lines end at the panel edge; major ones may run on into a tick mark, minor ones do not,
    # and a curve's blob may cut one short: a low quantile of their ends
    row1 = int(max(bottom + 1, np.percentile([v[2] for v in verticals], 25) if verticals else 0))
    if row1 - row0 < 0.2 * rows or col1 - col0 < 0.3 * cols:
        return None
    return row0, col0, row1, col1, row1 - 0.5, col0 - 0.5, row1, col0 - 1


def panel_from_fill(rgb: NDArray[np.uint8]) -> tuple[int, int, int, int, float, float, int, int] | None:
    """Panel bounds of a filled (ggplot2-style grey) panel: the largest area of the most common non-white colour.

    Returns None when that colour covers under a tenth of the image or reaches every image edge (tinted
    paper). The tuple is as :func:`panel_from_grid` returns it.
    """
    quant = (rgb // 8).reshape(-1, 3).astype(np.int32)
    code = quant[:, 0] * 1024 + quant[:, 1] * 32 + quant[:, 2]
    counts = np.bincount(code, minlength=32768)
    counts[31 * 1024 + 31 * 32 + 31] = 0  # white page
    fill = int(np.argmax(counts))
    if counts[fill] < 0.1 * code.size:
        return None
    rgb_fill = np.array([fill // 1024, (fill // 32) % 32, fill % 32]) * 8
    if int(np.ptp(rgb_fill)) > 40:  # a clearly coloured area is a confidence ribbon, not a panel's grey fill
        return None
    mask = (code == fill).reshape(rgb.shape[:2]).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if n < 2:
        return None
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    col0, row0, width, height = (int(v) for v in stats[k, :4])
    rows, cols = mask.shape
    if col0 <= 2 and row0 <= 2 and col0 + width >= cols - 2 and row0 + height >= rows - 2:
        return None  # reaching every edge of the image: tinted paper (a scan), not a panel
    # JPEG halos of the same grey around nearby text join the panel: keep the rows and columns it fills
    block = labels[row0: row0 + height, col0: col0 + width] == k
    if not _rectangular(block):
        return None  # a grey confidence ribbon (a staircase), not a panel's fill
    full_rows = np.flatnonzero(block.mean(axis=1) >= 0.5)
    full_cols = np.flatnonzero(block.mean(axis=0) >= 0.5)
    if full_rows.size < 2 or full_cols.size < 2:
        return None
    row0, row1 = row0 + int(full_rows[0]), row0 + int(full_rows[-1]) + 1
    col0, col1 = col0 + int(full_cols[0]), col0 + int(full_cols[-1]) + 1
    return row0, col0, row1, col1, row1 - 0.5, col0 - 0.5, row1, col0 - 1


def _rectangular(block: NDArray[np.bool_]) -> bool:
    """Whether a filled area is a rectangle: at least two of its bounding box's sides mostly run along it.

    A panel's fill reaches its box's edges along their length (a curve or legend may cut one or two); a
    grey confidence ribbon is a staircase that touches each side of its box only at a corner or a step.
    """
    band = 4
    sides = (block[:band].any(axis=0), block[-band:].any(axis=0), block[:, :band].any(axis=1),
             block[:, -band:].any(axis=1))
    return sum(float(side.mean()) >= 0.5 for side in sides) >= 2


def label_band(gray: NDArray[np.uint8], *, row: int, col0: int, col1: int) -> tuple[NDArray[np.uint8], int]:
    """The strip below ``row`` where x tick labels are printed, and its first column in ``gray``.

    It runs from ``row`` down a tenth of the image (at least 30 rows) and 5% of the panel's width beyond
    each side of columns ``col0``-``col1`` (end labels are centred on the panel's edges).
    """
    rows, cols = gray.shape
    pad = int(0.05 * (col1 - col0))
    left = max(col0 - pad, 0)
    return gray[row: min(row + max(30, int(0.1 * rows)), rows), left: min(col1 + pad, cols)], left


def label_grid_ticks(gray: NDArray[np.uint8], *, row: int, col0: int, col1: int) -> NDArray[np.float64]:
    """Columns of x tick labels printed at regular steps below ``row``, for figures drawn without tick marks.

    Excel charts and some journal redraws print the x labels (often as the header of a data table)
    with no tick mark and no vertical grid line; the labels' centres are then the ticks. The ink of
    the first text line below the axis is grouped into words and the longest run of evenly spaced
    word centres kept (at least three). Nothing is read here: the values come from the OCR later,
    which also checks that they rise in even steps.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
    row : int
        First row below the x axis.
    col0, col1 : int
        Columns of the panel; labels may reach a little beyond them.

    Returns
    -------
    ndarray of shape (n_ticks,)
        Ascending columns, empty when fewer than three evenly spaced words are found.
    """
    from reconstruct.digitize.axes import regular_ticks

    band, offset = label_band(gray, row=row, col0=col0, col1=col1)
    if band.size == 0 or int(band.max()) - int(band.min()) < 40:
        return np.empty(0)
    _, ink = cv2.threshold(band, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = [(int(y), int(x), int(y + h), int(x + w)) for x, y, w, h, area in stats[1:]
             if area >= 3 and h >= 4 and w < 0.2 * band.shape[1] and h < 0.5 * band.shape[0]]
    if len(boxes) < 3:
        return np.empty(0)
    while len(boxes) >= 3:  # text lines from the axis down; the first with evenly spaced words
        first = min(boxes)
        height = first[2] - first[0]
        line = [b for b in boxes if b[0] < first[2] and b[2] > first[0]]
        boxes = [b for b in boxes if b not in line]
        words: list[list[int]] = []
        for _, c0, _, c1 in sorted(line, key=lambda b: b[1]):  # glyphs closer than half a height: one word
            if words and c0 - words[-1][1] <= 0.5 * height:
                words[-1][1] = max(words[-1][1], c1)
            else:
                words.append([c0, c1])
        centres = np.array([(c0 + c1 - 1) / 2.0 for c0, c1 in words]) + offset
        ticks = regular_ticks(centres, tol=1.5) if centres.size >= 3 else np.empty(0)
        if ticks.size >= 3:
            return ticks
    return np.empty(0)
