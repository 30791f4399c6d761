"""Tick marks along an axis: the short strokes touching it, kept where they are regularly spaced.

Pixels are ``(row, col)``, origin top-left. Used by :mod:`reconstruct.digitize.axes` to find the ticks
of a panel from its axis lines or, for a panel with no axis line, from the ends of its grid lines.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["regular_ticks", "split_line_ink", "TICK_GREY"]

TICK_GREY = 170
"""Pixels darker than this grey are ink of axes and tick marks."""


def regular_ticks(positions: ArrayLike, *, tol: float = 1.5) -> NDArray[np.float64]:
    """The longest evenly spaced run among candidate tick positions (sorted ascending).

    Parameters
    ----------
    positions : array_like of shape (n,)
        Candidate positions in pixels.
    tol : float, default 1.5
        Allowed deviation (pixels) from exact spacing.
    """
    pos = np.sort(np.asarray(positions, dtype=float))
    best = pos[:1]
    for i in range(pos.size):
        for j in range(i + 1, pos.size):
            step = pos[j] - pos[i]
            if step < 8:
                continue
            chain = [pos[i]]
            target = pos[i] + step
            missed = 0
            while missed <= 1:  # one unseen tick (hidden grid line) is bridged
                near = np.flatnonzero(np.abs(pos - target) <= max(tol, 0.015 * step))
                if near.size == 0:
                    missed += 1
                    target += step
                    continue
                chain.append(pos[near[0]])
                target = pos[near[0]] + step
            if len(chain) > best.size or (len(chain) == best.size and chain[-1] - chain[0] > best[-1] - best[0]):
                best = np.array(chain)
    return best


def _tick_candidates(dark: NDArray[np.bool_], *, start: int, direction: int, lo: int, hi: int, axis: str,
                     min_run: int = 2):
    """Centres and lengths of short strokes leaving an axis line at ``start`` (x: rows; y: cols)."""
    reach = 14
    if axis == "x":
        idx = start + direction * np.arange(reach)
        idx = idx[(idx >= 0) & (idx < dark.shape[0])]
        strip = dark[idx, lo:hi]
    else:
        idx = start + direction * np.arange(reach)
        idx = idx[(idx >= 0) & (idx < dark.shape[1])]
        strip = dark[lo:hi, idx].T
    # run length from the axis outward, per position along the axis
    run = np.cumprod(strip, axis=0).sum(axis=0)
    hit = run >= min_run
    if not hit.any():
        return np.empty(0), np.empty(0)
    index = np.flatnonzero(hit)
    groups = np.split(index, np.flatnonzero(np.diff(index) > 1) + 1)
    centres = np.array([np.average(g, weights=run[g]) + lo for g in groups if g.size <= 6])
    lengths = np.array([run[g].max() for g in groups if g.size <= 6])
    return centres, lengths


def _major_ticks(dark, *, start, direction, lo, hi, axis):
    best = np.empty(0)
    # Ticks may start a pixel or two off the axis (anti-aliasing, panel border); in small images
    # (ggplot2 at 300-400 px) they are one pixel long, tried last and kept only when evenly spaced.
    for min_run, gap in ((2, 0), (2, 1), (2, 2), (1, 0), (1, 1)):
        if min_run == 1 and best.size >= 3:
            return _extend_chain(best, dark, start=start, direction=direction, lo=lo, hi=hi, axis=axis)
        centres, lengths = _tick_candidates(dark, start=start + direction * gap, direction=direction, lo=lo, hi=hi,
                                            axis=axis, min_run=min_run)
        if centres.size < 2:
            continue
        ticks = regular_ticks(centres[lengths >= 0.6 * lengths.max()] if min_run == 2 else centres)
        if ticks.size > best.size and (min_run == 2 or ticks.size >= 3):
            best = ticks
    return best


def _extend_chain(strong, dark, *, start, direction, lo, hi, axis):
    """``strong`` ticks continued by one-pixel ticks at the same spacing (blurred scans fade the later ones).

    The longer chain of one-pixel candidates is taken only when it holds every strong tick, so that
    a faint speck can lengthen the chain but never move it.
    """
    centres, _ = _tick_candidates(dark, start=start, direction=direction, lo=lo, hi=hi, axis=axis, min_run=1)
    if centres.size <= strong.size:
        return strong
    longer = regular_ticks(centres)
    step = float(np.median(np.diff(strong)))
    same_step = abs(float(np.median(np.diff(longer))) - step) <= max(1.5, 0.015 * step) if longer.size > 1 else False
    held = all(np.min(np.abs(longer - s)) <= 1.5 for s in strong)
    return longer if longer.size > strong.size and same_step and held else strong


def split_line_ink(gray: NDArray[np.uint8], *, axis: str) -> NDArray[np.bool_]:
    """Pixels of thin lines drawn across two pixel rows (y ticks; columns for x ticks) by anti-aliasing.

    A one-pixel tick at a half-pixel position is drawn as two light rows (grey 187 and 204), each too light for
    the ``gray < 170`` of a tick mark but together as dark as one: both rows are kept where their darkness adds
    up to that of grey 170 and each is at least a tenth of it (paper noise is not).
    """
    ink = 255 - gray.astype(np.int16)
    lines = ink if axis == "y" else ink.T
    need = 255 - TICK_GREY  # the darkness of one tick pixel
    least = -(-need // 10)  # a tenth of it, rounded up
    pair = (lines[:-1] + lines[1:] >= need) & (lines[:-1] >= least) & (lines[1:] >= least)
    mask = np.zeros(lines.shape, dtype=bool)
    mask[:-1] |= pair
    mask[1:] |= pair
    return mask if axis == "y" else mask.T


def _grid_ticks(gray: NDArray[np.uint8], row0: int, col0: int, row1: int, col1: int, *, axis: str):
    """Tick positions from grid lines when no tick marks are drawn (e.g. matplotlib's bmh style).

    Grid lines are columns (x) or rows (y) of the panel where a large share of the pixels differ
    from the panel's background; panel edges that continue the grid's spacing are added.
    """
    inner = gray[row0 + 1: row1 - 1, col0 + 1: col1 - 1].astype(np.int16)
    if inner.size == 0:
        return np.empty(0)
    background = int(np.median(inner))
    differs = np.abs(inner - background) > 12
    along = differs if axis == "x" else differs.T  # rows: along the grid line
    share = along.mean(axis=0)
    bands = np.array_split(along, 5, axis=0)
    spread = np.sum([band.any(axis=0) for band in bands], axis=0)  # grid lines cross the whole panel
    padded = np.pad(share, 4, mode="edge")
    around = np.maximum(padded[:-8], padded[8:])  # 4 px either side: a grid line is thin, a ribbon is not
    lines = np.flatnonzero((share > 0.2) & (spread >= 5) & (share - around > 0.15))
    if lines.size < 2:
        return np.empty(0)
    groups = np.split(lines, np.flatnonzero(np.diff(lines) > 1) + 1)
    offset = col0 + 1 if axis == "x" else row0 + 1
    centres = np.array([np.average(g, weights=share[g]) + offset for g in groups if g.size <= 4])
    ticks = regular_ticks(centres)
    if ticks.size < 2:
        return np.empty(0)
    step = float(np.mean(np.diff(ticks)))
    edges = (col0 - 0.5, col1 - 0.5) if axis == "x" else (row0 - 0.5, row1 - 0.5)
    if abs(ticks[0] - step - edges[0]) <= 2.5:
        ticks = np.concatenate(([edges[0]], ticks))
    if abs(ticks[-1] + step - edges[1]) <= 2.5:
        ticks = np.concatenate((ticks, [edges[1]]))
    return ticks
