"""Separating the arms of a KM figure and tracing each as a monotone step curve.

All coordinates here are pixels of the panel crop, ``(row, col)`` with origin top-left.

1. Colours: the panel background is the most common colour; "strong" pixels differ from it
   clearly. Their colours are grouped into candidate line colours. Each pixel's membership of a
   candidate is its mixing proportion between background and that colour (so anti-aliased
   edges count partly and light confidence ribbons not at all).
2. Tracing: for each candidate, the best monotone path through the membership map is found by
   dynamic programming (rows may only grow, i.e. survival only falls; each drop costs a small
   penalty). Censor marks, legend samples, text and confidence limit lines cannot pull a
   monotone path away from a long solid curve. Where the arm is hidden under another arm, the
   other arms' pixels count as weak evidence so the path follows them.
3. Steps: every flat stretch of the path gets a sub-pixel level (membership-weighted row
   centroid); every drop gets a sub-pixel column (middle of the vertical stroke, from where the
   old level ends and the new one begins).
4. Cumulative incidence: the same tracing on the vertically flipped panel; the direction that
   explains more pixels wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize._channels import channel_norm, channel_spread, minus_colour, off_ray_norm, picked_mean
from reconstruct.extra_curves import is_tint_rgb

__all__ = ["HOLD_DELTA", "MERGE_DELTA", "LineColour", "TracedPath", "background_difference", "cluster_colours",
           "find_line_colours", "is_grey", "longest_bare_gap", "membership", "strong_pixels", "trace_monotone",
           "window_sum"]

STRONG_DELTA = 55.0  # Lab (uint8 scale) distance from the background that marks a drawn pixel
_COLOURED_DELTA_SHARE = 0.8  # share of STRONG_DELTA from which a clearly coloured pixel is strong on a grey panel
_GREY_PANEL_L = 245.0  # OpenCV Lab lightness under which a panel background is grey (ggplot2's #ebebeb: 237)
MERGE_DELTA = 32.0  # colours closer than this are one colour
HOLD_DELTA = 0.7 * MERGE_DELTA  # pixels this close to a colour are its own (its refined mean is theirs)
GREY_CHROMA = 12.0  # chroma (Lab units) under which a line colour is grey or black


def is_grey(rgb: tuple[int, int, int]) -> bool:
    """True when an RGB colour is grey or black: its Lab chroma (OpenCV 8-bit) at most ``GREY_CHROMA``.

    The one definition of a grey line (:attr:`LineColour.chroma`; the by-line-type retry of kmrecon.run_style).
    """
    lab = cv2.cvtColor(np.array([[rgb]], np.uint8), cv2.COLOR_RGB2LAB)[0, 0].astype(np.float64)
    return float(np.hypot(lab[1] - 128, lab[2] - 128)) <= GREY_CHROMA


@dataclass(frozen=True)
class LineColour:
    """A candidate line colour.

    Attributes
    ----------
    lab : tuple of float
        Colour in OpenCV's 8-bit Lab.
    rgb : tuple of int
        The same colour in RGB.
    n_pixels : int
        Strong pixels of this colour in the panel.
    """

    lab: tuple[float, float, float]
    rgb: tuple[int, int, int]
    n_pixels: int

    @property
    def hex(self) -> str:
        """``#rrggbb``."""
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    @property
    def chroma(self) -> float:
        """Distance from grey in Lab's a-b plane (8-bit units); at most ``GREY_CHROMA`` for a grey or black."""
        return float(np.hypot(self.lab[1] - 128, self.lab[2] - 128))


@dataclass(frozen=True, eq=False)
class TracedPath:
    """A monotone path through one arm's pixels.

    Attributes
    ----------
    rows : ndarray of shape (n_cols,)
        Path row in every panel column (integer rows, non-decreasing for survival curves).
    own : ndarray of shape (n_cols,)
        Membership mass of the arm's own colour within the line window at the path.
    start, stop : int
        First and last column (inclusive, exclusive) with own evidence.
    coverage : float
        Share of columns with own evidence between the first and last of them.
    half_width : int
        Half the line thickness in pixels (window half-height).
    flipped : bool
        Traced on the vertically flipped panel (a rising, cumulative-incidence curve).
    bare_gap : int
        Longest run of columns between ``start`` and ``stop`` where the path crosses bare background:
        neither the arm's own ink nor another arm's (a curve is continuous, so a long bare run means
        the path left it, e.g. for a label printed in the panel).
    through_ribbons : bool
        Traced through translucent bands by continuity, its own evidence only where its ink shows
        (:func:`reconstruct.digitize.ribbon_retrace.retrace_under_ribbons`): its reading is flagged.
    """

    rows: NDArray[np.int64]
    own: NDArray[np.float64]
    start: int
    stop: int
    coverage: float
    half_width: int
    flipped: bool
    bare_gap: int = 0
    through_ribbons: bool = False

    @property
    def n_present(self) -> int:
        """Columns with own evidence."""
        return int(np.count_nonzero(self.own[self.start: self.stop] >= 0.5))


