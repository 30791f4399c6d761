"""Legend labels printed outside the plot panel (ggplot2/survminer legends on top or on the right).

A legend key is a short horizontal stroke in the arm's colour (often with the censor glyph drawn over
it) with the label just right of it. For every arm without a label, the widest such stroke of its
colour above the bottom of the panel and outside it is taken as its key and the text beside it is read.
The keys' positions also give the legend order (top to bottom, then left to right).

Keys of grey and black curves (a black and a grey arm in Prism) cannot be picked by colour: the
anti-aliased edge of a black key has the grey of a lighter arm. Given the curves' core grey levels,
such a key is found among the strokes of ink instead, by the core (darkest pixel per column, median
over columns) of each whole stroke, which its edges do not lighten.
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
_INK_STEP = 40           # grey levels below the paper at which a pixel is ink (as arm_shades)
_GREY_TOLERANCE = 30.0   # largest gap between a grey key's core and its curve's core grey level
_MIN_GREY_KEY_PX = 12    # a grey key is at least this wide (a tick mark is shorter)
_RIVAL_KEY_SHARE = 0.6   # a second stroke of a curve's grey this wide (of the widest) makes its key unknown
_MIN_SHADE_GAP = 10.0    # curves closer in grey than this are not told apart by their keys' grey (JPEG noise)
_CAP_PX = 2              # end columns of a key stroke that anti-aliasing may lighten


def _key(mask: NDArray[np.uint8], panel: tuple[int, int, int, int]) -> tuple[int, int, int] | None:
    """(row, col0, col1) of the widest stroke of ``mask`` outside the panel (below it, a bar)."""
    row0, col0, row1, col1 = panel
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    best = None
    for k in range(1, n):
        c, r, w, h = (int(v) for v in stats[k, :4])
        inside = r + h > row0 - 1 and r < row1 + 1 and c + w > col0 - 1 and c < col1 + 1
        if inside or w < 6 or w > 0.2 * mask.shape[1] or h > max(6, 1.2 * w):
            continue
        # below the panel (Stata's and SAS's legends under the table) only a bar is a key: the table's
        # coloured row labels and numbers are letters and digits
        if r > row1 and (w < 12 or not _is_bar(labels[r:r + h, c:c + w] == k)):
            continue
        if best is None or w > best[2] - best[1]:
            best = (int(round(centroids[k][1])), c, c + w)
    return best


def _is_bar(own: NDArray[np.bool_]) -> bool:
    """A key's stroke: straight top and bottom edges over 70% of its columns, thinner than a third of its width.

    Words (blurred into one blob) have ragged edges (ascenders, descenders, gaps between letters).
    """
    h, w = own.shape
    filled = own.any(axis=0)
    if filled.mean() < 0.9:
        return False
    top = np.argmax(own, axis=0)[filled]
    bottom = (h - 1 - np.argmax(own[::-1], axis=0))[filled]
    straight = (np.abs(top - np.median(top)) <= 1) & (np.abs(bottom - np.median(bottom)) <= 1)
    return bool(straight.mean() >= 0.7 and np.median(bottom - top + 1) <= w / 3)


def _trim_caps(cols: NDArray[np.float64]) -> NDArray[np.float64]:
    """The darkest level of each column of a stroke without its caps: up to ``_CAP_PX`` end columns on each side
    lighter than the stroke's median by more than 20 levels (a short key's anti-aliased ends in a JPEG)."""
    mid = float(np.median(cols))
    lo, hi = 0, cols.size
    while lo < _CAP_PX and cols[lo] > mid + 20:
        lo += 1
    while cols.size - hi < _CAP_PX and cols[hi - 1] > mid + 20:
        hi -= 1
    return cols[lo:hi]


def _grey_keys(rgb: NDArray[np.uint8], gray: NDArray[np.uint8], panel: tuple[int, int, int, int],
               shades: Sequence[float | None],
               colours: Sequence[tuple[int, int, int] | None] | None = None) -> list[tuple[int, int, int] | None]:
    """``(row, col0, col1)`` of the key of each grey curve of core grey level ``shades[k]`` (None to skip).

    Keys are grey strokes of ink (horizontal bars of even darkness, not left of the panel, where the y ticks are) whose
    core is within ``_GREY_TOLERANCE`` of the curve's and nearer it than half the gap to any other
    curve's level, and, given the curves' ``colours``, nearer this curve's colour than any other's (a
    coloured arm's thin key may read as grey in a JPEG: sas_017's blue key named its brown curve); the
    widest such stroke is the key, unless another is nearly as wide. A curve within ``_MIN_SHADE_GAP``
    of another's level gets none.
    """
    row0, col0, row1, col1 = panel
    ink = (gray < float(np.median(gray)) - _INK_STEP).astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    strokes = []
    for k in range(1, n):
        c, r, w, h = (int(v) for v in stats[k, :4])
        inside = r + h > row0 - 1 and r < row1 + 1 and c + w > col0 - 1 and c < col1 + 1
        # below the panel too: Stata's and SAS's legends sit under the table (a row's key there reads no words)
        if (inside or c + w <= col0 or w < _MIN_GREY_KEY_PX or w > 0.2 * gray.shape[1]
                or h > 0.5 * w):
            continue
        own = labels[r:r + h, c:c + w] == k
        if not _is_bar(own):
            continue
        if float(np.ptp(np.median(rgb[r:r + h, c:c + w][own], axis=0))) >= _MIN_CHROMA:
            continue  # a coloured arm's key
        cols = _trim_caps(np.where(own, gray[r:r + h, c:c + w], 255).min(axis=0).astype(float))
        if np.mean(np.abs(cols - np.median(cols)) <= 20) < 0.85:
            continue  # a word blurred into one blob: its letters' stems are darker than the gaps between them
        core = own & (gray[r:r + h, c:c + w] <= np.median(cols) + 10)  # the stroke's core, not its blurred rim
        strokes.append((float(np.median(cols)), (int(round(centroids[k][1])), c, c + w),
                        np.median(rgb[r:r + h, c:c + w][core], axis=0).astype(np.float32)))
    known = [float(v) for v in shades if v is not None]
    keys: list[tuple[int, int, int] | None] = []
    for shade in shades:
        if shade is None:
            keys.append(None)
            continue
        gaps = [abs(shade - o) for o in known if o != shade]
        if len(known) - len(gaps) > 1 or min(gaps, default=np.inf) < _MIN_SHADE_GAP:
            keys.append(None)  # another curve of (nearly) its grey: a key's core cannot say whose it is
            continue
        tol = min([_GREY_TOLERANCE] + [0.5 * g for g in gaps])
        near = [key for core, key, key_rgb in strokes if abs(core - shade) <= tol and _nearest(key_rgb, colours) in
                (None, len(keys))]
        widths = sorted((key[2] - key[1] for key in near), reverse=True)
        if len(widths) > 1 and widths[1] >= _RIVAL_KEY_SHARE * widths[0]:
            keys.append(None)  # two keys of its grey, about as wide: which is its own, its grey cannot say
            continue
        keys.append(max(near, key=lambda key: key[2] - key[1]) if near else None)
    return keys


def _nearest(rgb: NDArray[np.float32], colours: Sequence[tuple[int, int, int] | None] | None) -> int | None:
    """Index of the curve colour nearest ``rgb`` (None without colours)."""
    if not colours or any(c is None for c in colours):
        return None
    return int(np.argmin([float(np.linalg.norm(rgb - np.asarray(c, np.float32))) for c in colours]))


def legend_keys_outside(
    rgb: NDArray[np.uint8], panel: tuple[int, int, int, int], colours: Sequence[tuple[int, int, int] | None],
    shades: Sequence[float | None] | None = None,
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
    shades : sequence of float or None, optional
        Core grey level of every curve (:func:`reconstruct.digitize.arm_shades.curve_shades`): the
        key of a grey curve is then looked for by its grey level.

    Returns
    -------
    list of (str or None, (int, int) or None)
        Per arm, in the order of ``colours``; ``(None, None)`` when no key of its colour is found,
        when the colour is grey (and its shade unknown), or when two arms share a key. The position
        is None for a key below the panel, whose place is no legend order.
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    pixels = rgb.astype(np.float32)
    keys: list[tuple[int, int, int] | None] = []
    known = [np.asarray(c, np.float32) for c in colours if c is not None]
    grey = [shades[k] if shades is not None and c is not None and float(np.ptp(c)) < _MIN_CHROMA else None
            for k, c in enumerate(colours)]
    by_shade = (_grey_keys(rgb, gray, panel, grey, colours) if any(v is not None for v in grey)
                else [None] * len(colours))
    for colour, shade_key in zip(colours, by_shade, strict=True):
        if colour is None:
            keys.append(None)
            continue
        c = np.asarray(colour, np.float32)
        others = [float(np.linalg.norm(c - o)) for o in known if float(np.linalg.norm(c - o)) > 0]
        radius = min([_COLOUR_DISTANCE] + [0.45 * d for d in others])
        # grey keys are not used: anti-aliased edges of a dark key look like a lighter grey arm's key
        if float(np.ptp(c)) < _MIN_CHROMA:
            keys.append(shade_key)
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
        if label:  # "group = Group 1" (Stata, R's strata): the level after the variable names the arm
            label = re.sub(r"^[\w.]+\s*=\s*(?=\w)", "", label)
        if label:  # the next key's stroke, when not found as a key, is read as a dash or an arrow
            label = re.split(r"\s+(?:[^\w\s()+.,%/]+|[-\u2013\u2014]+)\s+", label)[0].strip() or None
        if label and row > panel[2] and not re.search(r"[^\W\d_]{2}", label):
            label = None  # a table row's key below the panel: the numbers right of it name no arm
        # a key below the panel (under the table) gives its label but no legend order: Stata fills columns first
        out.append((label, (row, k0) if row <= panel[2] else None))
    return out
