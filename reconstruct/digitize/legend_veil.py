"""Curves seen through a translucent legend box inside the plot panel.

matplotlib draws a legend's frame filled with the background colour at 80% opacity
(``framealpha``); where the legend lies over a curve, the curve shows through at a fifth of its
contrast, too faint for the tracer, which stops at the box's edge or follows the legend's key line
instead. This module finds such boxes (a light frame drawn as an axis-aligned rectangle inside the
panel), measures the box's opacity from the faint line pixels inside it (they are the line colours
blended with the background, all at one mixing proportion), and undoes the blend inside the box:
``under = bg + (pixel - bg) / (1 - opacity)``. Pixels drawn over the box at full strength (the
legend's key lines and text) are left as they are. Pixels are ``(row, col)`` of the panel crop.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize import curves as _curves
from reconstruct.digitize.panel_lab import lab_and_background

__all__ = ["find_frames", "unveil"]

_FRAME_DELTA = (8.0, 110.0)  # RGB distance of a light frame line from the background
_MAX_SPREAD = 30  # a frame line is grey: channel spread at most this
_CORNER = 6  # pixels a frame's side may stop short of its corner (rounded corners)
_MIN_RUN = 9  # shortest straight run of faint line pixels that counts as a curve under the box
_INSET = 4  # pixels inside a frame's edge that belong to the frame line and its anti-aliasing


def _segments(mask: NDArray[np.uint8], axis: int) -> list[tuple[float, int, int]]:
    """Thin straight segments of ``mask``: ``(position across, first, last)`` along rows (axis 1) or columns (0).

    Pieces of one line that a curve crossing it broke (gaps up to ``_CORNER`` pixels) are joined.
    """
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    pieces = []
    for k in range(1, n):
        c0, r0, width, height = (int(v) for v in stats[k, :4])
        if axis == 1 and height <= 4:
            pieces.append((float(centroids[k, 1]), c0, c0 + width - 1))
        elif axis == 0 and width <= 4:
            pieces.append((float(centroids[k, 0]), r0, r0 + height - 1))
    out: list[tuple[float, int, int]] = []
    for pos, first, last in sorted(pieces, key=lambda p: (round(p[0]), p[1])):
        if out and abs(out[-1][0] - pos) <= 1.5 and first - out[-1][2] <= _CORNER:
            out[-1] = (out[-1][0], out[-1][1], max(out[-1][2], last))
        else:
            out.append((pos, first, last))
    return out


def _side(down, col: float, top: float, bottom: float) -> float | None:
    """Column of a vertical line near ``col`` between ``top`` and ``bottom`` over 70% of the height, if any.

    (Rounded corners shorten a side, and a curve crossing it cuts a piece off.)
    """
    for pos, first, last in down:
        if (abs(pos - col) <= _CORNER and first >= top - 2 and last <= bottom + 2
                and last - first >= 0.7 * (bottom - top)):
            return pos
    return None


def _runs_on(line: NDArray[np.uint8], frame) -> bool:
    """Whether the frame's sides run on past its corners, as grid lines do (a curve broke them there)."""
    r0, c0, r1, c1 = frame
    reach = slice(3, 3 + 2 * _CORNER)
    beyond = []
    for row in (r0, r1 - 1):
        band = line[max(row - 1, 0): row + 2]
        beyond += [band[:, max(c0 - reach.stop, 0): max(c0 - reach.start, 0)].any(axis=0),
                   band[:, c1 - 1 + reach.start: c1 - 1 + reach.stop].any(axis=0)]
    for col in (c0, c1 - 1):
        band = line[:, max(col - 1, 0): col + 2]
        beyond += [band[max(r0 - reach.stop, 0): max(r0 - reach.start, 0)].any(axis=1),
                   band[r1 - 1 + reach.start: r1 - 1 + reach.stop].any(axis=1)]
    return any(b.size and b.mean() > 0.6 for b in beyond)