def background_lab(lab: NDArray[np.float32]) -> NDArray[np.float32]:
    """Most common colour of the panel (white, or ggplot2 grey), Lab of shape (3,).

    ``lab`` is OpenCV's 8-bit Lab as float32 (values 0-255); the colour is the mean of the pixels of the
    most common code of 4-level bins.
    """
    flat = lab.reshape(-1, 3)
    quant = np.floor(flat * np.float32(0.25))  # == // 4 exactly, without fmod
    code = quant[:, 0] * np.float32(4096)  # whole numbers below 2**18: exact in float32
    code += quant[:, 1] * np.float32(64)
    code += quant[:, 2]
    code = code.astype(np.int64)
    pick = code == np.argmax(np.bincount(code))  # the smallest most frequent code, as np.unique's argmax
    return picked_mean(flat, pick)


def grid_mask(lab: NDArray[np.float32], bg: NDArray[np.float32]) -> NDArray[np.bool_]:
    """Pixels of full-width or full-height achromatic grid lines (lighter or darker than the background).

    A row (column) as grey as the rows 3 away lies in a grey ribbon's fill, not on a grid line: there the
    fill is taken out but not the thin lines drawn in it (:func:`_thin`), the grey curves of survminer's grey
    palette.

    Parameters
    ----------
    lab : ndarray of shape (rows, cols, 3), float32
        Panel in OpenCV 8-bit Lab.
    bg : ndarray of shape (3,)
        Background colour.

    Returns
    -------
    ndarray of shape (rows, cols), bool
    """
    chroma = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)
    grey = (np.abs(lab[..., 0] - bg[0]) > 10) & (chroma < 14)
    out = np.zeros(grey.shape, bool)
    for axis in (0, 1):
        share = grey.mean(axis=1 - axis)
        thin = _thin(lab[..., 0], axis)
        for line in np.flatnonzero(share > 0.5):
            sl = (slice(line, line + 1), slice(None)) if axis == 0 else (slice(None), slice(line, line + 1))
            light = lab[sl][..., 0]
            level = np.median(light[grey[sl]])
            near = np.abs(light - level) < 25
            around = max(share[max(line - 3, 0)], share[min(line + 3, share.size - 1)])
            # as grey as the lines 3 away: a ribbon's fill, whose lines are kept; but a thin line across 80% of the
            # panel is a grid line through a ribbon, masked with it
            in_ribbon = share[line] - around < 0.1
            if in_ribbon and np.count_nonzero(thin[sl] & grey[sl]) < 0.8 * grey[sl].size:
                near &= ~thin[sl]
            out[sl] |= grey[sl] & near
    return out


def _thin(light: NDArray[np.float32], axis: int, *, reach: int = 3, delta: float = 4.0) -> NDArray[np.bool_]:
    """Pixels whose lightness differs by more than ``delta`` from both pixels ``reach`` away across ``axis`` lines.

    Two shifted copies of the padded image (a comparison with both neighbours, which no OpenCV filter gives).
    """
    pad = [(0, 0), (0, 0)]
    pad[axis] = (reach, reach)
    padded = np.pad(light, pad, mode="edge")
    n = light.shape[axis]
    before = np.take(padded, np.arange(0, n), axis=axis)
    after = np.take(padded, np.arange(2 * reach, n + 2 * reach), axis=axis)
    return (np.abs(light - before) > delta) & (np.abs(light - after) > delta)


def find_line_colours(lab: NDArray[np.float32], bg: NDArray[np.float32], *, min_pixels: int) -> list[LineColour]:
    """Candidate line colours among the strong (clearly drawn) pixels of the panel.

    Parameters
    ----------
    lab : ndarray of shape (rows, cols, 3), float32
        Panel in OpenCV 8-bit Lab.
    bg : ndarray of shape (3,)
        Background colour.
    min_pixels : int
        Fewest strong pixels a colour needs.

    Returns
    -------
    list of LineColour
        Most frequent first.
    """
    pix = strong_pixels(lab, bg)
    if pix.shape[0] == 0:
        return []
    return sorted(cluster_colours(pix, min_pixels), key=lambda c: -c.n_pixels)


