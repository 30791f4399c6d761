"""The plot panel and its ticks from the tick labels themselves, for figures whose axes are hard to see.

ggplot2's ``theme_minimal`` draws no axis line and only faint grid lines; in a small JPEG the grid is
lost in the compression and the tick marks are a pixel long. What is still there is the text: the y
tick labels are a column of right-aligned words at even vertical steps, the x tick labels a row of words
at even horizontal steps just below the column's last word. :func:`label_column_ticks` takes y ticks
from such a column beside a known axis; :func:`panel_from_labels` finds the panel from the pair of them,
its far edges from where the (faint) grid lines at the labels' ticks end. Nothing is read here: the
values come from the OCR later, which must read them (ticks placed by labels are never assumed 0 to 1).
Pixels are ``(row, col)``, origin top-left.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["fill_from_labels", "gapped", "label_column_ticks", "label_row_ticks", "panel_from_labels", "snap_to_grid"]

_MIN_LABELS = 3
_GAP = 5  # pixels between a label and the panel edge put next to it (the tick search reaches 2)
_TICK_GLUE = 3.5  # px a y tick mark joined to a label's last glyph adds to its right end
_MAX_GLYPHS = 3000  # more specks than that is noise, not a chart's text (and the pairwise joins grow as n^2)


def _glyph_boxes(gray: NDArray[np.uint8], *, max_height: int) -> NDArray[np.int64]:
    """Boxes ``(row0, col0, row1, col1)`` of dark connected components the size of a glyph (OpenCV)."""
    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 40:  # flat: Otsu would split noise
        return np.zeros((0, 4), np.int64)
    paper = int(np.median(gray))
    _, otsu = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = (otsu.astype(bool) & (gray < paper - 40)).astype(np.uint8)  # faint ribbons and grid lines are no ink
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w, h, area = (stats[1:, k] for k in range(5))
    keep = (area >= 2) & (h <= max_height) & (w <= 2 * max_height)
    return np.stack([y, x, y + h, x + w], axis=1)[keep].astype(np.int64)


def _words(glyphs: NDArray[np.int64]) -> NDArray[np.int64]:
    """Glyphs joined into words: overlapping rows and a gap under 0.6 of the taller glyph's height.

    Pieces of one glyph of tiny text, one above the other, are joined into the glyph first, so that
    its height is the text's; then dashes (y tick marks) are left out.
    """
    glyphs = _joined(glyphs, lambda overlap, gap, height: (gap <= 0) & (overlap >= -1))
    height, width = glyphs[:, 2] - glyphs[:, 0], glyphs[:, 3] - glyphs[:, 1]
    # y tick marks (two or three rows where anti-aliased) join some labels, not others
    glyphs = glyphs[~((height <= 3) & (width > height))]
    # letters of a rotated axis title, stacked into one tall column, are no label (and would join the labels
    # beside them, their gap measured against the column's height)
    height = glyphs[:, 2] - glyphs[:, 0]
    glyphs = glyphs[height <= 3 * max(float(np.median(height)), 1.0)] if len(glyphs) else glyphs
    # a decimal point overlaps its digits' rows only in part: any overlap joins it
    return _joined(glyphs, lambda overlap, gap, height: (overlap > 0) & (gap <= 0.6 * height))


def _joined(boxes: NDArray[np.int64], rule) -> NDArray[np.int64]:
    """Boxes merged where ``rule(row overlap, column gap, taller height)`` holds, transitively."""
    if len(boxes) == 0:
        return boxes
    r0, c0, r1, c1 = (boxes[:, k][:, None] for k in range(4))
    height = np.maximum(r1 - r0, (r1 - r0).T)
    overlap = np.minimum(r1, r1.T) - np.maximum(r0, r0.T)
    gap = np.maximum(c0, c0.T) - np.minimum(c1, c1.T)
    n_groups, labels = _components(rule(overlap, gap, height))
    merged = [[boxes[labels == k, 0].min(), boxes[labels == k, 1].min(),
               boxes[labels == k, 2].max(), boxes[labels == k, 3].max()] for k in range(n_groups)]
    return np.array(merged, dtype=np.int64).reshape(-1, 4)


def _components(adjacent: NDArray[np.bool_]) -> tuple[int, NDArray[np.int64]]:
    from scipy.sparse.csgraph import connected_components

    count, labels = connected_components(adjacent, directed=False)
    return int(count), labels.astype(np.int64)


def _aligned_runs(words: NDArray[np.int64], *, key: NDArray[np.float64], along: NDArray[np.float64],
                  tol: float) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """Groups of words sharing ``key`` (within ``tol``) whose ``along`` positions step evenly (3 or more).

    Returns ``(word indices, evenly spaced positions)`` per group, the positions ascending.
    """
    from reconstruct.digitize.axes import regular_ticks

    out = []
    order = np.argsort(key, kind="stable")
    for members in np.split(order, np.flatnonzero(np.diff(key[order]) > tol) + 1):  # single linkage along key
        if members.size < _MIN_LABELS:
            continue
        chain = regular_ticks(along[members], tol=1.5)
        if chain.size >= _MIN_LABELS:
            held = np.array([members[np.argmin(np.abs(along[members] - p))] for p in chain])
            out.append((held, chain))
    return out


def snap_to_grid(gray: NDArray[np.uint8], ticks: NDArray[np.float64], *, bounds: tuple[int, int, int, int],
                 axis: str) -> NDArray[np.float64]:
    """Ticks placed by label centres moved onto the faint grid line within 3 px of each, where there is one.

    A label's centre lies a pixel or two off its tick (glyph boxes, JPEG halos). The panel's median
    across the other direction keeps a grid line however faint and drops the curves crossing it; a
    tick is moved to the centre of a dip darker than the profile 3 px either side.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
    ticks : ndarray
        Rows (``axis="y"``) or columns (``axis="x"``).
    bounds : (row0, col0, row1, col1)
        The panel.
    axis : {"x", "y"}
    """
    row0, col0, row1, col1 = bounds
    inner = gray[row0:row1, col0:col1].astype(np.float32)
    if inner.size == 0:
        return ticks
    profile, offset = (np.median(inner, axis=1), row0) if axis == "y" else (np.median(inner, axis=0), col0)
    out = np.asarray(ticks, dtype=float).copy()
    for k, tick in enumerate(out):
        centre = int(round(tick)) - offset
        if centre - 6 < 0 or centre + 7 > profile.size:
            continue
        near = np.arange(centre - 3, centre + 4)
        depth = np.minimum(profile[near - 3], profile[near + 3]) - profile[near]
        best = int(np.argmax(depth))
        if depth[best] < 1.5:
            continue
        around = np.clip(depth[max(best - 1, 0): best + 2], 0, None)
        out[k] = float(np.average(near[max(best - 1, 0): best + 2], weights=around)) + offset
    return out


def gapped(ticks: NDArray[np.float64], width: float | None = None) -> bool:
    """True for a chain of three ticks or fewer, one that bridged a missing tick, or one spanning less than
    half the panel's ``width`` (pixels; the ticks at one end faded on a scan)."""
    if ticks.size <= 3:
        return True
    steps = np.diff(ticks)
    short = width is not None and float(ticks[-1] - ticks[0]) < 0.5 * width
    return bool(np.max(steps) > 1.5 * np.min(steps)) or short


