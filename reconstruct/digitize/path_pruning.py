"""Pruning traced paths to the arms' curves: duplicates of other paths and broken greys.

Paths are ``(colour index, TracedPath, weight map)`` as :func:`reconstruct.digitize.figure` traces
them; rows are pixel rows of the panel crop.
"""

from __future__ import annotations

import numpy as np

from reconstruct.digitize import curves as _curves

__all__ = ["drop_broken_greys", "drop_duplicates"]


def _chroma(colour: _curves.LineColour) -> float:
    return float(np.hypot(colour.lab[1] - 128, colour.lab[2] - 128))


def drop_broken_greys(paths, colours, weights, flipped: bool):
    """Beside coloured arms, keep grey/black paths only when nearly solid.

    Greys appear where JPEG blurs coloured lines into ribbons and text; a real grey or black arm
    beside coloured ones is drawn solid (dashes are for telling same-coloured arms apart). Columns
    where the path runs under another arm's line count as solid: the arm is hidden there, not broken.
    """
    if not any(_chroma(colours[k]) > 20 for k, _, _ in paths):
        return paths
    kept = []
    for item in paths:
        k, path = item[0], item[1]
        # a thin coloured line loses chroma to JPEG subsampling (red to pink); neutral greys stay near 0
        if _chroma(colours[k]) > 12:
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