def strong_pixels(lab: NDArray[np.float32], bg: NDArray[np.float32]) -> NDArray[np.float32]:
    """The Lab values, shape (n, 3), of the panel's strong (clearly drawn) pixels off the grid lines."""
    delta = channel_norm(minus_colour(lab, bg))
    strong = delta > STRONG_DELTA
    if bg[0] < _GREY_PANEL_L:
        # a light coloured line on a grey panel (ggplot2's theme_grey) stays under the strong contrast: a
        # clearly coloured pixel counts from 80% of it (on white, such pixels are ribbons and rims)
        chroma = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)
        strong |= (delta > _COLOURED_DELTA_SHARE * STRONG_DELTA) & (chroma > 25)
    strong &= ~grid_mask(lab, bg)
    return lab[strong]


def cluster_colours(pix: NDArray[np.float32], min_pixels: int) -> list[LineColour]:
    """Colours of the Lab pixels ``pix`` (quantized, merged within ``MERGE_DELTA``, refined), each of
    ``min_pixels`` pixels or more."""
    quant = np.floor(pix / np.array([16.0, 8.0, 8.0])).astype(np.int64)
    code = quant[:, 0] * 1024 + quant[:, 1] * 32 + quant[:, 2]
    values, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
    centres: list[NDArray[np.float32]] = []
    for k in np.argsort(-counts):
        if counts[k] < min_pixels // 4 or len(centres) >= 8:
            break
        centre = pix[inverse == k].mean(axis=0)
        if all(np.linalg.norm(centre - c) >= MERGE_DELTA for c in centres):
            centres.append(centre)
    out = []
    for centre in centres:
        near = channel_norm(minus_colour(pix, centre)) < HOLD_DELTA
        if near.sum() < min_pixels:
            continue
        refined = pix[near].mean(axis=0)
        rgb = cv2.cvtColor(refined.reshape(1, 1, 3).astype(np.uint8), cv2.COLOR_LAB2RGB).reshape(3)
        out.append(LineColour(tuple(float(v) for v in refined), tuple(int(v) for v in rgb), int(near.sum())))
    return out


def membership(
    rgb: NDArray[np.uint8], bg_rgb: NDArray[np.float32], colour: LineColour, *, loose: bool = False,
    diff: NDArray[np.float32] | None = None, spread: NDArray[np.int16] | None = None,
) -> NDArray[np.float32]:
    """Mixing proportion of ``colour`` against the background for every pixel, in [0, 1].

    Anti-aliasing and transparency blend linearly in RGB, so a pixel ``p`` of this colour is
    ``bg + alpha * (colour - bg)``; pixels far from that segment, or with ``alpha`` below 0.35
    (ribbons, faint edges) or above 1.4 (a darker colour), get 0.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
    bg_rgb : ndarray of shape (3,)
    colour : LineColour
    loose : bool, default False
        Accept fainter and less faithful pixels (alpha from 0.2, larger colour residual), for thin
        glyph strokes blurred by JPEG chroma subsampling.
    diff, spread : ndarray, optional
        ``minus_colour(rgb.astype(np.float32), bg_rgb)`` and ``channel_spread(rgb)``, when the caller scores
        several colours on one crop (:func:`background_difference`): worked out here when not given.

    Returns
    -------
    ndarray of shape (rows, cols), float32
    """
    direction = np.asarray(colour.rgb, dtype=np.float32) - bg_rgb
    norm2 = float(direction @ direction)
    diff = minus_colour(rgb.astype(np.float32), bg_rgb) if diff is None else diff
    alpha = diff @ direction / norm2
    residual = off_ray_norm(diff, alpha, direction)
    if loose:
        ok = (alpha >= 0.2) & (alpha <= 1.6) & (residual < 30.0 + 0.25 * np.sqrt(norm2))
    else:
        ok = (alpha >= 0.35) & (alpha <= 1.4) & (residual < 18.0 + 0.06 * np.sqrt(norm2))
        # a grey or black line never yields clearly coloured pixels (e.g. overlapping ribbons)
        spread = channel_spread(rgb) if spread is None else spread
        ok &= spread <= int(np.ptp(colour.rgb)) + 25
    return np.where(ok, np.clip(alpha, 0.0, 1.0), 0.0).astype(np.float32)


def background_difference(rgb: NDArray[np.uint8], bg_rgb: NDArray[np.float32]) -> NDArray[np.float32]:
    """Each pixel minus the background colour, float32: what :func:`membership` and
    :func:`reconstruct.digitize.shades.exclusive_cores` score every colour of a crop against (computed once)."""
    return minus_colour(rgb.astype(np.float32), bg_rgb)


