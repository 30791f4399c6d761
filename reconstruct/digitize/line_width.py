"""How thick the strokes of a membership map are: the line width of a traced curve, in pixels.

:func:`line_thickness` is the most common vertical run of a map's strokes (or their width across the ridge
for a line falling in many small steps); :func:`line_half_width` is half of it, rounded up.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["line_half_width", "line_thickness"]


def line_half_width(weight: NDArray[np.float32], *, stepped: bool = False) -> int:
    """Half the typical vertical thickness (pixels) of the strokes in a membership map, at least 1.

    ``stepped`` as in :func:`line_thickness`.
    """
    return max(1, int(np.ceil(line_thickness(weight, stepped=stepped) / 2.0)))


def line_thickness(weight: NDArray[np.float32], *, stepped: bool = False) -> int:
    """Most common vertical run length (pixels) of the strokes in a membership map, at least 1.

    With ``stepped``, a thick line falling in many small steps (whose vertical runs are longer
    than its width) is measured across its ridge instead, when that is thinner.
    """
    mask = weight >= 0.5
    # Rows where vertical runs start and stop (one past their end), each list sorted, paired in order: the
    # run lengths of a line whose runs share their rows. Columns are laid end to end, each closed by a
    # background pixel, so one pass over the flat array finds every edge.
    n_rows = mask.shape[0] + 1
    cols = np.zeros((mask.shape[1], n_rows), bool)
    cols[:, :-1] = mask.T
    edges = np.flatnonzero(np.diff(cols.reshape(-1), prepend=False)) % n_rows
    col_runs = np.sort(edges[1::2]) - np.sort(edges[0::2])
    if col_runs.size == 0:
        return 1
    mode = max(1, int(np.argmax(np.bincount(col_runs))))  # the mode: drops and glyphs make longer runs
    if not stepped:
        return mode
    # a thick line falling in many small steps has longer vertical runs than flat ones; the
    # distance to the nearest background at the stroke's ridge is about half its width anyway
    # (closed first: JPEG noise leaves holes in strokes)
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    dist = cv2.distanceTransform(closed, cv2.DIST_L2, 3)
    ridge = (dist > 0) & (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8)))
    return min(mode, max(1, int(round(2.0 * float(np.median(dist[ridge]))))))