def fill_from_labels(ticks: NDArray[np.float64], labels: NDArray[np.float64]) -> NDArray[np.float64]:
    """Tick marks completed by evenly spaced label centres, when the labels hold every tick mark.

    The labels' chain is taken only when it is longer and each tick mark lies within 2 px of one of
    its positions once their common offset is taken out (label centres of a scan sit a pixel or two
    beside their marks; at most 3 px or a tenth of a step), or when it has four labels or more against
    two marks; the tick marks it holds keep their own (more precise) positions, the other labels move by
    the offset.
    """
    if labels.size <= ticks.size:
        return ticks
    out = np.asarray(labels, dtype=float).copy()
    signed = out[:, None] - ticks[None, :]
    dist = np.abs(signed)
    nearest = signed[np.argmin(dist, axis=0), np.arange(ticks.size)] if ticks.size else np.zeros(0)
    offset = float(np.median(nearest)) if ticks.size >= 3 else 0.0
    step = float(np.median(np.diff(out))) if out.size > 1 else 0.0
    if abs(offset) > max(3.0, 0.1 * step):
        offset = 0.0
    held = np.abs(nearest - offset) <= 2.0 if ticks.size else np.zeros(0, bool)
    if not held.all() and not (ticks.size <= 2 and labels.size >= 4):
        return ticks
    # two strokes always make an even "chain" (a frame's edge, a curve's drop): four labels outvote them
    out = out - offset
    out[np.argmin(dist[:, held], axis=0)] = ticks[held]
    return out