def background_rgb(
    rgb: NDArray[np.uint8], lab: NDArray[np.float32], bg_lab: NDArray[np.float32]
) -> NDArray[np.float32]:
    """Mean RGB of the pixels within a few Lab units of the background colour, shape (3,)."""
    near = channel_norm(minus_colour(lab, bg_lab)) < 6.0
    if near.sum() < 10:
        converted = cv2.cvtColor(np.clip(bg_lab, 0, 255).reshape(1, 1, 3).astype(np.uint8), cv2.COLOR_LAB2RGB)
        return converted.reshape(3).astype(np.float32)
    return picked_mean(rgb.reshape(-1, 3).astype(np.float32), near.reshape(-1))


def widest_line_px(rows: int) -> int:
    """Half the thickest a curve's line may be in a panel ``rows`` pixels high (4 px, or 1/60 of the height)."""
    return max(4, rows // 60)


def is_tint(colour: LineColour, of: LineColour, bg_rgb: NDArray[np.float32]) -> bool:
    """True when ``colour`` lies between the background and ``of`` (a paler shade of it), in RGB
    (:func:`reconstruct.extra_curves.is_tint_rgb`)."""
    return is_tint_rgb(colour.rgb, of.rgb, bg_rgb)


def is_blend(colour: LineColour, first: LineColour, second: LineColour, bg_rgb: NDArray[np.float32]) -> bool:
    """True when ``colour`` is two translucent layers of ``first`` and ``second`` (overlapping ribbons)."""
    basis = np.stack([np.asarray(first.rgb, np.float32) - bg_rgb, np.asarray(second.rgb, np.float32) - bg_rgb], 1)
    target = np.asarray(colour.rgb, np.float32) - bg_rgb
    if np.linalg.matrix_rank(basis) < 2 or not np.all(np.isfinite(basis)):
        return False
    coef, *_ = np.linalg.lstsq(basis, target, rcond=None)
    residual = float(np.linalg.norm(basis @ coef - target))
    return bool(np.all((coef > 0.05) & (coef < 0.8)) and residual < 15.0)


def window_sum(weight: NDArray[np.float32], half: int) -> NDArray[np.float32]:
    """Sum of ``weight`` over the rows ``row - half`` to ``row + half`` of every pixel."""
    return cv2.boxFilter(weight, -1, (1, 2 * half + 1), normalize=False, borderType=cv2.BORDER_CONSTANT)


def _drop_detached_tail(
    present: NDArray[np.int64], own_at: NDArray[np.float32], weak_at: NDArray[np.float32] | None, half_width: int
) -> NDArray[np.int64]:
    """Columns with own evidence, without a short last stretch reached across a gap of bare background.

    A curve is continuous: where its own pixels are missing it runs under other ink. A path that
    crosses bare background to a little ink further on and lower down (at-risk numbers inside
    the panel, a label) has left the curve there.
    """
    covered = own_at >= 0.5
    if weak_at is not None:
        covered |= weak_at >= 0.5
    min_gap = max(2 * half_width + 3, int(0.02 * own_at.size))
    while present.size > 1:
        steps = np.diff(present)
        gaps = np.flatnonzero(steps > min_gap)
        if gaps.size == 0:
            break
        last = int(gaps[-1])
        bare = not covered[present[last] + 1: present[last + 1]].any()
        if not bare or present.size - (last + 1) >= 0.25 * present.size:
            break
        present = present[: last + 1]
    return present


def longest_bare_gap(own_at: NDArray[np.float32], weak_at: NDArray[np.float32] | None, start: int, stop: int) -> int:
    """Longest run of columns in ``start:stop`` where the path has neither own nor weak evidence."""
    bare = own_at[start:stop] < 0.5
    if weak_at is not None:
        bare &= weak_at[start:stop] < 0.5
    edges = np.flatnonzero(np.diff(np.r_[0, bare.astype(np.int8), 0]))  # run starts and ends, paired
    return int((edges[1::2] - edges[0::2]).max()) if edges.size else 0


def trace_monotone(
    weight: NDArray[np.float32],
    *,
    weak: NDArray[np.float32] | None = None,
    half_width: int,
    drop_penalty: float = 1.0,
    flipped: bool = False,
) -> TracedPath:
    """Best path through ``weight`` whose row never decreases from left to right.

    Parameters
    ----------
    weight : ndarray of shape (rows, cols)
        The arm's membership map (already flipped vertically for rising curves).
    weak : ndarray of shape (rows, cols), optional
        Evidence that the arm may be hidden here (other arms' pixels), counted at 0.3.
    half_width : int
        Window half-height: a path row collects weight from ``row - half_width`` to ``row + half_width``.
    drop_penalty : float, default 1.0
        Cost of each drop, in pixels of evidence (suppresses noise steps).
    flipped : bool
        Recorded on the result.

    Returns
    -------
    TracedPath
    """
    own = window_sum(weight, half_width)
    weak_sum = None if weak is None else window_sum(weak, half_width)
    score_map = own if weak_sum is None else own + 0.3 * weak_sum
    n_rows, n_cols = score_map.shape
    # Dynamic programming: a column keeps each row's score or drops into it from the best row above
    # (running prefix maximum), O(rows * cols). No library offers a monotone-path Viterbi, hence the
    # loop over columns, in place; the way back is read from the stored scores.
    scores = score_map.T.astype(np.float64)  # one contiguous row per column, in the DP's precision
    # The same four operations per column as ``scores[c] += maximum(from_above, scores[c - 1])`` after the
    # running maximum, into buffers made once (no array is allocated per column: ~20% less time in this loop).
    # Each column's running maximum is kept (``highest[c - 1, r - 1]`` is ``scores[c - 1, :r].max()``, exactly): the
    # way back reads it instead of taking that maximum again at every column.
    highest = np.empty((n_cols, n_rows))
    from_above, step = np.full(n_rows, -np.inf), np.empty(n_rows)
    above = from_above[1:]
    prev = scores[0]
    for c in range(1, n_cols):
        here, prefix = scores[c], highest[c - 1]
        np.maximum.accumulate(prev, out=prefix)
        np.subtract(prefix[:-1], drop_penalty, out=above)
        np.maximum(from_above, prev, out=step)  # == where(from_above > prev, ...): no NaN here
        np.add(here, step, out=here)
        prev = here
    # The path ends on its own ink: evidence of other arms counts only where it bridges to more of the
    # arm's own pixels, never after them (riding another curve to the right edge must not pay for
    # leaving this one's tail). Past its end the path keeps its last row.
    ends = np.where(own.T >= 0.5, scores, -np.inf)
    end_col, end_row = np.unravel_index(int(np.argmax(ends)), ends.shape) if np.isfinite(ends).any() \
        else (n_cols - 1, int(np.argmax(scores[-1])))
    rows = np.empty(n_cols, np.int64)
    rows[end_col:] = int(end_row)
    for c in range(int(end_col), 0, -1):
        r, prev = int(rows[c]), scores[c - 1]
        best = highest[c - 1, r - 1] if r > 0 else -np.inf
        # a drop (from the lowest of the best rows above) where it beat staying, as in the forward pass
        rows[c - 1] = r - 1 - int(np.argmax(prev[r - 1:: -1] == best)) if best - drop_penalty > prev[r] else r
    own_at = own[rows, np.arange(n_cols)]
    present = np.flatnonzero(own_at >= 0.5)
    if present.size == 0:
        return TracedPath(rows, own_at.astype(float), 0, 0, 0.0, half_width, flipped)
    weak_at = None if weak_sum is None else weak_sum[rows, np.arange(n_cols)]
    present = _drop_detached_tail(present, own_at, weak_at, half_width)
    own_at[present[-1] + 1:] = 0.0
    start, stop = int(present[0]), int(present[-1]) + 1
    bare_gap = longest_bare_gap(own_at, weak_at, start, stop)
    coverage = present.size / max(stop - start, 1)
    if weak_at is not None:
        # every curve starts at time 0: a start hidden under another arm is followed back along it
        col, gap = start - 1, 0
        while col >= 0 and gap <= 2 * half_width + 3:  # short gaps where the arm leaves the other one
            if weak_at[col] >= 0.5:
                start, gap = col, 0
            else:
                gap += 1
            col -= 1
    return TracedPath(rows, own_at.astype(float), start, stop, float(coverage), half_width, flipped, bare_gap)


def outside_fill(path: TracedPath, weight: NDArray[np.float32]) -> float:
    """Mean membership just outside the line window along the path: near 0 for a line, near 1 for a filled area."""
    cols = np.arange(path.start, path.stop)
    cols = cols[path.own[cols] >= 0.5]
    if cols.size == 0:
        return 1.0
    n_rows = weight.shape[0]
    gap = 3 * path.half_width + 4
    above = weight[np.clip(path.rows[cols] - gap, 0, n_rows - 1), cols]
    below = weight[np.clip(path.rows[cols] + gap, 0, n_rows - 1), cols]
    return float(np.mean(np.minimum(above, below) > 0.3))
