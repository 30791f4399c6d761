"""Pruning traced paths to the arms' curves: duplicates of other paths and broken greys.

Paths are ``(colour index, TracedPath, weight map)`` as :func:`reconstruct.digitize.figure` traces
them; rows are pixel rows of the panel crop.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize import curves as _curves

__all__ = ["all_kept_or_riding", "drop_band_limits", "drop_broken_greys", "drop_duplicates", "drop_fills",
           "drop_stroke_edges", "fill_depth",
           "is_band_limit", "to_count", "TRUNCATED_NOTE"]

#: Start of the note when more curves were told apart than ``n_arms`` asked for and only the first were kept
TRUNCATED_NOTE = "kept the first"


def drop_broken_greys(paths, colours, weights, flipped: bool):
    """Beside coloured arms, keep grey/black paths only when nearly solid.

    Greys appear where JPEG blurs coloured lines into ribbons and text; a real grey or black arm
    beside coloured ones is drawn solid (dashes are for telling same-coloured arms apart). Columns
    where the path runs under another arm's line count as solid: the arm is hidden there, not broken.
    """
    if not any(colours[k].chroma > 20 for k, _, _ in paths):
        return paths
    kept = []
    for item in paths:
        k, path = item[0], item[1]
        # a thin coloured line loses chroma to JPEG subsampling (red to pink); neutral greys stay near 0
        if colours[k].chroma > _curves.GREY_CHROMA:
            kept.append(item)
            continue
        cols = np.arange(path.start, path.stop)
        others = [w[::-1] if flipped else w for j, w in enumerate(weights) if j != k]
        hidden = np.zeros(cols.size, bool)
        for other in others:
            window = _curves.window_sum(other, path.half_width)
            hidden |= window[path.rows[cols], cols] >= 0.5
        own = path.own[cols] >= 0.5
        solid = np.mean(own | hidden) if cols.size else 0.0
        if solid >= 0.85 and np.mean(own) >= 0.5:  # mostly drawn itself, the rest under other arms
            kept.append(item)
    return kept


def drop_duplicates(paths):
    """Drop paths that only retrace curves of other paths (a rim colour, or a path hopping between two curves).

    Repeatedly removes the path whose own pixels lie most on the other remaining paths, while that
    share is at least 0.8 (or 0.65 on one other path, at a median distance of a pixel or less, where
    that one is mostly drawn itself rather than followed hidden under others);
    among equal shares the weaker path goes first.
    """
    paths = sorted(paths, key=lambda item: -item[1].own[item[1].start: item[1].stop].sum())
    while len(paths) > 1:
        shares = []
        for i, item in enumerate(paths):
            path = item[1]
            present = np.flatnonzero(path.own >= 0.5)
            near = np.zeros(present.size, bool)
            share = 0.0
            for j, other in enumerate(paths):
                if j != i:
                    reach = path.half_width + other[1].half_width + 1
                    inside = (present >= other[1].start) & (present < other[1].stop)  # not its rows beyond its ends
                    gap = np.where(inside, np.abs(path.rows[present] - other[1].rows[present]), np.iinfo(np.int64).max)
                    near |= gap <= reach
                    drawn = np.mean(other[1].own[present] >= 0.5) if present.size else 0.0
                    if present.size and np.mean(gap <= reach) >= 0.65 and np.median(gap) <= 1 and drawn >= 0.5:
                        share = 1.0  # on the same line for most of its length, parting only at text or glyphs
            shares.append(max(share, float(np.mean(near))) if present.size else 1.0)
        worst = max(range(len(paths)), key=lambda i: (shares[i], i))
        if shares[worst] < 0.8:
            break
        del paths[worst]
    return paths


def _joined_share(path, others, sums) -> float:
    """Share of ``path``'s drawn columns where unbroken stroke ink joins it to one of ``others``."""
    present = np.flatnonzero(path.own >= 0.5)
    if not present.size:
        return 1.0
    joined = np.zeros(present.size, bool)
    for other in others:
        inside = (present >= other.start) & (present < other.stop)
        lo = np.minimum(path.rows[present], other.rows[present])
        hi = np.maximum(path.rows[present], other.rows[present])
        joined |= inside & (sums[hi + 1, present] - sums[lo, present] == hi - lo + 1)
    return float(np.mean(joined))


