"""Legend labels printed outside the plot panel (ggplot2/survminer legends on top or on the right).

A legend key is a short horizontal stroke in the arm's colour (often with the censor glyph drawn over
it) with the label just right of it. For every arm without a label, the widest such stroke of its
colour above the bottom of the panel and outside it is taken as its key and the text beside it is read.
The keys' positions also give the legend order (top to bottom, then left to right).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize._channels import channel_norm, minus_colour
from reconstruct.digitize.legend import read_label

__all__ = ["legend_keys_outside"]

_COLOUR_DISTANCE = 60.0  # RGB distance within which a pixel belongs to an arm's colour
_MIN_CHROMA = 40.0       # keys of grey arms cannot be told apart by colour


def _key(mask: NDArray[np.uint8], panel: tuple[int, int, int, int]) -> tuple[int, int, int] | None:
    """(row, col0, col1) of the widest stroke of ``mask`` outside the panel and above its bottom."""
    row0, col0, row1, col1 = panel
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    best = None
    for k in range(1, n):
        c, r, w, h = (int(v) for v in stats[k, :4])
        inside = r + h > row0 - 1 and r < row1 + 1 and c + w > col0 - 1 and c < col1 + 1
        if inside or r > row1 or w < 6 or w > 0.2 * mask.shape[1] or h > max(6, 1.2 * w):
            continue
        if best is None or w > best[2] - best[1]:
            best = (int(round(centroids[k][1])), c, c + w)
    return best


def legend_keys_outside(
    rgb: NDArray[np.uint8], panel: tuple[int, int, int, int], colours: Sequence[tuple[int, int, int] | None]
) -> list[tuple[str | None, tuple[int, int] | None]]:
    """Label and key position ``(row, col)`` of each arm's legend key outside the panel.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
        The figure.
    panel : (row0, col0, row1, col1)
        Plot panel in pixels.
    colours : sequence of (r, g, b) or None
        Curve colour of every arm.

    Returns
    -------
    list of (str or None, (int, int) or None)
        Per arm, in the order of ``colours``; ``(None, None)`` when no key of its colour is found,
        when the colour is grey, or when two arms share a key.
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    pixels = rgb.astype(np.float32)
    keys: list[tuple[int, int, int] | None] = []
    known = [np.asarray(c, np.float32) for c in colours if c is not None]
    for colour in colours:
        if colour is None:
            keys.append(None)
            continue
        c = np.asarray(colour, np.float32)
        others = [float(np.linalg.norm(c - o)) for o in known if float(np.linalg.norm(c - o)) > 0]
        radius = min([_COLOUR_DISTANCE] + [0.45 * d for d in others])
        # grey keys are not used: anti-aliased edges of a dark key look like a lighter grey arm's key
        if float(np.ptp(c)) < _MIN_CHROMA:
            keys.append(None)
            continue
        mask = (channel_norm(minus_colour(pixels, c)) < radius).astype(np.uint8)
        keys.append(_key(mask, panel))
    found = [k for k in keys if k is not None]
    if len({(k[0], k[1]) for k in found}) < len(found):  # one key claimed by two arms: trust none
        return [(None, None)] * len(colours)
    out: list[tuple[str | None, tuple[int, int] | None]] = []
    for key in keys:
        if key is None:
            out.append((None, None))
            continue
        row, k0, k1 = key
        # a label ends where the next key on the same line starts (legends laid out in a row)
        room = [o[1] - k1 - 4 for o in found if abs(o[0] - row) <= 4 and o[1] > k1]
        max_cols = min([int(0.35 * rgb.shape[1])] + room)
        # a crop no taller than two thirds of the spacing to the next key above or below: a crop over three
        # lines of a tight legend lets the OCR miss the middle line or mix the lines' words
        text_px = max(8, (k1 - k0) // 2 + 4)
        gaps = [abs(o[0] - row) for o in found if o[0] != row and abs(o[1] - k0) <= 4]
        if gaps:
            text_px = min(text_px, max(5, 2 * min(gaps) // 3))
        label = read_label(gray, row, k1, max_cols=max_cols, text_px=text_px) if max_cols > 8 else None
        if label:  # the next key's stroke, when not found as a key, is read as a dash or an arrow
            label = re.split(r"\s+(?:[^\w\s()+.,%/]+|[-\u2013\u2014]+)\s+", label)[0].strip() or None
        out.append((label, (row, k0)))
    return out
