"""Colours and grey levels of at-risk row keys, and grey levels of curves, for matching rows to arms.

A figure printed in greys (or converted to grey) tells its arms apart by lightness only: a dark and
a light curve, and row labels (text, a filled key box, a line) in the same two shades. Hue-based
matching sees nothing there. Both sides are measured as the *core* of their ink (a low percentile
of the pixels darker than the paper), which anti-aliasing and JPEG lighten less than a mean does.
Pixels are ``(row, col)``, origin top-left.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["glyph_colour", "key_colour", "key_shade", "curve_shades", "figure_curve_shades", "rows_per_column",
           "lone_columns"]

_MIN_SATURATION = 60  # HSV saturation (0-255) above which a label pixel counts as coloured
_MIN_COLOURED_PX = 6
_INK = 160            # grey level below which a pixel of printed words is ink
_KEY_INK = 200        # ... of a row's label area: a grey key or box filled in grey is ink too (Excel's label boxes)
_INK_STEP = 40  # grey levels below the paper at which a pixel counts as ink
_CORE_PERCENTILE = 10.0
_MIN_INK_PX = 12


def _paper(gray: NDArray[np.uint8]) -> float:
    return float(np.median(gray))


def key_shade(gray: NDArray[np.uint8], row0: int, row1: int, col1: int) -> float | None:
    """Core grey level of a row's label area (text, key box or line) left of column ``col1``.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The whole figure.
    row0, row1 : int
        Rows of the printed row (``row1`` exclusive); only their middle half is used, since key boxes
        of neighbouring rows may touch.
    col1 : int
        First column of the row's numbers; the label lies left of it.

    Returns
    -------
    float or None
        None when the area holds too little ink (a row without a label).
    """
    quarter = (row1 - row0) // 4
    patch = gray[max(row0 + quarter, 0): max(row1 - quarter, row0 + quarter + 1), : max(col1 - 2, 0)]
    ink = patch[patch < _paper(gray) - _INK_STEP]
    if ink.size < _MIN_INK_PX:
        return None
    return float(np.percentile(ink, _CORE_PERCENTILE))


def key_colour(rgb: NDArray[np.uint8] | None, row0: int, row1: int, first_col: int) -> tuple[int, int, int] | None:
    """Median RGB of saturated pixels in the label area of a row (text, line or marker), left of ``first_col``.

    None without RGB, or when colour does not dominate the ink (black text with coloured fringes; a label box
    filled in light grey under a sliver of the coloured box above it: dev 8081 excel_008 read its grey "Arm C" row
    in the orange of "Arm B" above).
    """
    if rgb is None:
        return None
    r0, r1 = max(row0 - 2, 0), row1 + 2
    c1 = max(first_col - 2, 0)
    return _dominant_colour(rgb[r0:r1, :c1].reshape(-1, 1, 3), ink_below=_KEY_INK)


def glyph_colour(rgb: NDArray[np.uint8] | None,
                 boxes: Sequence[tuple[int, int, int, int]]) -> tuple[int, int, int] | None:
    """Median RGB of the saturated pixels of some printed words, when colour dominates their ink.

    SAS prints each arm's numbers at risk in the arm's colour, without a label or key: the colour of
    the digits themselves says which curve a row belongs to.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8, or None
        The whole figure.
    boxes : sequence of (row0, col0, row1, col1)
        The words' boxes (exclusive ends).

    Returns
    -------
    tuple of int or None
        None without RGB, without boxes, or when the ink is black or grey.
    """
    if rgb is None or not boxes:
        return None
    pixels = [rgb[max(r0, 0):r1, max(c0, 0):c1].reshape(-1, 3) for r0, c0, r1, c1 in boxes]
    return _dominant_colour(np.concatenate(pixels).reshape(-1, 1, 3))


def _dominant_colour(patch: NDArray[np.uint8], ink_below: int = _INK) -> tuple[int, int, int] | None:
    """Median RGB of the saturated pixels of a patch, or None when colour does not dominate its ink (coloured pixels
    and those darker than ``ink_below``)."""
    import cv2

    if patch.size == 0:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2HSV)
    coloured = (hsv[..., 1] >= _MIN_SATURATION) & (hsv[..., 2] >= 40)
    ink = coloured | (cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2GRAY) < ink_below)
    # Sub-pixel text rendering leaves coloured fringes on black text: require colour to dominate the ink.
    if int(coloured.sum()) < max(_MIN_COLOURED_PX, 0.25 * int(ink.sum())):
        return None
    colour = np.median(patch[coloured], axis=0).astype(np.uint8)
    if int(cv2.cvtColor(colour.reshape(1, 1, 3), cv2.COLOR_RGB2HSV)[0, 0, 1]) < _MIN_SATURATION:
        return None
    return int(colour[0]), int(colour[1]), int(colour[2])


def rows_per_column(paths: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
                    cols: NDArray[np.int64]) -> NDArray[np.float64]:
    """Each path's row at each of ``cols``: shape ``(len(paths), len(cols))``, NaN outside the path's columns.

    A path is a step function given at its corners ``(cols, rows)`` (columns ascending; the row holds from one
    corner to the next).
    """
    out = np.full((len(paths), cols.size), np.nan)
    for k, (c, r) in enumerate(paths):
        c, r = np.asarray(c, float), np.asarray(r, float)
        if c.size == 0:
            continue
        idx = np.searchsorted(c, cols, side="right") - 1
        on = (idx >= 0) & (cols <= c[-1])
        out[k] = np.where(on, r[np.clip(idx, 0, None)], np.nan)
    return out


def lone_columns(rows: NDArray[np.float64], k: int, apart: float) -> NDArray[np.int64]:
    """Indices of the columns of ``rows`` (from :func:`rows_per_column`) where path ``k`` runs level, with no other
    path within ``apart`` pixels: where its line's own grey can be measured.

    A column at a step's rise holds the vertical stroke, not the flat line: both sides of it are left out.
    """
    own = rows[k]
    others = np.delete(rows, k, axis=0)
    with np.errstate(invalid="ignore"):
        near = np.any(np.abs(others - own) < apart, axis=0) if others.size else np.zeros(own.size, bool)
        steady = np.concatenate(([False], own[1:] == own[:-1])) & np.concatenate((own[:-1] == own[1:], [False]))
    return np.flatnonzero(np.isfinite(own) & ~near & steady)


def curve_shades(gray: NDArray[np.uint8], paths: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
                 *, col_range: tuple[int, int], reach: int = 3, apart: float = 8.0) -> list[float | None]:
    """Core grey level of each curve, from the columns where no other curve runs near it.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
    paths : sequence of (cols, rows)
        Each curve's pixel path: a step function given at its corners (columns ascending; the row
        holds from one corner to the next).
    col_range : (int, int)
        Columns of the panel (``col1`` exclusive).
    reach : int, default 3
        Rows either side of the path searched for the line's core.
    apart : float, default 8.0
        Pixels another curve must keep away for a column to count.

    Returns
    -------
    list of float or None
        None for a curve with fewer than 10 usable columns.
    """
    cols = np.arange(*col_range)
    rows_arr = rows_per_column(paths, cols)
    out: list[float | None] = []
    for k in range(len(paths)):
        own = rows_arr[k]
        usable = lone_columns(rows_arr, k, apart)
        if usable.size < 10:
            out.append(None)
            continue
        centre = np.round(own[usable]).astype(int)
        lo = np.clip(centre - reach, 0, gray.shape[0] - 1)
        window = np.stack([gray[np.clip(lo + d, 0, gray.shape[0] - 1), cols[usable]] for d in range(2 * reach + 1)])
        out.append(float(np.median(window.min(axis=0))))
    return out


def figure_curve_shades(rgb: NDArray[np.uint8], figure) -> list[float | None]:
    """:func:`curve_shades` of a digitized figure's arms in the image ``rgb`` it was read from."""
    import cv2

    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    x_px, y_px = figure.x_calibration.to_px, figure.y_calibration.to_px
    paths = [(x_px(np.asarray(a.time, float)), y_px(np.asarray(a.survival, float))) for a in figure.arms]
    return curve_shades(gray, paths, col_range=(figure.panel[1], figure.panel[3]))