def label_row_ticks(gray: NDArray[np.uint8], *, row: int, col0: int, col1: int) -> NDArray[np.float64]:
    """Columns of x tick labels printed at even steps below ``row`` (the first text line that has them).

    Like :func:`reconstruct.digitize.panel_grid.label_grid_ticks`, in the same strip
    (:func:`~reconstruct.digitize.panel_grid.label_band`), with the glyphs of tiny text that break apart
    joined first.
    """
    from reconstruct.digitize.panel_grid import label_band

    band, left = label_band(gray, row=row, col0=col0, col1=col1)
    words = _words(_glyph_boxes(band, max_height=max(12, int(0.08 * gray.shape[0]))))
    if len(words) < _MIN_LABELS:
        return np.empty(0)
    centres = (words[:, 0] + words[:, 2] - 1) / 2.0
    runs = _aligned_runs(words, key=centres, along=(words[:, 1] + words[:, 3] - 1) / 2.0, tol=2.0)
    if not runs:
        return np.empty(0)
    held, chain = min(runs, key=lambda run: (int(words[run[0], 0].min()), -run[1].size))  # nearest the axis
    return chain + left


def label_column_ticks(gray: NDArray[np.uint8], *, col: int, row0: int, row1: int) -> NDArray[np.float64]:
    """Rows of y tick labels printed at even steps left of column ``col``, for axes without visible tick marks.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
    col : int
        First column left of the y axis (the labels end before it).
    row0, row1 : int
        Rows of the panel; the end labels may reach a little beyond them.

    Returns
    -------
    ndarray of shape (n_ticks,)
        Ascending rows (the labels' vertical centres), empty unless three or more right-aligned
        labels step evenly.
    """
    rows, cols = gray.shape
    pad = max(8, int(0.05 * (row1 - row0)))
    top, left = max(row0 - pad, 0), max(col - max(40, int(0.2 * cols)), 0)
    band = gray[top: min(row1 + pad, rows), left: max(col, 0)]
    glyphs = _glyph_boxes(band, max_height=max(12, int(0.08 * rows)))
    words = _words(glyphs)
    if len(words) < _MIN_LABELS:
        return np.empty(0)
    centres = (words[:, 0] + words[:, 2] - 1) / 2.0
    runs = _aligned_runs(words, key=words[:, 3].astype(float), along=centres, tol=2.0)
    if not runs:
        return np.empty(0)
    # the labels nearest the axis (an axis title or a table's names stand further out), then the most of them
    held, chain = max(runs, key=lambda run: (int(words[run[0], 3].max()), run[1].size))
    return chain + top


def panel_from_labels(gray: NDArray[np.uint8]) -> tuple[int, int, int, int, float, float, int, int] | None:
    """Panel bounds from a column of y tick labels and the row of x tick labels just below it.

    Returns None unless both are found (three or more evenly spaced words each). The near edges
    are just inside the labels; the far edges are where the faint grid lines through the label
    positions end, else 4% of the labelled span beyond the last label. The tuple is as
    :func:`reconstruct.digitize.panel_grid.panel_from_grid` returns it.
    """
    rows, cols = gray.shape
    glyphs = _glyph_boxes(gray, max_height=max(12, int(0.05 * max(rows, cols))))
    if not 2 * _MIN_LABELS <= len(glyphs) <= _MAX_GLYPHS:
        return None
    words = _words(glyphs)
    # right-aligned within 2 px; else within 3.5 px: a y tick mark glued to some labels, not others, lengthens
    # them by its 2-3 px (theme_minimal at 300 px), tried only when no column lines up more tightly
    for tol in (2.0, _TICK_GLUE):
        best = _label_pair(words, tol)
        if best is not None:
            break
    if best is None:
        return None
    y_chain, x_chain, col0, row1 = best
    return _bounds(gray, y_chain, x_chain, col0, row1)