def drop_stroke_edges(paths, ink, want: int, *, min_share: float = 0.8, max_kept_share: float = 0.5):
    """Drop paths joined to another path by unbroken stroke ink, until ``want`` remain.

    A thick line, or one crowded with censor glyphs, can be traced twice (its upper and its lower
    edge, in two shades of one colour after JPEG), and a path can hop from one curve to another:
    in almost every column such a path is joined to another path by a solid run of ink. Two
    distinct curves are joined only where they touch. Filled areas (confidence ribbons) join
    everything they hold, so they are taken out of the ink first (what survives an opening wider
    than the thickest line); paths inside a ribbon are then never dropped. Used when the number of
    arms is known (the at-risk table's rows): the path joined most often goes first (the one with
    less ink of its own among equal shares), while its share is at least ``min_share``; fewer
    paths than ``want`` are never left, and a path joined less often is never dropped. When a kept
    path is still joined to the others in ``max_kept_share`` of its columns or more (curves that
    run together, where a monotone path can take either), or when two kept paths of one colour swap
    sides, nothing is dropped.

    Parameters
    ----------
    paths : list of (int, TracedPath, ndarray)
        Traced paths (in the orientation they were traced in).
    ink : ndarray of shape (n_rows, n_cols), bool
        Drawn (non-background) pixels of the panel crop, in the same orientation.
    want : int
        Number of arms.
    min_share : float, default 0.8
        Least share of a path's drawn columns joined to another path for it to be dropped.
    max_kept_share : float, default 0.5
        Share from which a kept path counts as still running on the others.

    Returns
    -------
    list
        The kept paths, in their given order (all of ``paths`` when none can be dropped safely).
    """
    if len(paths) <= max(want, 1):
        return list(paths)
    side = max(2 * max(item[1].half_width for item in paths) + 3, ink.shape[0] // 20)
    ink = ink.astype(np.uint8)
    filled = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((side, side), np.uint8)).astype(bool)
    stroke = ink.astype(bool) & ~filled
    sums = np.vstack([np.zeros((1, ink.shape[1]), np.int64), np.cumsum(stroke, axis=0)])
    kept = list(paths)
    while True:
        shares = [_joined_share(item[1], [o[1] for j, o in enumerate(kept) if j != i], sums)
                  for i, item in enumerate(kept)]
        if len(kept) <= max(want, 1):
            break
        mass = [float(item[1].own[item[1].start: item[1].stop].sum()) for item in kept]
        worst = max(range(len(kept)), key=lambda i: (round(shares[i], 2), -mass[i]))
        if shares[worst] < min_share:
            break
        del kept[worst]
    if len(kept) < len(paths) and (max(shares, default=0.0) >= max_kept_share or _same_colour_cross(kept)):
        return list(paths)  # the curves left still run on each other: which is which is not clear
    return kept


def _same_colour_cross(paths) -> bool:
    """True when two paths of one colour swap sides: where they meet, either could go on either way."""
    for i, (k, p, _) in enumerate(paths):
        for j, q, _ in paths[i + 1:]:
            lo, hi = max(p.start, q.start), min(p.stop, q.stop)
            if j != k or hi <= lo:
                continue
            diff = p.rows[lo:hi] - q.rows[lo:hi]
            apart = np.abs(diff) > p.half_width + q.half_width + 1
            if min(np.mean(apart & (diff > 0)), np.mean(apart & (diff < 0))) >= 0.1:
                return True
    return False


def _drop_cols(path) -> NDArray[np.int64]:
    """Columns where the path drops by two pixels or more (a step of the curve, not a pixel of noise)."""
    cols = np.arange(path.start + 1, path.stop)
    return cols[path.rows[cols] - path.rows[cols - 1] >= 2]