def find_frames(rgb: NDArray[np.uint8], bg_rgb: NDArray[np.float32]) -> list[tuple[int, int, int, int]]:
    """Light rectangular frames inside the panel crop, as ``(row0, col0, row1, col1)`` (exclusive ends).

    A frame is four thin grey lines: a top and a bottom side spanning the same columns, and a left and
    a right side spanning the rows between them (up to ``_CORNER`` pixels short at each end, for
    rounded corners). It is at least a twelfth of the panel wide and a twentieth high, and less than
    nine tenths of it either way (the panel's own border spans it). Grid lines crossing each other
    form no frame: their segments run on past the crossings.
    """
    n_rows, n_cols = rgb.shape[:2]
    pixels = rgb.astype(np.float32)
    delta = np.linalg.norm(pixels - bg_rgb, axis=2)
    spread = pixels.max(axis=2) - pixels.min(axis=2)
    line = ((delta >= _FRAME_DELTA[0]) & (delta <= _FRAME_DELTA[1]) & (spread <= _MAX_SPREAD)).astype(np.uint8)
    long_h, long_v = max(24, n_cols // 12), max(12, n_rows // 20)
    across = _segments(cv2.morphologyEx(line, cv2.MORPH_OPEN, np.ones((1, long_h), np.uint8)), axis=1)
    down = _segments(cv2.morphologyEx(line, cv2.MORPH_OPEN, np.ones((long_v, 1), np.uint8)), axis=0)
    frames = []
    for top in across:
        for bottom in across:
            height = bottom[0] - top[0]
            if not (long_v <= height <= 0.9 * n_rows and abs(top[1] - bottom[1]) <= 2
                    and abs(top[2] - bottom[2]) <= 2 and top[2] - top[1] <= 0.9 * n_cols):
                continue
            left, right = _side(down, top[1], top[0], bottom[0]), _side(down, top[2], top[0], bottom[0])
            if left is None or right is None:
                continue
            frame = (int(np.floor(top[0])), int(np.floor(left)), int(np.ceil(bottom[0])) + 1, int(np.ceil(right)) + 1)
            if not _runs_on(line, frame):
                frames.append(frame)
    for frame in _frames_from_sides(line, down, long_h, n_rows, n_cols):
        if not any(max(abs(a - b) for a, b in zip(frame, known)) <= 3 for known in frames) and not _runs_on(line, frame):
            frames.append(frame)
    return frames


def _frames_from_sides(line: NDArray[np.uint8], down, long_h: int, n_rows: int, n_cols: int):
    """Frames found from a left and a right side spanning the same rows, their top and bottom checked by coverage.

    Curves crossing a box's top or bottom side (drawn over its frame, or seen through the box) cut the
    side into pieces further apart than :func:`_segments` joins: a frame counts when the line pixels
    on its top and bottom rows (one row either way) cover at least 70% of its width.
    """
    out = []
    for i, (left, first, last) in enumerate(down):
        for right, first2, last2 in down[i + 1:]:
            width = right - left
            if not (long_h <= width <= 0.9 * n_cols and abs(first - first2) <= 2 and abs(last - last2) <= 2):
                continue
            top, bottom = min(first, first2) - _CORNER, max(last, last2) + _CORNER
            c0, c1 = int(np.floor(left)), int(np.ceil(right)) + 1
            rows = []
            for lo, hi in ((top, min(first, first2) + 2), (max(last, last2) - 2, bottom)):
                band = line[max(lo, 0): min(hi + 1, n_rows), c0 + _CORNER: c1 - _CORNER]
                if band.size == 0:
                    break
                # the side's row: the row of the band with the most line pixels, with one row either way
                at = int(np.argmax(band.sum(axis=1)))
                covered = band[max(at - 1, 0): at + 2].any(axis=0)
                if covered.mean() < 0.7:
                    break
                rows.append(max(lo, 0) + at)
            if len(rows) == 2 and rows[1] - rows[0] <= 0.9 * n_rows:
                out.append((rows[0], c0, rows[1] + 1, c1))
    return out


def _runs(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Pixels of ``mask`` in straight horizontal or vertical runs of at least ``_MIN_RUN``."""
    m = mask.astype(np.uint8)
    return (cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((1, _MIN_RUN), np.uint8))
            | cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((_MIN_RUN, 1), np.uint8))).astype(bool)


def _crosses(strong: NDArray[np.bool_], faint: NDArray[np.bool_], pad: int) -> bool:
    """Whether a line at full strength outside the frame goes on faint inside it, across one of its sides.

    Both maps cover the frame grown by ``pad`` pixels; the frame's line and anti-aliasing take
    ``_INSET`` pixels inside its edge, where neither is looked at.
    """
    n_rows, n_cols = strong.shape
    lo, hi = pad + _INSET, pad + _INSET + 6
    sides = [  # (outside strip, inside strip, axis along the side)
        (strong[lo:-lo, :pad], faint[lo:-lo, lo:hi], 1), (strong[lo:-lo, -pad:], faint[lo:-lo, -hi:-lo], 1),
        (strong[:pad, lo:-lo], faint[lo:hi, lo:-lo], 0), (strong[-pad:, lo:-lo], faint[-hi:-lo, lo:-lo], 0),
    ]
    for outside, inside, axis in sides:
        out_at = cv2.dilate(outside.any(axis=axis).astype(np.uint8).reshape(-1, 1), np.ones((5, 1), np.uint8))
        if (out_at.ravel().astype(bool) & inside.any(axis=axis)).any():
            return True
    return False


def _opacity(rgb: NDArray[np.float32], frame, bg_rgb: NDArray[np.float32], colours) -> float | None:
    """The box's opacity, from a line colour seen faint inside it; None when no line runs under it.

    A line colour's pixels inside the box that lie on its blend with the background peak at one mixing
    proportion, one minus the opacity. They count as a curve under the box only in straight runs of at
    least ``_MIN_RUN`` pixels, away from strokes drawn over the box (key lines, text, their rims), and
    where the curve crosses the frame: at full strength outside, faint inside (a lighter key line
    inside a box of grey curves is no veiled curve). ``colours`` are the panel's line colours without
    their tints. The colour with the longest runs at its peak decides.
    """
    pad = 7
    r0, c0, r1, c1 = frame
    n_rows, n_cols = rgb.shape[:2]
    top, left = max(r0 - pad, 0), max(c0 - pad, 0)
    diff = rgb[top: min(r1 + pad, n_rows), left: min(c1 + pad, n_cols)] - bg_rgb
    # beyond the panel's edge: background (a box against the edge has no curve entering on that side)
    diff = np.pad(diff, ((top - (r0 - pad), r1 + pad - min(r1 + pad, n_rows)),
                         (left - (c0 - pad), c1 + pad - min(c1 + pad, n_cols)), (0, 0)))
    contrast = np.linalg.norm(diff, axis=2)
    strongest = max(float(np.linalg.norm(np.asarray(c, np.float32) - bg_rgb)) for c in colours)
    inner = np.zeros(contrast.shape, bool)
    inner[pad + _INSET: -pad - _INSET, pad + _INSET: -pad - _INSET] = True
    inner &= ~cv2.dilate((contrast > 0.6 * strongest).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    best, opacity = 0, None
    for rgb_colour in colours:
        direction = np.asarray(rgb_colour, np.float32) - bg_rgb
        norm2 = float(direction @ direction)
        if norm2 < 60.0 ** 2:
            continue
        share = diff @ direction / norm2
        off = np.linalg.norm(diff - share[..., None] * direction, axis=2)
        faint = inner & (off < 10.0) & (share > 0.12) & (share < 0.6)
        if faint.sum() < 2 * _MIN_RUN:
            continue
        counts, edges = np.histogram(share[faint], bins=np.arange(0.12, 0.62, 0.02))
        peak = int(np.argmax(counts))
        near = faint & (share >= edges[max(peak - 1, 0)]) & (share < edges[min(peak + 2, edges.size - 1)])
        runs = _runs(near)
        strong = (share > 0.6) & (off < 18.0 + 0.06 * np.sqrt(norm2))
        if runs.sum() >= 2 * _MIN_RUN and runs.sum() > best and _crosses(strong, near, pad):
            best, opacity = int(runs.sum()), 1.0 - float(np.median(share[runs]))
    return opacity


def unveil(rgb: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], list[str], NDArray[np.bool_] | None]:
    """The panel crop with the blend of every translucent legend box undone, a note per box, and the strokes over them.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
        The panel crop.

    Returns
    -------
    rgb : ndarray of shape (rows, cols, 3), uint8
        A copy with the insides of the boxes restored (``rgb`` itself when no box is seen through).
    notes : list of str
    over : ndarray of shape (rows, cols), bool, or None
        The strokes drawn over the boxes seen through (the legend's key lines and text, at full
        strength), grown by one pixel; None when no box is seen through. A tracer that follows a key
        line instead of the curve under it can be run again with them masked.
    """
    lab, bg = lab_and_background(rgb)
    bg_rgb = _curves.background_rgb(rgb, lab, bg)
    frames = find_frames(rgb, bg_rgb)
    if not frames:
        return rgb, [], None
    found = _curves.find_line_colours(lab, bg, min_pixels=max(int(0.15 * rgb.shape[1]), 15))
    found.sort(key=lambda c: -float(np.linalg.norm(np.asarray(c.rgb, np.float32) - bg_rgb)))
    kept: list[_curves.LineColour] = []
    for colour in found:  # the strongest shade of each line
        if not any(_curves.is_tint(colour, of, bg_rgb) for of in kept):
            kept.append(colour)
    colours = [c.rgb for c in kept]
    strongest = max((float(np.linalg.norm(np.asarray(c, np.float32) - bg_rgb)) for c in colours), default=0.0)
    out, notes, over = rgb, [], None
    pixels = rgb.astype(np.float32)
    for r0, c0, r1, c1 in frames:
        inner = (slice(r0 + _INSET, r1 - _INSET), slice(c0 + _INSET, c1 - _INSET))
        inside = rgb[inner].astype(np.float32)
        opacity = _opacity(pixels, (r0, c0, r1, c1), bg_rgb, colours) if colours else None
        if opacity is None or not 0.4 <= opacity <= 0.88:
            continue
        diff = inside - bg_rgb
        # drawn under the box: no contrast beyond what the box lets through of the strongest line
        under = np.linalg.norm(diff, axis=2) <= 1.15 * (1.0 - opacity) * strongest
        restored = np.clip(bg_rgb + diff / (1.0 - opacity), 0.0, 255.0)
        if out is rgb:
            out = rgb.copy()
        out[inner] = np.where(under[..., None], np.round(restored), inside).astype(np.uint8)
        notes.append(f"a legend box drawn over the curves at opacity {opacity:.2f} was seen through")
        if over is None:
            over = np.zeros(rgb.shape[:2], bool)
        # drawn over the box: more contrast than anything under it can show through
        over[inner] |= np.linalg.norm(diff, axis=2) > 1.5 * (1.0 - opacity) * strongest
    if over is not None:
        over = cv2.dilate(over.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return out, notes, over
