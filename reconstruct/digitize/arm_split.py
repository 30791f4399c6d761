"""Finding arms the colour clusters hid, when the number of arms is known (e.g. from the at-risk table's rows).

Arms drawn in one colour (greys, or one ink told apart only by line type: solid, dashed, dotted) share
one membership map, and the tracer in :mod:`reconstruct.digitize.figure` finds one monotone path
per map unless a second one is clearly separate. Told that there are ``want`` arms, this module
looks harder, and only returns a result with exactly ``want`` curves:

1. paths pruned as duplicates whose colour no kept arm has (an arm drawn close beside another);
2. further monotone paths in the ink of the kept arms' colours (for achromatic figures, all greys
   merged into one darkness map), each traced with the curves found so far taken out. A new path
   must start where the other curves start (every KM curve starts at time 0), hold its own ink
   over at least a fifth of its columns (a dotted line), and run apart from every other curve over a
   third of its length;
3. every path of a shared map re-traced with the others taken out, twice, so that a path that
   hopped onto another curve for a stretch goes back to its own.

Pixel arrays are ``(row, col)`` of the panel crop, in the orientation the paths were traced in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize import curves as _curves
from reconstruct.digitize.line_width import line_half_width

__all__ = ["darkness_map", "recover_arms", "same_paths", "stroke_extent", "strokes_of"]

_OWN_KEPT = 0.9  # share of the old path's own ink a re-traced path must hold to replace it


def _clear(weight: NDArray[np.float32], path: _curves.TracedPath) -> None:
    """Zero the path's line window, with its drop strokes, in place."""
    reach = path.half_width + 1
    last = path.rows.size - 1
    for c in range(path.start, path.stop):  # a column band per path column; no library call draws it
        top = path.rows[max(c - reach, 0)]
        bottom = path.rows[min(c + reach, last)]
        weight[max(top - reach, 0): bottom + reach + 1, c] = 0.0


def _apart(path: _curves.TracedPath, others: list[_curves.TracedPath]) -> float:
    """Share of the path's own columns where it is more than two line widths from every other path."""
    present = np.flatnonzero(path.own >= 0.5)
    if not present.size:
        return 0.0
    far = np.ones(present.size, bool)
    for other in others:
        inside = (present >= other.start) & (present < other.stop)
        gap = np.abs(path.rows[present] - other.rows[present])
        far &= ~inside | (gap > 2 * (path.half_width + other.half_width) + 2)
    return float(np.mean(far))


def _plausible(path: _curves.TracedPath, others: list[_curves.TracedPath], residual, *, min_cols: int) -> bool:
    """A new path that can be an arm: long, inked, starting with the others, apart from them, not a filled area."""
    if path.n_present < min_cols or path.coverage < 0.2:
        return False
    first = min(p.start for p in others)
    if path.start > first + max(3 * path.half_width + 3, int(0.03 * path.rows.size)):
        return False  # every KM curve starts at time 0: text and legends start elsewhere
    if _curves.outside_fill(path, residual) > 0.5:
        return False
    return _apart(path, others) >= 1.0 / 3.0


def _grey_arm(paths, colours, weights, ink, *, flipped: bool, min_cols: int):
    """One grey or black arm traced in the union of the unused grey clusters, or None.

    Anti-aliasing spreads a thin black line over several greys (``#272727`` to ``#888888``), each
    kept as a colour of its own and none with enough of the line to be traced; beside a coloured
    arm that is the only trace of the black one. Needs two unused grey clusters or more, and a path
    that starts with the others and runs apart from them (:func:`_plausible`).
    """
    used = {k for k, _, _ in paths}
    if all(colours[k].chroma <= _curves.GREY_CHROMA for k in used):
        return None  # an achromatic figure: the darkness map of step 2 already holds every grey
    greys = [k for k in range(len(colours)) if k not in used and colours[k].chroma <= _curves.GREY_CHROMA]
    if len(greys) < 2:
        return None
    union = np.maximum.reduce([weights[k] for k in greys]).astype(np.float32)
    for _, other, _ in paths:
        _clear(union, other)
    half = max(1, min(line_half_width(union), 2))
    path = _curves.trace_monotone(union, weak=ink, half_width=half, flipped=flipped)
    if path.coverage < 0.45 or not _plausible(path, [p for _, p, _ in paths], union, min_cols=min_cols):
        return None
    return min(greys, key=lambda k: colours[k].lab[0]), path, union