def is_band_limit(candidate, main, *, reach: int = 2) -> bool:
    """True when ``candidate`` is a confidence limit of ``main``: drawn on one side of it, stepping where it steps.

    A pointwise confidence limit of a KM curve (base R ``plot.survfit(conf.int = TRUE)``, drawn in the
    curve's own colour, dashed) changes only at the curve's event times: it lies above the curve, or
    below it, or (a monotone path hopping from the upper limit down to the lower one) first above and
    then below, in 95% of their shared columns; and its drops fall within ``reach`` pixels of a drop of
    the curve far more often than chance (the share of columns that near a drop of the curve). Another
    arm drawn in the same ink steps at its own event times.

    Parameters
    ----------
    candidate, main : TracedPath
        Paths of one colour, in the orientation they were traced in.
    reach : int, default 2
        Pixels between two drops counted as one column.

    Returns
    -------
    bool
    """
    lo, hi = max(candidate.start, main.start), min(candidate.stop, main.stop)
    if hi - lo < 0.5 * (candidate.stop - candidate.start):
        return False
    diff = candidate.rows[lo:hi] - main.rows[lo:hi]
    # above the curve, then (a monotone path can hop from the upper limit down to the lower one) below it
    above = np.r_[0, np.cumsum(diff <= 0)]
    below = np.r_[np.cumsum((diff >= 0)[::-1])[::-1], 0]
    if float(np.max(above + below)) < 0.95 * diff.size:
        return False  # it goes back above the curve: another arm
    own, theirs = _drop_cols(candidate), _drop_cols(main)
    own = own[(own >= lo) & (own < hi)]
    if own.size < 3 or theirs.size == 0:
        return False
    near = np.zeros(candidate.rows.size, bool)
    for d in range(-reach, reach + 1):
        near[np.clip(theirs + d, 0, near.size - 1)] = True
    chance = float(np.mean(near[lo:hi]))
    return float(np.mean(near[own])) >= chance + 0.6 * (1.0 - chance)


def drop_band_limits(paths, want: int):
    """Drop paths that are confidence limits of a path of their colour (:func:`is_band_limit`) until ``want`` remain.

    The path with less ink of its own of each pair goes; the others keep their order. Fewer than
    ``want`` paths are never left.
    """
    kept = list(paths)
    while len(kept) > want:
        mass = [float(item[1].own[item[1].start: item[1].stop].sum()) for item in kept]
        limits = [i for i, (k, p, _) in enumerate(kept)
                  if any(j != i and kj == k and mass[j] > mass[i] and is_band_limit(p, q)
                         for j, (kj, q, _) in enumerate(kept))]
        if not limits:
            break
        del kept[min(limits, key=lambda i: mass[i])]
    return kept


def fill_depth(path, weight: NDArray[np.float32]) -> float:
    """Median height in pixels of the run of ``weight >= 0.5`` through ``path`` in its drawn columns.

    A line is as high as its stroke there; a path traced through a filled area (a confidence ribbon of
    its colour) runs inside a band as high as the ribbon. Upright strokes narrower than a line may be
    thick (censor glyphs, drops) are opened away first, as in :func:`reconstruct.digitize.colour_paths`:
    a "+" every few columns does not deepen a line. A column counts where a pixel within the path's
    half width belongs to the colour.
    """
    widest = _curves.widest_line_px(weight.shape[0])  # the thickest a line may be, as trace_arms allows
    mask = cv2.morphologyEx((np.asarray(weight) >= 0.5).astype(np.uint8), cv2.MORPH_OPEN,
                            np.ones((1, 2 * widest + 1), np.uint8)).astype(bool)
    n_rows = mask.shape[0]
    cols = np.flatnonzero(path.own >= 0.5)
    if not cols.size:
        return 0.0
    # In each drawn column: the first colour pixel within the half width of the path's row, and the run of
    # colour through it, from the nearest gaps above and below (running max/min of the gap rows: no library
    # call finds one column's run through one row, and a loop over columns cost ~1 ms a path).
    at = np.asarray(path.rows)[cols].astype(np.int64)
    lo = np.maximum(at - path.half_width, 0)
    window = lo[:, None] + np.arange(2 * path.half_width + 1)[None, :]
    inside = window < np.minimum(at + path.half_width + 1, n_rows)[:, None]
    sub = mask[:, cols]
    hits = inside & sub[np.minimum(window, n_rows - 1), np.arange(cols.size)[:, None]]
    found = hits.any(axis=1)
    if not found.any():
        return 0.0
    row = lo[found] + np.argmax(hits[found], axis=1)
    sub = sub[:, found]
    index = np.arange(n_rows)[:, None]
    gap_above = np.maximum.accumulate(np.where(sub, -1, index), axis=0)  # last gap at or above each row
    gap_below = np.minimum.accumulate(np.where(sub, n_rows, index)[::-1], axis=0)[::-1]  # first at or below
    pick = np.arange(row.size)
    depths = gap_below[row, pick] - (gap_above[row, pick] + 1)
    return float(np.median(depths))