def _label_pair(words: NDArray[np.int64], tol: float):
    """The column of y labels (right ends within ``tol``) and the row of x labels under it that hold the most
    labels, as ``(y_chain, x_chain, col0, row1)``, or None."""
    heights = words[:, 2] - words[:, 0]
    v_centres = (words[:, 0] + words[:, 2] - 1) / 2.0
    h_centres = (words[:, 1] + words[:, 3] - 1) / 2.0
    columns = _aligned_runs(words, key=words[:, 3].astype(float), along=v_centres, tol=tol)
    lines = _aligned_runs(words, key=v_centres, along=h_centres, tol=2.0)
    best, best_key = None, (0, 0.0)
    for y_held, y_chain in columns:
        right = int(words[y_held, 3].max())
        bottom = int(words[y_held, 2].max())
        span = float(y_chain[-1] - y_chain[0])
        height = float(np.median(heights[y_held]))
        for x_held, x_chain in lines:
            top = int(words[x_held, 0].min())
            # the x labels: right of the y labels, below the lowest one and close to it
            if int(words[x_held, 1].min()) <= right or not 0 <= top - bottom <= max(4.0 * height, 0.25 * span):
                continue
            key = (y_chain.size + x_chain.size, -float(top - bottom))
            if key > best_key:
                # x tick marks found as a row of thin words start at the panel's edge; labels keep a gap wider
                # than the tick search's reach, so that no stroke of a glyph is taken for a tick
                x_marks = float(np.median(words[x_held, 3] - words[x_held, 1])) <= 3
                best, best_key = (y_chain, x_chain, right + _GAP, top - (0 if x_marks else _GAP)), key
    return best


def _bounds(gray, y_chain, x_chain, col0, row1):
    """Panel bounds around the label-found ticks, the far edges from the grid lines through them."""
    rows, cols = gray.shape
    y_span, x_span = float(y_chain[-1] - y_chain[0]), float(x_chain[-1] - x_chain[0])
    far_col = _grid_end(gray, y_chain, start=float(x_chain[-1]))
    far_row = _grid_end(gray.T, x_chain, start=float(y_chain[0]), backwards=True)  # vertical lines
    col1 = int(far_col) if far_col is not None else int(x_chain[-1] + 0.04 * x_span) + 1
    row0 = int(far_row) if far_row is not None else int(y_chain[0] - 0.04 * y_span)
    row0, col1 = max(row0, 0), min(col1, cols)
    if row1 - row0 < 0.15 * rows or col1 - col0 < 0.2 * cols:
        return None
    return row0, col0, row1, col1, row1 - 0.5, col0 - 0.5, row1, col0 - 1


def _grid_end(gray, positions, *, start: float, backwards: bool = False) -> float | None:
    """Where faint grid lines along the rows ``positions`` end beyond ``start`` (or before it, ``backwards``).

    Each row is compared with the rows four pixels either side: a grid line is darker than both. The
    difference is averaged over the rows and a few pixels along them, so that a line fainter than the
    JPEG noise of one pixel still shows. Returns None when no line runs through ``start``.
    """
    img = gray.astype(np.float32)
    n_rows, n_cols = img.shape
    profiles = []
    for pos in positions:
        r = int(round(pos))
        if r - 4 < 0 or r + 5 > n_rows:
            continue
        line = img[r - 1: r + 2].min(axis=0)
        around = np.minimum(img[r - 4], img[r + 4])
        profiles.append(around - line)
    if len(profiles) < 2:
        return None
    profile = np.median(np.array(profiles), axis=0)
    smooth = np.convolve(profile, np.ones(9) / 9.0, mode="same")
    on = smooth > 1.0
    c = int(round(start))
    if not 0 <= c < n_cols or not on[max(c - 4, 0): c + 5].any():
        return None
    step = -1 if backwards else 1
    while 0 <= c + step < n_cols and on[c + step]:
        c += step
    return float(c + (0 if backwards else 1))