def _shared_map(paths, colours, weights, darkness) -> tuple[NDArray[np.float32], list[int]]:
    """The ink map the kept arms share: the darkness of an achromatic figure, else the largest arm colour's map.

    Returns the map and the indices (into ``paths``) of the paths drawn in it.
    """
    used = sorted({k for k, _, _ in paths})
    if all(colours[k].chroma <= _curves.GREY_CHROMA for k in used):
        return darkness.copy(), list(range(len(paths)))
    counts = {k: sum(1 for j, _, _ in paths if j == k) for k in used}
    k = max(used, key=lambda j: (counts[j], colours[j].n_pixels))
    return weights[k].copy(), [i for i, (j, _, _) in enumerate(paths) if j == k]


def stroke_extent(shared: NDArray[np.float32]) -> NDArray[np.float32]:
    """Log of the extent (larger side of the bounding box, pixels) of the connected stroke every inked pixel is part of.

    A line type is a dash pattern: a solid curve is one long stroke, a dashed one a chain of dashes,
    a dotted one a chain of dots. Where two curves of one ink cross, this tells them apart. Ink too
    faint to make a stroke (an anti-aliased fringe) takes the extent of the stroke beside it; 0 where
    there is no ink.
    """
    inked = (shared >= 0.4).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inked, connectivity=8)
    extent = np.log(np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]).astype(np.float32))
    extent[0] = 0.0
    out = extent[labels]
    # an anti-aliased fringe (ink under the threshold, e.g. the fainter of the two rows a thin line
    # straddles) belongs to the stroke beside it: without its extent the fringe would count as no line type
    fringe = (shared > 0) & (labels == 0)
    out[fringe] = cv2.dilate(out, np.ones((3, 3), np.uint8))[fringe]
    return out


def _style(path: _curves.TracedPath, extent: NDArray[np.float32]) -> float:
    """Median stroke extent (log pixels) of a path's own columns (the longest stroke within its line window)."""
    present = np.flatnonzero(path.own >= 0.5)
    if not present.size:
        return 0.0
    window = cv2.dilate(extent, np.ones((2 * path.half_width + 1, 1), np.uint8))
    return float(np.median(window[path.rows[present], present]))


def _own_mass(path: _curves.TracedPath, residual: NDArray[np.float32]) -> float:
    """Ink of ``residual`` inside the path's line window over its columns (its own evidence, no weak part)."""
    cols = np.arange(path.start, path.stop)
    if not cols.size:
        return 0.0
    own = _curves.window_sum(residual, path.half_width)
    return float(own[path.rows[cols], cols].sum())


def _bridged(residual: NDArray[np.float32], path: _curves.TracedPath, style: float) -> NDArray[np.float32]:
    """``residual`` with the gaps of a dashed or dotted line's levels filled along its rows.

    A dotted or dashed arm inks only part of its columns, so that riding hidden under another
    curve (weak evidence in every column) would outscore following its own dots; a level of the
    line continues across its gaps in its own direction, as the eye reads it. Gaps up to the
    reach of a drop (``4 * half_width + 9`` columns) are closed. ``style`` is the path's median
    stroke extent (log pixels, :func:`_style`); a path whose strokes span a fifth of the panel or
    more is solid and left as it is.
    """
    if np.exp(style) >= 0.2 * residual.shape[1]:
        return residual
    length = 4 * path.half_width + 9
    return cv2.morphologyEx(residual, cv2.MORPH_CLOSE, np.ones((1, length), np.uint8))