def _fill_mask(weight: NDArray[np.float32], thickest: int) -> NDArray[np.bool_]:
    """Pixels of ``weight >= 0.5`` in upright runs deeper than a line may be (``thickest`` rows): the filled area."""
    mask = (np.asarray(weight) >= 0.5).astype(np.uint8)
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((thickest + 1, 1), np.uint8)).astype(bool)


def drop_fills(paths, want: int, *, ratio: float = 3.0, min_depth: float = 6.0, in_fill: float = 0.2,
               on_fill: float = 0.75):
    """Drop paths traced through a filled area rather than along a line, until ``want`` remain.

    A translucent confidence ribbon whose colour is a line colour of its own (survminer's grey palette:
    grey lines in grey ribbons) is traced as a curve of that colour, riding its upper or lower border.
    Its colour's pixels form a band through the path (:func:`fill_depth`, on the colour's whole map)
    deeper than the path's own line window, at least ``ratio`` times as deep as the thinnest path's
    and ``min_depth`` pixels or more. A line, however thick, fills its window and no more (a thick
    Prism line beside a thin one is 2.3 times as deep, and as deep as its window); nor is it deeper than
    trace_arms lets a line be, ``2 * max(4, rows // 60) + 1`` (a fill's own map gives it a window as deep
    as the fill: survminer_bw_011's overlapping grey ribbons, 11 rows deep in a 13-row window). The deepest goes
    first; then the other paths of a colour dropped so, however shallow (a colour that fills a ribbon is no
    line's: survminer_bw_011's third path of the ribbons' grey rode their border and a line's rim, 35% of its
    columns in the fill and 84% in it or within stroke reach of another path), where ``in_fill`` of its drawn
    columns or more lie in the fill (its colour's upright runs deeper than a line may be) and ``on_fill`` in it
    or within stroke reach of another path. A path of that colour drawn away from the ribbon and the other
    curves is a line and stays. Fewer than ``want`` paths are never left.
    """
    if len(paths) <= want or any(item[2] is None for item in paths):
        return list(paths)
    full: dict[int, NDArray[np.float32]] = {}  # a colour's whole map: later paths get it with earlier ones cleared
    for k, _, weight in paths:
        full[k] = weight if k not in full else np.maximum(full[k], weight)
    depth = [fill_depth(path, full[k]) for k, path, _ in paths]
    line = min(depth)
    thickest = 2 * _curves.widest_line_px(paths[0][2].shape[0]) + 1  # the thickest a line may be, as trace_arms allows
    fills = [i for i, (d, item) in enumerate(zip(depth, paths, strict=True))
             if d >= max(ratio * max(line, 1.0), min_depth) and d > min(2 * item[1].half_width + 1, thickest)]
    drop = sorted(fills, key=lambda i: -depth[i])[: len(paths) - want]
    # a colour that fills a ribbon is no line's: its other paths that ride the ribbon and the lines in it go too; one
    # drawn away from them is a line of that colour and stays
    ribbons = {k: _fill_mask(full[k], thickest) for k in {paths[i][0] for i in drop}}
    rest = [i for i, (k, path, _) in enumerate(paths) if k in ribbons and i not in drop
            and _near_share(path, [], ribbons[k]) >= in_fill
            and _near_share(path, [p for j, (_, p, _) in enumerate(paths) if j != i], ribbons[k]) >= on_fill]
    drop += sorted(rest, key=lambda i: -depth[i])[: max(len(paths) - want - len(drop), 0)]
    return [item for i, item in enumerate(paths) if i not in drop]