def _retrace(shared, extent, paths, members, ink, *, flipped: bool):
    """Re-trace every path of the shared map with the other paths' windows taken out (twice).

    Each path sees the ink weighted by how well its strokes' extent (:func:`stroke_extent`, the dash
    pattern) matches the path's own, so that where two curves of one ink cross each keeps its line type.
    """
    paths = list(paths)
    for _ in range(2):
        for i in members:
            k, path, _ = paths[i]
            style = _style(path, extent)
            residual = (shared * np.exp(-(((extent - style) / 0.7) ** 2))).astype(np.float32)
            free = np.ones(shared.shape, np.float32)
            for j, (_, other, _) in enumerate(paths):
                if j != i:
                    _clear(free, other)
            residual *= free
            # hidden under another curve: the ink there counts as weak evidence (unclaimed ink of
            # another line type does not, or a dashed arm would ride a solid one)
            new = _curves.trace_monotone(_bridged(residual, path, style), weak=ink * (1.0 - free),
                                         half_width=path.half_width, flipped=flipped)
            # kept only when it holds at least as much of its own ink as the path it replaces: a faint
            # dashed arm must not trade its dashes for a ride along a claimed solid curve (weak evidence)
            if new.n_present > 0 and _own_mass(new, residual) >= _OWN_KEPT * _own_mass(path, residual):
                paths[i] = (k, new, residual)
    return paths


def _new_colour(colour: _curves.LineColour, used: list[_curves.LineColour], bg_rgb) -> bool:
    """A colour that is no shade of a used one (greys of one line split into clusters by anti-aliasing and JPEG)."""
    return not any(_curves.is_tint(colour, u, bg_rgb) or _curves.is_tint(u, colour, bg_rgb)
                   or _same_ray(colour, u, bg_rgb) for u in used)


def _same_ray(colour, of, bg_rgb) -> bool:
    direction = np.asarray(of.rgb, np.float32) - bg_rgb
    diff = np.asarray(colour.rgb, np.float32) - bg_rgb
    alpha = float(diff @ direction / max(float(direction @ direction), 1e-6))
    return alpha > 0.1 and float(np.linalg.norm(diff - alpha * direction)) < 30.0


def strokes_of(shade: NDArray[np.float32], side: int) -> NDArray[np.float32]:
    """``shade`` less its filled areas: the white top-hat by a ``side`` x ``side`` square (OpenCV), in [0, 1].

    A line (solid, dashed or dotted) is thinner than ``side`` across its run and keeps its ink above the
    area around it; a confidence ribbon wider than ``side`` is taken out, and a line drawn over it keeps
    only what it adds to the ribbon's shade. Used when grey curves are traced again by line type.
    """
    kernel = np.ones((side, side), np.uint8)
    return np.clip(cv2.morphologyEx(shade, cv2.MORPH_TOPHAT, kernel), 0.0, 1.0).astype(np.float32)


_SAME_ROW_PX = 1.0  # mean row distance under which two paths follow one curve
_SAME_SPAN = 0.9  # share of a path's columns another must share to be the same path


def same_paths(old: Sequence[Any], new: Sequence[Any]) -> bool:
    """True when ``new`` (:class:`TracedPath` s) holds as many paths as ``old`` and each follows one of them: over
    at least 90% of the columns with evidence of either, within 1 pixel of row on average. A re-tracing that gives this
    changed nothing (the retry by line type of a figure in greys is then not worth running on)."""
    if len(old) != len(new):
        return False
    return all(any(_follows(n, o) for o in old) for n in new)


def _follows(path: Any, other: Any) -> bool:
    lo, hi = max(path.start, other.start), min(path.stop, other.stop)
    span = max(path.stop - path.start, other.stop - other.start, 1)  # a path cut short is another path
    if hi - lo < _SAME_SPAN * span:
        return False
    gap = np.abs(np.asarray(path.rows[lo:hi], np.float64) - np.asarray(other.rows[lo:hi], np.float64))
    return float(gap.mean()) <= _SAME_ROW_PX


def darkness_map(lab: NDArray[np.float32], bg_lab: NDArray[np.float32], darkest: float,
                 grid: NDArray[np.bool_]) -> NDArray[np.float32]:
    """How far every pixel is from the background lightness towards the darkest line, in [0, 1] (0 below 0.25).

    For figures whose arms are all grey or black: one map for every shade, so that arms told apart
    only by line type can be traced in it.
    """
    alpha = (float(bg_lab[0]) - lab[..., 0]) / max(float(bg_lab[0]) - darkest, 1.0)
    out = np.where(alpha >= 0.25, np.clip(alpha, 0.0, 1.0), 0.0).astype(np.float32)
    out[grid] = 0.0
    return out


def recover_arms(paths, pruned, colours, weights, ink, *, darkness, bg_rgb, text, want: int, flipped: bool,
                 min_cols: int):
    """Look for arms the colour clusters hid until there are ``want`` paths; None when not exactly ``want``.

    Parameters
    ----------
    paths : list of (int, TracedPath, ndarray)
        The kept paths ``(colour index, path, weight map)``.
    pruned : list of (int, TracedPath, ndarray)
        Paths traced but dropped as duplicates or broken greys.
    colours : list of LineColour
    weights : list of ndarray of shape (rows, cols)
        Membership map of every colour, upright (not flipped).
    ink : ndarray of shape (rows, cols)
        Every clearly drawn pixel, upright.
    darkness : ndarray of shape (rows, cols)
        :func:`darkness_map` of the panel, upright.
    bg_rgb : ndarray of shape (3,)
        Background colour.
    text : ndarray of shape (rows, cols), bool
        Pixels of words read in the panel (curve labels, legends), upright: weak evidence for a curve.
    want : int
        Number of arms (e.g. rows of the at-risk table).
    flipped : bool
        The paths were traced on the vertically flipped panel.
    min_cols : int
        Fewest columns with own ink a curve needs.

    Returns
    -------
    list of (int, TracedPath, ndarray) or None
        Exactly ``want`` paths, or None when that many could not be told apart.
    """
    if not paths or len(paths) >= want:
        return None
    if flipped:
        weights = [w[::-1] for w in weights]
        ink, darkness, text = ink[::-1], darkness[::-1], text[::-1]
    paths = list(paths)
    used = {k for k, _, _ in paths}
    for item in sorted(pruned, key=lambda it: -it[1].n_present):  # 1: a colour of its own, pruned as a duplicate
        colour = colours[item[0]]
        if (len(paths) < want and _new_colour(colour, [colours[k] for k in used], bg_rgb)
                and item[1].coverage >= 0.45 and item[1].n_present >= min_cols):
            paths.append(item)
            used.add(item[0])
    if len(paths) < want:  # 1b: a thin grey or black arm beside coloured ones, split into shade clusters
        found = _grey_arm(paths, colours, weights, ink, flipped=flipped, min_cols=min_cols)
        if found is not None:
            paths.append(found)
    if len(paths) == want:
        return paths
    shared, members = _shared_map(paths, colours, weights, darkness)
    ink = np.maximum(ink, darkness)
    extent = stroke_extent(shared)  # before the words are faded: a curve under a word stays one stroke
    shared[text] *= 0.5  # a curve may run through a word, but a word is no curve
    ink = np.where(text, 0.5 * ink, ink).astype(np.float32)
    paths = _retrace(shared, extent, paths, members, ink, flipped=flipped)
    half = max(paths[i][1].half_width for i in members) if members else 1
    while len(paths) < want:  # 2: more monotone paths in the shared ink
        residual = shared.copy()
        for _, other, _ in paths:
            _clear(residual, other)
        new = _curves.trace_monotone(residual, weak=ink, half_width=half, flipped=flipped)
        if not _plausible(new, [p for _, p, _ in paths], residual, min_cols=min_cols):
            return None
        k = paths[members[0]][0] if members else paths[0][0]
        paths.append((k, new, residual))
        members.append(len(paths) - 1)
        paths = _retrace(shared, extent, paths, members, ink, flipped=flipped)  # 3
    return paths if _settled([paths[i][1] for i in members], min_cols=min_cols) else None


def _settled(shared_paths, *, min_cols: int) -> bool:
    """False when a path lost its curve, or two paths settled on one curve."""
    return all(p.n_present >= min_cols and _apart(p, [q for q in shared_paths if q is not p]) >= 0.5
               for p in shared_paths)