def to_count(paths, n_arms: int, drawn, notes: list[str]):
    """``n_arms`` paths where they can be had: a path traced through a ribbon is dropped first
    (:func:`drop_fills`, with a note), then a line traced along both its edges, or a path hopping
    between curves (:func:`drop_stroke_edges`), then a curve's confidence limits
    (:func:`drop_band_limits`, with a note); then only the first are kept, with a note."""
    def dropping(paths, drop, why):
        kept = drop(paths, n_arms) if len(paths) > n_arms else paths
        if len(kept) < len(paths):
            notes.append(f"{len(paths) - len(kept)} path(s) dropped as {why}")
        return kept

    paths = dropping(paths, drop_fills, "traced through a filled area (a confidence ribbon of a line colour), "
                     "not along a line")
    if len(paths) > n_arms:
        paths = drop_stroke_edges(paths, drawn, n_arms)
    paths = dropping(paths, drop_band_limits, "confidence limits of a curve (same ink, on one side of it, "
                     "stepping where it steps)")
    if len(paths) > n_arms:
        notes.append(f"{TRUNCATED_NOTE} {n_arms} of the {len(paths)} curves found")
        paths = paths[:n_arms]
    if len(paths) < n_arms:
        notes.append(f"expected {n_arms} arms, found {len(paths)}")
    return paths


def _near_share(path, others, words: NDArray[np.bool_] | None = None) -> float:
    """Share of ``path``'s drawn columns within stroke reach of one of ``others`` (or, given ``words``, on a word)."""
    present = np.flatnonzero(path.own >= 0.5)
    if not present.size:
        return 1.0
    rows = path.rows[present]
    near = np.zeros(present.size, bool)
    for other in others:
        inside = (present >= other.start) & (present < other.stop)
        near |= inside & (np.abs(rows - other.rows[present]) <= path.half_width + other.half_width + 1)
    if words is not None:
        grown = cv2.dilate(words.astype(np.uint8), np.ones((2 * path.half_width + 1, 1), np.uint8)).astype(bool)
        near |= grown[np.clip(rows, 0, words.shape[0] - 1), present]
    return float(np.mean(near))


def all_kept_or_riding(first, second, words: NDArray[np.bool_], *, share: float = 0.8,
                       on_words: float = 0.2) -> bool:
    """True when every path of a first tracing is kept by a second one, or was only riding words and other paths.

    The panel is traced a second time with the words printed in it masked (``words``); the second
    tracing may find fewer paths. The tracings are matched one to one, each second path to the first
    path it follows best (so a second path stands for one first path only: two curves running close for
    a while are two); a matched first path is kept when ``share`` of its drawn columns lie within stroke
    reach of the second paths, or of them, the other first paths and the words (scan_006's noisy line,
    traced twice: 72% of its first trace near the second tracing, 81% with the twin and the words). A second
    path stands for a first path only when it runs within stroke reach of half of it or more. A first
    path no second path stands for was no curve only when ``on_words`` of its drawn columns or more lie on
    the words (scan_006's twin trace, zigzagging around the line, that ran off onto a label: 23%) and
    ``share`` of them on the words or within stroke reach of the other paths. A curve the words hid is
    neither, nor is one that only runs near another curve.

    Parameters
    ----------
    first, second : sequence of TracedPath
        The paths of the two tracings, in one orientation.
    words : ndarray of shape (n_rows, n_cols), bool
        The words' pixels, in that orientation.
    share : float, default 0.8
        Least share of drawn columns (as :func:`drop_duplicates`).
    on_words : float, default 0.2
        Least share of an unmatched path's drawn columns on the words.
    """
    from scipy.optimize import linear_sum_assignment  # loaded here: scipy is heavy and most figures never get here

    near = np.array([[_near_share(path, [other]) for other in second] for path in first]).reshape(len(first), -1)
    pairs = zip(*linear_sum_assignment(-near), strict=True)  # each second path stands for the first it follows best
    # ... if it follows at least half of it: a stray second path stands for no curve (nor hides one lost)
    matched = {int(i) for i, j in pairs if near[i, j] >= 0.5}
    for i, path in enumerate(first):
        if i in matched and _near_share(path, second) >= share:
            continue
        if i not in matched and _near_share(path, [], words) < on_words:
            return False  # a first path no second path stands for is a curve lost, unless it ran onto the words
        if _near_share(path, [*second, *(p for j, p in enumerate(first) if j != i)], words) < share:
            return False
    return True
